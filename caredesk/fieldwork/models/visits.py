"""Site visits (上站) on a ticket: planned, on the way, arrived, left with a result.

State changes only through caredesk.fieldwork.visits.services; these classes hold data and
constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    TRAVELLING = "travelling", _("On the way")
    ON_SITE = "on_site", pgettext_lazy("site visit", "On site")
    LEFT = "left", _("Left the site")
    CANCELLED = "cancelled", _("Cancelled")


class VisitResult(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    UNRESOLVED = "unresolved", _("Unresolved")
    NEEDS_PARTS = "needs_parts", _("Needs parts")


# Results that leave the customer's problem open: the engineer leaves only with a next step
# (what, who, by when) and a message to the customer (seed case 6).
NEEDS_NEXT_STEP = frozenset({VisitResult.UNRESOLVED, VisitResult.NEEDS_PARTS})
# The condition of the index the hand-over report reads visits left unresolved through.
LEFT_UNRESOLVED_Q = Q(result__in=sorted(NEEDS_NEXT_STEP))


class Visit(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="visits"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        related_name="site_visits",
    )
    planned_at = models.DateTimeField(_("planned for"))
    purpose = models.TextField(_("purpose"))
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    # Check-in and check-out: the server's clock when recorded, or a time the engineer stated
    # with a reason (then kept in `corrections` beside the moment it was entered).
    travel_started_at = models.DateTimeField(_("set off at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=12, choices=VisitResult.choices, blank=True, default=""
    )
    work_done = models.TextField(_("work done"), blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    next_step_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("next step by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    next_step_due = models.DateTimeField(_("next step due"), null=True, blank=True)
    customer_message = models.TextField(_("message to the customer"), blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    # Per step ("travel", "arrived", "left"): {"recorded_at", "stated_at", "reason"}.
    corrections = models.JSONField(default=dict, blank=True)
    # The customer's confirmation of the report: who (their name as it was then) and when.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_name = models.CharField(_("confirmed by"), max_length=150, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")
        indexes = [
            models.Index(fields=["ticket", "planned_at"], name="visit_ticket_planned"),
            models.Index(fields=["engineer", "status"], name="visit_engineer_status"),
            # The hand-over report's visits left unresolved in a period (selectors).
            models.Index(
                fields=["left_at"], name="visit_left_unresolved", condition=LEFT_UNRESOLVED_Q
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~LEFT_UNRESOLVED_Q
                | (Q(next_step_due__isnull=False) & Q(next_step_owner__isnull=False)),
                name="visit_unresolved_has_next_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.engineer_id} {self.planned_at:%Y-%m-%d %H:%M}"

    @property
    def needs_next_step(self) -> bool:
        return self.result in NEEDS_NEXT_STEP

    @property
    def is_active(self) -> bool:
        """Planned or under way: the steps of the visit can still be recorded."""
        return self.status in (VisitStatus.PLANNED, VisitStatus.TRAVELLING, VisitStatus.ON_SITE)
