"""Tickets, their timeline, hand-offs and technical conclusions.

State changes only through caredesk.tickets.services; these classes hold data and constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    P1 = "P1", _("P1 — critical")
    P2 = "P2", _("P2 — major")
    P3 = "P3", _("P3 — minor")
    P4 = "P4", _("P4 — question")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    HOTLINE = "hotline", _("400 hotline")
    IM = "im", _("Instant message")
    API = "api", _("API")
    ONSITE = "onsite", _("On site")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.REOPENED}
)


# The condition of the open-queue partial indexes; selectors.status_is() repeats it literally.
OPEN_Q = Q(status__in=sorted(OPEN_STATUSES))
# The condition of the open-by-status index: OPEN_Q and a condition every row meets.
OPEN_BY_STATUS_Q = OPEN_Q & Q(urgency__gte=0)


class Urgency(models.IntegerChoices):
    """Where a ticket stands in the queue's default order, from its running SLA clocks
    (escalation.clocks keeps it, with Ticket.next_due_at, in the clock change's transaction).
    A number so that the order is plain ascending columns on SQLite and PostgreSQL alike,
    with next_due_at NULL only in the last tier (the engines sort NULLs differently)."""

    BREACHED = 0, _("A time limit is breached")
    DUE = 1, _("A time limit is running")
    NONE = 2, _("No time limit running")


class TicketSequence(models.Model):
    """Per-year counter behind ticket numbers (CD-2026-000123); the row lock keeps them unique."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    office = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("serving office"),
        on_delete=models.PROTECT,
        related_name="served_tickets",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    product = models.ForeignKey(
        "directory.Product", verbose_name=_("product"), on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        "directory.Region", verbose_name=_("region"), on_delete=models.PROTECT
    )
    team = models.ForeignKey(
        "directory.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    site = models.CharField(_("site / NE"), max_length=200, blank=True)
    severity = models.CharField(_("severity"), max_length=2, choices=Severity.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=200)
    customer_voice = models.TextField(_("customer voice"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    # Never null: a ticket has exactly one accountable owner from the moment it exists.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_tickets",
    )
    owner_since = models.DateTimeField(_("owner since"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    handoff_count = models.PositiveIntegerField(_("hand-offs"), default=0)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    created_at = models.DateTimeField(_("opened at"))
    updated_at = models.DateTimeField(_("updated at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # How a closed ticket was closed: the customer confirmed, or nobody answered the
    # resolution for the customer's silence period (auto-close, never shown as confirmed).
    closed_how = models.CharField(
        max_length=10,
        blank=True,
        default="",
        db_default="",  # rows written by hand-made SQL (imports, the benchmarks) too
        choices=[
            ("confirmed", _("Confirmed by the customer")),
            ("auto", _("Closed after silence")),
        ],
    )
    # The earliest due time of the running clocks (NULL when none runs) and the tier it puts
    # the ticket in: the queue sorts by (urgency, next_due_at, severity, id).
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NONE, db_default=Urgency.NONE
    )
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["owner", "status", "-id"], name="ticket_owner_status"),
            models.Index(fields=["office", "-id"], name="ticket_office"),
            models.Index(fields=["customer_org", "-id"], name="ticket_customer"),
            models.Index(fields=["team", "status", "-id"], name="ticket_team_status"),
            # Most queue and portal pages show open tickets only: small partial indexes, already
            # in page order, for all open tickets, "my open tickets", a team's and a severity's.
            # (Composite (…, status, id) indexes led SQLite to read every open ticket of a
            # province and sort them, 300 ms at a million tickets.)
            models.Index(fields=["-id"], name="ticket_open", condition=OPEN_Q),
            # The portal counts a customer's resolved requests ("waiting for your confirmation")
            # from this one. (A full (customer, status) index led SQLite to read a province's
            # open tickets through it and sort them.)
            models.Index(
                fields=["customer_org"],
                name="ticket_resolved_customer",
                condition=Q(status=Status.RESOLVED),
            ),
            models.Index(fields=["owner", "-id"], name="ticket_open_owner", condition=OPEN_Q),
            models.Index(fields=["team", "-id"], name="ticket_open_team", condition=OPEN_Q),
            models.Index(fields=["severity", "-id"], name="ticket_open_severity", condition=OPEN_Q),
            # "Waiting for the customer" is a small share of the open tickets: walking the open
            # index for it read 65 ms of rows per page on SQLite at a million tickets.
            models.Index(
                fields=["-id"],
                name="ticket_waiting",
                condition=Q(status=Status.WAITING_CUSTOMER),
            ),
            # The queue's default order (breached first, then the nearest due time, then
            # severity) over the open tickets: all of them, an owner's and a team's. All columns
            # ascending, so a keyset cursor is one row-value comparison the index can seek to.
            models.Index(
                fields=["urgency", "next_due_at", "severity", "id"],
                name="ticket_open_urgency",
                condition=OPEN_Q,
            ),
            models.Index(
                fields=["owner", "urgency", "next_due_at", "severity", "id"],
                name="ticket_open_owner_urgency",
                condition=OPEN_Q,
            ),
            models.Index(
                fields=["team", "urgency", "next_due_at", "severity", "id"],
                name="ticket_open_team_urgency",
                condition=OPEN_Q,
            ),
            # The queue's other sortable columns over all open tickets (an owner's or a team's
            # are few enough to sort; by status they read ticket_owner_status/_team_status).
            # By status: the extra, always true condition keeps every other open list off this
            # index — led by status, it would serve their "status IN (…)" and sort (see above);
            # only the status order repeats the condition (selectors.list_page).
            models.Index(
                fields=["status", "-id"], name="ticket_open_status", condition=OPEN_BY_STATUS_Q
            ),
            models.Index(
                fields=["-updated_at", "-id"], name="ticket_open_updated", condition=OPEN_Q
            ),
            # The analytics figures read the tickets opened in a period (a half-year is a sixth
            # of three years' rows): without it PostgreSQL scanned the whole table for each.
            models.Index(fields=["created_at"], name="ticket_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def breached(self) -> bool:
        return self.urgency == Urgency.BREACHED


class EntryKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    COMMENT = "comment", _("Comment")
    CALL = "call", _("Call")
    HANDOFF_PROPOSED = "handoff_proposed", _("Hand-off proposed")
    HANDOFF_ACCEPTED = "handoff_accepted", _("Hand-off accepted")
    HANDOFF_DECLINED = "handoff_declined", _("Hand-off declined")
    HANDOFF_CANCELLED = "handoff_cancelled", _("Hand-off cancelled")
    CONCLUSION = "conclusion", _("Technical conclusion")
    EDITED = "edited", _("Edited")
    STATUS = "status", _("Status changed")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closure confirmed")
    AUTO_CLOSE_REMINDED = "auto_close_reminder", _("Reminded before closing")
    AUTO_CLOSED = "auto_closed", _("Closed after silence")
    REOPENED = "reopened", _("Reopened")
    ESCALATED = "escalated", _("Escalated")
    CLOCK_BREACHED = "clock_breached", _("SLA clock breached")
    # A site visit's steps (caredesk.fieldwork), written through services.record_work.
    VISIT_PLANNED = "visit_planned", _("Site visit planned")
    VISIT_CANCELLED = "visit_cancelled", _("Site visit cancelled")
    VISIT_TRAVEL = "visit_travel", _("On the way to the site")
    VISIT_ARRIVED = "visit_arrived", _("Arrived on site")
    VISIT_LEFT = "visit_left", _("Left the site")
    VISIT_CONFIRMED = "visit_confirmed", _("Visit report confirmed")


class TimelineEntry(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=24, choices=EntryKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    public = models.BooleanField(default=True)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at", "id"], name="timeline_ticket_at")]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%Y-%m-%d %H:%M}"


class HandoffStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class Handoff(models.Model):
    """A request to take over a ticket. The old owner stays accountable until it is accepted."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="handoffs")
    from_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoffs_given"
    )
    to_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoffs_received"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.PENDING
    )
    response_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status="pending"),
                name="one_pending_handoff_per_ticket",
            ),
        ]
        indexes = [models.Index(fields=["to_person", "status"], name="handoff_target_status")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.from_person_id} → {self.to_person_id} ({self.status})"


class Conclusion(models.Model):
    """One version of the ticket's technical conclusion; the highest version is current."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="conclusions")
    version = models.PositiveIntegerField()
    text = models.TextField()
    reason = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("technical conclusion")
        verbose_name_plural = _("technical conclusions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "version"], name="one_conclusion_version"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}: {self.text[:40]}"


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    VOICEMAIL = "voicemail", _("Voicemail")
    PHONE_OFF = "phone_off", _("Phone off")


class CallDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class SearchDocument(models.Model):
    """A ticket's words, segmented for the full-text index (see caredesk/tickets/search.py).

    Chinese has no spaces, so the text is stored already cut into words (jieba); the database
    indexes these columns: SQLite through an FTS5 table kept in step by triggers, PostgreSQL
    through GIN indexes on `simple` tsvectors. What customers may read (title, their words,
    public replies) is kept apart from internal notes, which only staff search."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    public_words = models.TextField(blank=True)
    private_words = models.TextField(blank=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"words of ticket {self.ticket_id}"
