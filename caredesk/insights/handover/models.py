"""Tables of handover (its own only: the floors below are read, never written).

A ShiftSchedule says when shifts change for a customer (with its branches) or a region — shift
times in local time, each with the people of the shift that starts then — and which of the
customer's duty contacts hear too. At each shift time the worker (a durable timer) sends the
incoming shift a HandoverNotice: the report's summary and its link; each recipient
acknowledges it (HandoverRecipient: who, when). Unacknowledged after the schedule's delay,
one reminder.

State changes only through caredesk.insights.handover.services; these classes hold data and
constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ShiftSchedule(models.Model):
    name = models.CharField(_("name"), max_length=100)
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "directory.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    # The customer's duty contacts (值班联系人): told at every shift change, with the summary.
    duty_contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("duty contacts"), blank=True, related_name="+"
    )
    remind_after_minutes = models.PositiveIntegerField(
        _("remind after (minutes) when not acknowledged"), default=30
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("shift schedule")
        verbose_name_plural = _("shift schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(customer_org__isnull=False) | Q(region__isnull=False),
                name="shift_schedule_has_scope",
            ),
            models.CheckConstraint(
                condition=Q(remind_after_minutes__gte=1), name="shift_schedule_remind_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ShiftSlot(models.Model):
    """One shift of a schedule: when it starts (local time) and who works it."""

    schedule = models.ForeignKey(ShiftSchedule, on_delete=models.CASCADE, related_name="slots")
    starts = models.TimeField(_("shift starts"))
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people of the shift"), related_name="+"
    )

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "starts"], name="one_slot_per_time"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.starts:%H:%M}"


class HandoverNotice(models.Model):
    """One shift change told: the report's summary at the shift's start, to its recipients."""

    schedule = models.ForeignKey(ShiftSchedule, on_delete=models.PROTECT, related_name="notices")
    slot = models.ForeignKey(ShiftSlot, null=True, on_delete=models.SET_NULL, related_name="+")
    shift_at = models.DateTimeField(_("shift starts at"))
    summary = models.JSONField(_("summary"), default=dict)
    sent_at = models.DateTimeField(_("sent at"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hand-over notice")
        verbose_name_plural = _("hand-over notices")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "shift_at"], name="one_notice_per_shift_change"
            ),
        ]
        indexes = [models.Index(fields=["schedule", "-shift_at"], name="notice_latest")]

    def __str__(self) -> str:
        return f"{self.schedule} {self.shift_at:%Y-%m-%d %H:%M}"


class HandoverRecipient(models.Model):
    """Who was told of a shift change, and when (if) they acknowledged it (已确认接班)."""

    notice = models.ForeignKey(HandoverNotice, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    duty_contact = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hand-over recipient")
        verbose_name_plural = _("hand-over recipients")
        constraints = [
            models.UniqueConstraint(fields=["notice", "person"], name="one_row_per_recipient"),
        ]
        indexes = [
            models.Index(
                fields=["person"], condition=Q(acknowledged_at__isnull=True), name="recipient_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice} → {self.person_id}"
