"""Change requests: operations on a customer's network under authorisation (seed case 3).

A change says what will be done to which network elements, how it is undone, how risky it is
and when it may happen; it is approved by the vendor office (and by the customer when the risk
is medium or high) before it starts, or — an emergency — authorised within a deadline after.
State changes only through caredesk.fieldwork.changes.services; these classes hold data and
constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChangeKind(models.TextChoices):
    UPGRADE = "upgrade", _("Upgrade")
    PATCH = "patch", _("Patch")
    CONFIG = "config", _("Configuration change")
    ALARM_MASKING = "alarm_masking", _("Alarm masking")
    REBOOT = "reboot", _("Reboot")
    OTHER = "other", pgettext_lazy("change kind", "Other")


class ChangeModel(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("change model", "Normal")
    # A template an administrator published: approved once, in advance, for every use.
    STANDARD = "standard", pgettext_lazy("change model", "Standard")
    # May start before approval; must be authorised within a deadline or it escalates.
    EMERGENCY = "emergency", pgettext_lazy("change model", "Emergency")


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", pgettext_lazy("change", "In progress")
    VERIFYING = "verifying", _("Verifying")
    DONE = "done", pgettext_lazy("change", "Done")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", pgettext_lazy("change", "Cancelled")


class ChangeRisk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


# A change in one of these holds its elements: another change's window over the same element
# is flagged (services.conflicts).
ACTIVE_STATUSES = frozenset(
    {
        ChangeStatus.SUBMITTED,
        ChangeStatus.APPROVED,
        ChangeStatus.IN_PROGRESS,
        ChangeStatus.VERIFYING,
    }
)
# The end of the road: nothing more is recorded on these.
FINAL_STATUSES = frozenset(
    {
        ChangeStatus.DONE,
        ChangeStatus.ROLLED_BACK,
        ChangeStatus.FAILED,
        ChangeStatus.REJECTED,
        ChangeStatus.CANCELLED,
    }
)
# Risks that need the customer's approval beside the vendor office's.
CUSTOMER_APPROVAL_RISKS = frozenset({ChangeRisk.MEDIUM, ChangeRisk.HIGH})


class ChangeTemplate(models.Model):
    """A standard change: a plan an administrator published as approved in advance. A change
    made from a published template skips approval but keeps every other rule (window,
    overlaps, blackout, partner limits)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    plan = models.TextField(_("plan"))
    rollback_plan = models.TextField(_("rollback plan"))
    risk = models.CharField(_("risk"), max_length=10, choices=ChangeRisk.choices)
    # Empty: usable for every customer.
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published = models.BooleanField(_("published"), default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("standard change template")
        verbose_name_plural = _("standard change templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BlackoutWindow(models.Model):
    """A period an administrator declared closed to changes (holidays, major events), for one
    customer (and its branches) or, left empty, for all."""

    name = models.CharField(_("name"), max_length=200)
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.TextField(_("reason"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("blackout window")
        verbose_name_plural = _("blackout windows")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="blackout_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="blackout_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChangeRequest(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    model = models.CharField(
        _("model"), max_length=10, choices=ChangeModel.choices, default=ChangeModel.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT
    )
    template = models.ForeignKey(
        ChangeTemplate,
        verbose_name=_("standard template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
    )
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    # The approver's scope beside the customer (directory.RoleAssignment); empty: any.
    region = models.ForeignKey(
        "directory.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.ForeignKey(
        "directory.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="changes_requested",
    )
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executor"),
        on_delete=models.PROTECT,
        related_name="changes_executed",
    )
    title = models.CharField(_("title"), max_length=200)
    plan = models.TextField(_("plan"))
    rollback_plan = models.TextField(_("rollback plan"), blank=True)
    risk = models.CharField(
        _("risk"), max_length=10, choices=ChangeRisk.choices, default=ChangeRisk.LOW
    )
    # The short assessment the risk came from: {question: answer}.
    risk_assessment = models.JSONField(_("risk assessment"), default=dict, blank=True)
    window_start = models.DateTimeField(_("window opens"))
    window_end = models.DateTimeField(_("window closes"))
    # What the last check found against this window: [{"kind": "overlap"|"blackout", ...}].
    conflicts = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(_("why go ahead despite the conflicts"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # An emergency change's deadline to be authorised after it was started.
    authorise_by = models.DateTimeField(_("to be authorised by"), null=True, blank=True)
    vendor_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by (office)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    vendor_approved_at = models.DateTimeField(null=True, blank=True)
    customer_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by (customer)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer_approved_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reject_reason = models.TextField(_("why rejected"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    execution_note = models.TextField(_("what was done"), blank=True)
    # The verification checklist: [{"item": ..., "ok": bool, "note": ...}].
    verification = models.JSONField(_("verification"), default=list, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    tickets = models.ManyToManyField(
        "tickets.Ticket",
        verbose_name=_("linked tickets"),
        through="ChangeTicket",
        related_name="changes",
        blank=True,
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        indexes = [
            models.Index(fields=["customer_org", "status"], name="change_customer_status"),
            models.Index(fields=["executor", "status"], name="change_executor_status"),
            models.Index(fields=["window_start"], name="change_window_start"),
            models.Index(fields=["ended_at"], name="change_ended"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")),
                name="change_window_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(risk=ChangeRisk.HIGH) | ~Q(rollback_plan=""),
                name="change_high_risk_has_rollback",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"CHG-{self.pk:06d}" if self.pk else "CHG-"

    @property
    def needs_customer_approval(self) -> bool:
        return self.risk in CUSTOMER_APPROVAL_RISKS

    @property
    def is_authorised(self) -> bool:
        """Approved as the rules ask: by a published template, or by the office and (risk ≥
        medium) the customer."""
        if self.model == ChangeModel.STANDARD and self.template_id is not None:
            return True
        if self.vendor_approved_at is None:
            return False
        return not self.needs_customer_approval or self.customer_approved_at is not None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class ChangeTarget(models.Model):
    """A network element (and its site) the change operates on."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="targets")
    element = models.CharField(_("network element"), max_length=200)
    site = models.CharField(_("site"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("change target")
        verbose_name_plural = _("change targets")
        indexes = [models.Index(fields=["element"], name="change_target_element")]
        constraints = [
            models.UniqueConstraint(fields=["change", "element"], name="one_target_per_element"),
        ]

    def __str__(self) -> str:
        return self.element


class ChangeTicket(models.Model):
    """A ticket the change belongs to (its cause, or the work it serves)."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="change_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("linked ticket")
        verbose_name_plural = _("linked tickets")
        constraints = [
            models.UniqueConstraint(fields=["change", "ticket"], name="one_link_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.change_id} ↔ {self.ticket_id}"
