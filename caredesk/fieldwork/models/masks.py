"""Alarm-masking rules (告警屏蔽规则): Alertmanager's silence model — matchers, start, end,
created by, comment — plus CareDesk's: the customer, network elements and alarm codes it
covers, why, who owns it, and the approved alarm-masking change it belongs to (seed case 5).

A rule always has an end, under the customer's maximum; removing one keeps the record. The
`sync_*` columns are the rule's promise to Alertmanager: the worker pushes a rule as a silence
(or expires its silence) after the change commits, never inside it. What the worker finds in
Alertmanager that CareDesk did not authorise is kept as ForeignSilence rows.

State changes only through caredesk.fieldwork.masks.services and .sync; these classes hold
data and constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MaskStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("masking rule", "Active")
    EXPIRED = "expired", pgettext_lazy("masking rule", "Expired")
    REMOVED = "removed", pgettext_lazy("masking rule", "Removed")


class SyncState(models.TextChoices):
    """Where the rule stands with Alertmanager."""

    IN_STEP = "in_step", _("In step with Alertmanager")
    TO_PUSH = "to_push", _("Waiting to be pushed")
    TO_EXPIRE = "to_expire", _("Waiting to be expired in Alertmanager")
    FAILED = "failed", _("Refused by Alertmanager")


# The rows the worker's push loop reads (an index holds only these).
SYNC_PENDING_Q = Q(sync_state__in=[SyncState.TO_PUSH, SyncState.TO_EXPIRE])


class MaskingLimit(models.Model):
    """How long a customer lets one masking rule last (a province's limit holds for its
    branches unless a branch has its own). Without one, settings.MASK_MAX_HOURS."""

    customer_org = models.OneToOneField(
        "directory.Organisation",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="masking_limit",
    )
    max_hours = models.PositiveIntegerField(_("longest masking (hours)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("masking limit")
        verbose_name_plural = _("masking limits")
        constraints = [
            models.CheckConstraint(condition=Q(max_hours__gte=1), name="mask_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_org}: {self.max_hours} h"


class MaskingRule(models.Model):
    change = models.ForeignKey(
        "fieldwork.ChangeRequest",
        verbose_name=_("change"),
        on_delete=models.PROTECT,
        related_name="masking_rules",
    )
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="masking_rules",
    )
    # Alertmanager's: [{"name", "value", "isRegex", "isEqual"}], as pushed.
    matchers = models.JSONField(_("matchers"))
    elements = models.JSONField(_("network elements"), default=list, blank=True)
    alarm_codes = models.JSONField(_("alarm codes"), default=list, blank=True)
    reason = models.TextField(_("reason"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="masking_rules",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The rules made together (one upload, one API call): told together.
    batch = models.CharField(max_length=32)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=10, choices=MaskStatus.choices, default=MaskStatus.ACTIVE
    )
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    remove_reason = models.TextField(_("why removed"), blank=True)
    # Alertmanager's side.
    silence_id = models.CharField(_("silence"), max_length=64, blank=True, db_index=True)
    sync_state = models.CharField(
        max_length=10, choices=SyncState.choices, default=SyncState.TO_PUSH
    )
    sync_due_at = models.DateTimeField(null=True, blank=True)
    sync_error = models.TextField(blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    unpushed_at = models.DateTimeField(null=True, blank=True)
    # Set by the reconciler when Alertmanager no longer holds the rule's live silence.
    silence_missing_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("alarm masking rule")
        verbose_name_plural = _("alarm masking rules")
        indexes = [
            models.Index(fields=["customer_org", "status", "ends_at"], name="mask_customer_status"),
            models.Index(fields=["change", "id"], name="mask_change"),
            models.Index(fields=["status", "ends_at"], name="mask_status_ends"),
            models.Index(fields=["sync_due_at"], condition=SYNC_PENDING_Q, name="mask_sync_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="mask_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"MSK-{self.pk:06d}" if self.pk else "MSK-"

    @property
    def is_active(self) -> bool:
        return self.status == MaskStatus.ACTIVE


class MaskedElement(models.Model):
    """One network element a rule covers: the `?element=` filter and the hand-over report
    read rules by element through this index."""

    rule = models.ForeignKey(MaskingRule, on_delete=models.CASCADE, related_name="element_rows")
    element = models.CharField(_("network element"), max_length=200)

    class Meta:
        verbose_name = _("masked network element")
        verbose_name_plural = _("masked network elements")
        indexes = [models.Index(fields=["element"], name="masked_element")]
        constraints = [
            models.UniqueConstraint(fields=["rule", "element"], name="one_row_per_masked_element"),
        ]

    def __str__(self) -> str:
        return self.element


class ForeignSilence(models.Model):
    """A live silence the reconciler found in Alertmanager that no CareDesk rule authorised —
    made there directly (amtool, its web page), bypassing the change process. Kept after it
    ends, as the record of what was muted, by whom and when."""

    silence_id = models.CharField(_("silence"), max_length=64, unique=True)
    matchers = models.JSONField(_("matchers"), default=list)
    created_by = models.CharField(_("created by (in Alertmanager)"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    state = models.CharField(_("state in Alertmanager"), max_length=16)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    # When it was no longer live in Alertmanager (expired there, or gone).
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unauthorised silence")
        verbose_name_plural = _("unauthorised silences")
        indexes = [
            models.Index(fields=["ended_at", "first_seen_at"], name="foreign_silence_live"),
        ]

    def __str__(self) -> str:
        return self.silence_id

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class ReconcileRun(models.Model):
    """One pass of the reconciler: what it read and found (the pages say when Alertmanager
    was last checked, and whether that worked)."""

    at = models.DateTimeField()
    ok = models.BooleanField()
    detail = models.TextField(blank=True)
    silences = models.PositiveIntegerField(default=0)
    unauthorised = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-at"], name="reconcile_latest")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"
