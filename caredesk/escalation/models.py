"""SLA clocks and their calendars, on-call rosters, escalation policies and running chains."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ClockKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    RESPOND = "respond", _("Respond")
    RESTORE = "restore", _("Restore")
    RESOLVE = "resolve", _("Resolve")


# ------------------------------------------------------------------ calendars


# Calendars (working time, holidays, make-up days) are their own app below escalation.
from caredesk.calendars.models import Calendar, CalendarDay, DayKind  # noqa: E402, F401

# ------------------------------------------------------------------ SLA


class SlaPolicy(models.Model):
    """Targets per customer (or the default, without one) and severity, in business minutes of
    its calendar. An empty target means that clock is not kept."""

    name = models.CharField(_("name"), max_length=100)
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: the default for every customer without its own policy."),
    )
    severity = models.CharField(_("severity"), max_length=2)
    calendar = models.ForeignKey(Calendar, verbose_name=_("calendar"), on_delete=models.PROTECT)
    acknowledge_minutes = models.PositiveIntegerField(
        _("acknowledge within"), null=True, blank=True
    )
    respond_minutes = models.PositiveIntegerField(_("respond within"), null=True, blank=True)
    restore_minutes = models.PositiveIntegerField(_("restore within"), null=True, blank=True)
    resolve_minutes = models.PositiveIntegerField(_("resolve within"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["customer_org", "severity"], name="one_sla_per_customer_severity"
            ),
            models.UniqueConstraint(
                fields=["severity"],
                condition=Q(customer_org__isnull=True),
                name="one_default_sla_per_severity",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def target_minutes(self, kind: str) -> int | None:
        return getattr(self, f"{kind}_minutes")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class TicketClock(models.Model):
    """One SLA clock of one ticket. Elapsed business time is `elapsed_seconds` plus, while
    running, the business time since `running_since`."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=12, choices=ClockKind.choices)
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT)
    target_seconds = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=ClockState.choices)
    elapsed_seconds = models.PositiveIntegerField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="one_clock_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind} {self.state}"


# ------------------------------------------------------------------ rosters


class Rotation(models.Model):
    """Members of a team take turns, each for a day or a week, changing at `handover_time`."""

    PERIODS = [("daily", _("Daily")), ("weekly", _("Weekly"))]

    team = models.ForeignKey("directory.Team", on_delete=models.CASCADE, related_name="rotations")
    name = models.CharField(_("name"), max_length=100)
    period = models.CharField(_("period"), max_length=6, choices=PERIODS, default="weekly")
    handover_time = models.TimeField(_("hand-over time"), default=dt.time(9))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    start_date = models.DateField(_("first shift starts"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="RotationMember", related_name="+"
    )

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")

    def __str__(self) -> str:
        return f"{self.team} · {self.name}"


class RotationMember(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="slots")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "position"], name="one_member_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.person_id}"


class RosterOverride(models.Model):
    """Someone else is on call for a team in a window (a holiday swap, sick leave)."""

    team = models.ForeignKey("directory.Team", on_delete=models.CASCADE, related_name="overrides")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("on call"), on_delete=models.CASCADE
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("roster override")
        verbose_name_plural = _("roster overrides")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="override_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.person} {self.starts_at:%Y-%m-%d %H:%M}"


# ------------------------------------------------------------------ escalation


class Trigger(models.TextChoices):
    OPENED = "opened", _("Ticket opened (stops when acknowledged)")
    HANDOFF = "handoff", _("Hand-off proposed (stops when decided)")
    CLOCK = "clock", _("SLA clocks (stops when resolved)")
    VISIT = "visit", _("Site visit left unresolved (stops when someone is back on site)")
    # complaints: a complaint's deadline missed (stops when it is met, extended or ended)
    COMPLAINT = "complaint", _("Complaint deadline missed (stops when met or extended)")
    # ---- change requests (caredesk.fieldwork.changes) ----
    CHANGE = "change", _("Emergency change not authorised in time (stops when authorised)")


class EscalationPolicy(models.Model):
    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("starts when"), max_length=12, choices=Trigger.choices)
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    severity = models.CharField(
        _("severity"), max_length=2, blank=True, help_text=_("Empty: any severity.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name


class StepTarget(models.TextChoices):
    OWNER = "owner", _("Owner")
    BACKUP = "backup", _("Backup (matrix)")
    ONCALL = "oncall", _("On call for the team")
    HANDOFF_TARGET = "handoff_target", _("Proposed new owner")
    NEXT_STEP_OWNER = "next_step_owner", _("Who does the next step (site visit)")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    PRODUCT_LEADER = "product_leader", _("Product maintenance leader")
    SPM = "spm", _("SPM")
    ACCOUNT_HEAD = "account_head", _("Account head")
    # complaints: the handler of the complaint whose deadline was missed
    COMPLAINT_HANDLER = "complaint_handler", _("Complaint handler")


class StepCondition(models.TextChoices):
    NOT_ACKNOWLEDGED = "not_acknowledged", _("Not acknowledged")
    HANDOFF_NOT_ACCEPTED = "handoff_not_accepted", _("Hand-off not accepted")
    CLOCK_AT_RISK = "clock_at_risk", _("Clock about to breach")
    CLOCK_BREACHED = "clock_breached", _("Clock breached")
    VISIT_UNRESOLVED = "visit_unresolved", _("Site visit left unresolved")
    NEXT_STEP_OVERDUE = "next_step_overdue", _("Next step overdue")
    # complaints
    COMPLAINT_OVERDUE = "complaint_overdue", _("Complaint deadline missed")
    # ---- change requests (caredesk.fieldwork.changes) ----
    CHANGE_UNAUTHORISED = "change_unauthorised", _("Emergency change not authorised")


class EscalationStep(models.Model):
    """`wait_minutes` counts from the previous step of the chain — or, for a clock condition,
    from the moment the clock reaches `percent` of its target (100 = breach); for an overdue
    next step, from the time the next step was due."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"))
    target = models.CharField(_("target"), max_length=20, choices=StepTarget.choices)
    wait_minutes = models.PositiveIntegerField(_("wait (minutes)"), default=0)
    channels = models.CharField(
        _("channels"), max_length=100, default="email", help_text=_("Comma-separated.")
    )
    condition = models.CharField(_("condition"), max_length=24, choices=StepCondition.choices)
    clock = models.CharField(
        _("clock"), max_length=12, choices=ClockKind.choices, blank=True, default=""
    )
    percent = models.PositiveIntegerField(_("percent of target"), default=100)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "order"], name="one_step_per_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.get_target_display()}"

    def frozen(self) -> dict:
        return {
            "target": self.target,
            "wait_minutes": self.wait_minutes,
            "channels": [c.strip() for c in self.channels.split(",") if c.strip()],
            "condition": self.condition,
            "clock": self.clock,
            "percent": self.percent,
        }


class RunState(models.TextChoices):
    ACTIVE = "active", _("Active")
    STOPPED = "stopped", _("Stopped")
    FINISHED = "finished", _("Finished")


class EscalationRun(models.Model):
    """One chain in flight for a ticket. The policy's steps are frozen into `steps` when it
    starts, so editing a policy never rewrites a chain already running."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="escalation_runs"
    )
    policy_name = models.CharField(max_length=100)
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    handoff = models.ForeignKey(
        "tickets.Handoff", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    steps = models.JSONField()
    # What started the chain, as its event told it, when the event carries more than the
    # ticket: a site visit left unresolved — the visit, its next step, who does it and by
    # when ("due_at", the moment the overdue steps count from).
    cause = models.JSONField(default=dict, blank=True)
    # Per step: "pending", "fired", "skipped", "cancelled", or "caught_up" (missed while the
    # worker was away and recorded under the higher step that fired instead; see firing.py).
    step_states = models.JSONField()
    state = models.CharField(max_length=8, choices=RunState.choices, default=RunState.ACTIVE)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("escalation run")
        verbose_name_plural = _("escalation runs")
        indexes = [models.Index(fields=["ticket", "state"], name="run_ticket_state")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.policy_name} {self.state}"
