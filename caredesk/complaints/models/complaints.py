"""A complaint (投诉) and what happens to it: receipt, assessment, deadlines and extensions,
investigation notes, root cause, corrective actions, response, call-backs, withdrawal and
closure (ISO 10002's steps; the 12345 hotline's closed loop).

State changes only through caredesk.complaints.services; these classes hold data and
constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .taxonomy import DeadlineKind


class Source(models.TextChoices):
    HOTLINE = "hotline", _("400 hotline call")
    LETTER = "letter", _("Escalation letter")
    TICKET = "ticket", _("Raised from a ticket")
    SURVEY = "survey", _("Low survey score")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    IM = "im", _("Instant message")
    IN_PERSON = "in_person", _("In person")
    PORTAL = "portal", _("Portal or survey")


class Severity(models.TextChoices):
    HIGH = "high", pgettext_lazy("complaint severity", "High")
    MEDIUM = "medium", pgettext_lazy("complaint severity", "Medium")
    LOW = "low", pgettext_lazy("complaint severity", "Low")


class Impact(models.TextChoices):
    ONE_SITE = "one_site", _("One site or user")
    BRANCH = "branch", _("A city branch's service")
    PROVINCE = "province", _("Province-wide service")
    REGULATOR = "regulator", _("Threat to go to the regulator (12300/12345)")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("Being handled")
    AWAITING_APPROVAL = "awaiting_approval", _("Response awaiting approval")
    RESPONDED = "responded", _("Answered")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.IN_PROGRESS, Status.AWAITING_APPROVAL, Status.RESPONDED}
)
ENDED_STATUSES = frozenset({Status.CLOSED, Status.WITHDRAWN})
# Open with a deadline still to meet: the rows the queue reads by deadline.
QUEUED_Q = Q(status__in=sorted(OPEN_STATUSES), next_due__isnull=False)


class Closure(models.TextChoices):
    CONFIRMED = "confirmed", _("The complainant confirmed the outcome")
    REFUSED = "refused", _("The complainant refused; further recourse told")


class Complaint(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # Where it came from, when the source has an id of its own ("survey:123", a letter's ref).
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The serving office of its first linked ticket: whose staff see and handle it.
    office = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("serving office"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("complainant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_made",
    )
    # The complainant's name and phone as given (a contact's, or a caller not in the directory).
    complainant_name = models.CharField(_("complainant's name"), max_length=100)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=32, blank=True)
    received_at = models.DateTimeField(_("received at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="complaints_registered",
    )
    words = models.TextField(_("the complainant's words"))
    remedy_sought = models.TextField(_("remedy sought"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices)
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subcategory = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("sub-category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("complaint handler"),
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    status = models.CharField(
        _("status"), max_length=18, choices=Status.choices, default=Status.RECEIVED
    )
    # Deadlines on the business calendar, as they stand after any extension.
    acknowledge_due = models.DateTimeField(_("acknowledge by"))
    callback_due = models.DateTimeField(_("first call-back by"))
    resolve_due = models.DateTimeField(_("resolve by"))
    # The nearest deadline still to meet (null once all are met): the queue's order.
    next_due = models.DateTimeField(_("next deadline"), null=True, blank=True)
    # Deadlines missed, by kind: {"acknowledge": "<iso due>", …} (reminded, escalated).
    overdue = models.JSONField(default=dict, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    first_callback_at = models.DateTimeField(_("first call-back at"), null=True, blank=True)
    root_cause = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("root cause"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    root_cause_note = models.TextField(_("findings"), blank=True)
    response = models.TextField(_("response to the complainant"), blank=True)
    response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response_sent_at = models.DateTimeField(_("response sent at"), null=True, blank=True)
    # Withdrawal (撤诉): when, who recorded it, and who withdrew (the complainant, as named).
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_name = models.CharField(_("withdrawn by"), max_length=100, blank=True)
    withdrawn_note = models.TextField(_("why withdrawn"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure = models.CharField(_("closure"), max_length=10, choices=Closure.choices, blank=True)
    closure_note = models.TextField(_("closing note"), blank=True)
    recourse_told = models.TextField(_("further recourse told"), blank=True)
    reopened_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            # The queue: open complaints with a deadline left, nearest first, per handler and
            # per office (selectors.queue reads them in page order; no sort over all rows).
            models.Index(
                fields=["handler", "next_due", "id"],
                name="complaint_open_handler_due",
                condition=QUEUED_Q,
            ),
            models.Index(
                fields=["office", "next_due", "id"],
                name="complaint_open_office_due",
                condition=QUEUED_Q,
            ),
            # Every complaint, latest received first: per handler, office, customer, registrar.
            models.Index(fields=["handler", "received_at", "id"], name="complaint_handler_recv"),
            models.Index(fields=["office", "received_at", "id"], name="complaint_office_recv"),
            models.Index(fields=["customer_org", "received_at"], name="complaint_customer"),
            models.Index(fields=["registered_by", "received_at"], name="complaint_registrar"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="complaint_withdrawn_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closure=""),
                name="complaint_closed_has_closure",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ComplaintTicket(models.Model):
    """A ticket the complaint is about (one or more); the first linked is its main one."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="complaint_links"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "ticket"], name="complaint_ticket_once")
        ]
        indexes = [models.Index(fields=["ticket", "complaint"], name="complaint_by_ticket")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.ticket_id}"


class EntryKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    NOTE = "note", _("Investigation note")
    ROOT_CAUSE = "root_cause", _("Root cause")
    ACTION = "action", _("Corrective action")
    ACTION_VERIFIED = "action_verified", _("Corrective action verified")
    RESPONSE = "response", _("Response")
    RESPONSE_APPROVED = "response_approved", _("Response approved")
    CALLBACK = "callback", _("Call-back")
    EXTENDED = "extended", _("Deadline extended")
    OVERDUE = "overdue", _("Deadline missed")
    REMINDER = "reminder", _("Reminder")
    SUPERVISION = "supervision", _("Supervision")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")
    REOPENED = "reopened", _("Reopened")


class ComplaintEntry(models.Model):
    """The complaint's timeline. Internal entries (investigation notes, reminders) are never
    shown to customers."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(blank=True)
    internal = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["complaint", "at", "id"], name="complaint_entry_at")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Extension(models.Model):
    """A deadline moved, asked before it passed, with the reason the complainant was told."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="extensions")
    deadline = models.CharField(max_length=12, choices=DeadlineKind.choices)
    old_due = models.DateTimeField()
    new_due = models.DateTimeField()
    reason = models.TextField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.deadline} → {self.new_due:%Y-%m-%d %H:%M}"


class CallBack(models.Model):
    """A call to the complainant: reached or not, and (once answered) satisfied or not."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="callbacks")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reached = models.BooleanField()
    satisfied = models.BooleanField(null=True, blank=True)
    after_response = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.at:%Y-%m-%d %H:%M}"


class CorrectiveAction(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("corrective action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    due_at = models.DateTimeField(_("due"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verification = models.TextField(_("verification"), blank=True)
    effective = models.BooleanField(null=True, blank=True)

    def __str__(self) -> str:
        return self.description[:50]
