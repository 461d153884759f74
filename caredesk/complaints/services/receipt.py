"""Receiving a complaint (受理) and acknowledging it: who registers it (a hotline agent from a
400 call, a manager from an escalation letter, staff from a ticket, a service manager from a
low survey score), what it is about (tickets, the complainant's words verbatim, the remedy
sought, the initial assessment), who handles it and by when."""

import datetime as dt
import uuid

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.directory import refdata
from caredesk.directory.models import Organisation, Person, Role
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind
from caredesk.inputs import moment_problem
from caredesk.tickets.models import Ticket
from caredesk.tickets.rules import Limits

from .. import policy, selectors
from ..models import (
    Category,
    Channel,
    Complaint,
    ComplaintTicket,
    DeadlineKind,
    EntryKind,
    Impact,
    Severity,
    Source,
    Status,
)
from . import _base, deadlines

MAX_TICKETS = 20
MAX_BACKDATE = dt.timedelta(days=30)  # a letter received some days before it is registered
DEFAULT_CHANNEL = {
    Source.HOTLINE: Channel.PHONE,
    Source.LETTER: Channel.LETTER,
    Source.TICKET: Channel.PHONE,
    Source.SURVEY: Channel.PORTAL,
}


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise Invalid(fields={field: str(_("Choose one of the listed values."))})
    return value


def _category(category: Category, subcategory: Category | None) -> None:
    if category is None or not category.active or category.parent_id is not None:
        raise Invalid(fields={"category": str(_("Choose a category of the taxonomy."))})
    if subcategory is not None and (not subcategory.active or subcategory.parent_id != category.pk):
        raise Invalid(fields={"subcategory": str(_("Choose a sub-category of that category."))})


def _complainant(
    customer_org: Organisation, person: Person | None, name: str, phone: str
) -> tuple[str, str]:
    """A contact of the customer (or of its province), or a free name and phone."""
    if person is not None:
        tree = set(refdata.lineage(customer_org.pk)) | set(refdata.subtree(customer_org.pk))
        if person.role != Role.CUSTOMER_CONTACT or person.organisation_id not in tree:
            raise Invalid(fields={"complainant": str(_("Choose a contact of this customer."))})
        return name.strip() or person.name, phone.strip() or person.phone
    name = _base.text(name, "complainant_name", required=True, limit=100)
    phone = _base.text(phone, "complainant_phone", required=False, limit=32)
    return name, phone


@transaction.atomic
def open_complaint(
    *,
    actor: Person,
    source: str,
    tickets: list[Ticket],
    words: str,
    remedy_sought: str,
    severity: str,
    impact: str,
    category: Category,
    subcategory: Category | None = None,
    channel: str = "",
    complainant: Person | None = None,
    complainant_name: str = "",
    complainant_phone: str = "",
    customer_org: Organisation | None = None,
    received_at: dt.datetime | None = None,
    source_ref: str = "",
    handler: Person | None = None,
) -> Complaint:
    """Register a complaint about one or more tickets. The handler defaults to the service
    manager assigned to the customer of the first ticket; the hotline agent who registers
    it is never its handler. Deadlines are set on the business calendar from the received
    time; the handler is told, and the complainant gets the complaint's number and who
    handles it."""
    _choice(source, Source, "source")
    tickets = list(dict.fromkeys(tickets))
    if not tickets:
        raise Invalid(fields={"tickets": str(_("Link the complaint to at least one ticket."))})
    if len(tickets) > MAX_TICKETS:
        raise Invalid(fields={"tickets": str(_("Too many tickets."))})
    policy.check_register(actor, tickets)
    main = tickets[0]
    customer_org = customer_org or main.customer_org
    tree = refdata.subtree(customer_org.pk)
    if any(t.customer_org_id not in tree for t in tickets):
        raise Invalid(fields={"tickets": str(_("Link tickets of this customer only."))})
    channel = _choice(channel or DEFAULT_CHANNEL[source], Channel, "channel")
    _choice(severity, Severity, "severity")
    _choice(impact, Impact, "impact")
    _category(category, subcategory)
    words = _base.text(words, "words", required=True, limit=Limits.TEXT)
    remedy = _base.text(remedy_sought, "remedy_sought", required=True, limit=Limits.REASON)
    source_ref = _base.text(source_ref, "source_ref", required=False, limit=100)
    name, phone = _complainant(customer_org, complainant, complainant_name, complainant_phone)
    now = clock.now()
    received = received_at or now
    if problem := moment_problem(received):
        raise Invalid(fields={"received_at": problem})
    if received > now or received < now - MAX_BACKDATE:
        raise Invalid(fields={"received_at": str(_("Give a time within the last 30 days."))})
    handler = handler or selectors.default_handler(main)
    if handler is None:
        raise Invalid(fields={"handler": str(_("Nobody can handle it: name a handler."))})
    policy.check_handler(handler, main.office_id, actor)
    due = deadlines.compute(severity, received)
    complaint = Complaint.objects.create(
        # Unique until the row's id gives the real number, a moment later in this transaction.
        number=f"~{uuid.uuid4().hex[:19]}",
        source=source,
        source_ref=source_ref,
        channel=channel,
        customer_org=customer_org,
        office_id=main.office_id,
        complainant=complainant,
        complainant_name=name,
        complainant_phone=phone,
        received_at=received,
        registered_by=actor,
        words=words,
        remedy_sought=remedy,
        severity=severity,
        impact=impact,
        category=category,
        subcategory=subcategory,
        handler=handler,
        acknowledge_due=due[DeadlineKind.ACKNOWLEDGE],
        callback_due=due[DeadlineKind.CALLBACK],
        resolve_due=due[DeadlineKind.RESOLVE],
        next_due=due[DeadlineKind.ACKNOWLEDGE],
        created_at=now,
        updated_at=now,
    )
    complaint.number = f"CP-{received.year}-{complaint.pk:06d}"
    complaint.save(update_fields=["number"])
    ComplaintTicket.objects.bulk_create(
        [ComplaintTicket(complaint=complaint, ticket=t, position=i) for i, t in enumerate(tickets)]
    )
    for deadline in deadlines.FIELDS:
        deadlines.schedule(complaint, deadline)
    _base.tell_staff(
        complaint,
        handler,
        "complaint_assigned",
        "assigned",
        acknowledge_due=_base.local(complaint.acknowledge_due),
        words=words,
    )
    told = _base.tell_complainant(complaint, "complaint_received", "received")
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.RECEIVED,
        event=EventKind.COMPLAINT_OPENED,
        body=words,
        data={"source": source, "handler_name": handler.name, "told": told},
        action="complaint.open",
        before=None,
    )
    return complaint


@transaction.atomic
def acknowledge(*, actor: Person, complaint: Complaint, version: int | None = None) -> Complaint:
    """The handler takes the complaint on (确认受理); the complainant is told who handles it
    and when they will be called back."""
    complaint = _base.lock(complaint, version)
    policy.check_handle(actor, complaint)
    _base.require(complaint, {Status.RECEIVED})
    before = _base.snapshot(complaint)
    complaint.status, complaint.acknowledged_at = Status.IN_PROGRESS, clock.now()
    met = deadlines.settle(complaint, DeadlineKind.ACKNOWLEDGE)
    _base.save(complaint, "status", "acknowledged_at", "next_due")
    told = _base.tell_complainant(
        complaint,
        "complaint_acknowledged",
        "acknowledged",
        callback_due=_base.local(complaint.callback_due),
    )
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.ACKNOWLEDGED,
        event=EventKind.COMPLAINT_ACKNOWLEDGED,
        data={"told": told},
        event_data={"answered": met},
        action="complaint.acknowledge",
        before=before,
    )
    return complaint
