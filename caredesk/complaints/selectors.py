"""Reads of complaints shared by the pages and the API: one complaint by key (checked in
memory), the queue ordered by deadline, a ticket's complaints for its banner, a person's
history, and the hotline's registration search. A complaint one may not see is not found."""

import datetime as dt

from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from caredesk.directory import refdata
from caredesk.directory.models import OFFICE_ROLES, Person, Role
from caredesk.directory.phones import phone_key
from caredesk.errors import NotFound, ValidationFailed
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets import selectors as ticket_selectors
from caredesk.tickets.models import OPEN_STATUSES as TICKET_OPEN
from caredesk.tickets.models import Handoff, HandoffStatus, Ticket

from . import policy
from .models import OPEN_STATUSES, Category, Complaint, ComplaintEntry, ComplaintTicket

RELATED = (
    "customer_org",
    "handler",
    "registered_by",
    "complainant",
    "category",
    "subcategory",
    "root_cause",
)
QUEUE_SIZE = 50


def visible_complaints(person: Person) -> QuerySet[Complaint]:
    return Complaint.objects.filter(policy.visible_filter(person))


def complaint_for(person: Person, complaint_id: int | None = None, number: str = "") -> Complaint:
    """One complaint the person may see, or NotFound."""
    lookup = {"pk": complaint_id} if complaint_id is not None else {"number": number}
    found = Complaint.objects.select_related(*RELATED).filter(**lookup).first()
    if found is None or not policy.can_view(person, found):
        raise NotFound()
    return found


def tickets_of(complaint: Complaint) -> list[Ticket]:
    """The linked tickets, the main (first linked) one first."""
    return [
        link.ticket
        for link in complaint.links.select_related("ticket", "ticket__owner").order_by(
            "position", "id"
        )
    ]


def main_ticket(complaint: Complaint) -> Ticket:
    link = complaint.links.select_related("ticket").order_by("position", "id").first()
    return link.ticket


def timeline_for(person: Person, complaint: Complaint) -> QuerySet[ComplaintEntry]:
    """Staff read every entry; customers never the internal ones (investigation notes,
    reminders, the draft awaiting approval)."""
    qs = complaint.timeline.select_related("actor").order_by("at", "id")
    return qs if policy.sees_internal(person) else qs.filter(internal=False)


def default_handler(ticket: Ticket) -> Person | None:
    """The service manager assigned to the ticket's customer (role assignments; the region's
    own when none is assigned)."""
    return ticket_selectors.ladder_holder(ticket, Role.SERVICE_MANAGER)


def approver_for(complaint: Complaint, ticket: Ticket | None = None) -> Person | None:
    """The handler's manager: the first holder of a rung above the handler's own on the main
    ticket's ladder (service manager → SPM → account head); None when nobody stands above."""
    ticket = ticket or main_ticket(complaint)
    holders = [ticket_selectors.ladder_holder(ticket, role) for role in policy.APPROVAL_LADDER]
    own = next(
        (i for i, p in enumerate(holders) if p is not None and p.pk == complaint.handler_id), -1
    )
    for person in holders[own + 1 :]:
        if person is not None and person.pk != complaint.handler_id and person.is_active:
            return person
    return None


def _open_literally() -> RawSQL:
    """The open statuses as literal SQL, the very text of the queue indexes' condition
    (models.QUEUED_Q): SQLite uses a partial index only when the query repeats its condition
    with the same constants, not with bound parameters (as tickets.selectors.status_is).
    Only names from Status reach it."""
    quoted = ", ".join(f"'{s}'" for s in sorted(OPEN_STATUSES))
    sql = f'"complaints_complaint"."status" IN ({quoted})'
    return RawSQL(sql, (), output_field=BooleanField())


def queue(
    person: Person,
    *,
    scope: str = "mine",
    status: str = "open",
    category: str = "",
    severity: str = "",
    after: tuple | None = None,
    limit: int = QUEUE_SIZE,
) -> list[Complaint]:
    """Complaints the person may see: open ones nearest deadline first (those with no
    deadline left last), others latest received first. `scope` "mine" keeps the ones they
    handle, "all" every one they may see. `after` is the sort key of the last row of the page
    before (keyset paging: a page costs the same whatever the number of rows)."""
    qs = visible_complaints(person)
    if scope == "mine":
        qs = qs.filter(handler=person)
    if status == "open":
        qs = qs.filter(_open_literally())
    elif status and status != "all":
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(Q(category__code=category) | Q(subcategory__code=category))
    if severity:
        qs = qs.filter(severity=severity)
    if status != "open":
        if after is not None:
            received, pk = after
            qs = qs.filter(Q(received_at__lt=received) | Q(received_at=received, pk__lt=pk))
        return list(qs.select_related(*RELATED).order_by("-received_at", "-id")[:limit])
    # Open: those with a deadline left by deadline (a partial index in page order), then
    # those with none left (answered, waiting for the call-back) by id.
    due, pk = after if after is not None else (None, None)
    rows: list[Complaint] = []
    if after is None or due is not None:
        dated = qs.filter(next_due__isnull=False)
        if after is not None:
            dated = dated.filter(Q(next_due__gt=due) | Q(next_due=due, pk__gt=pk))
        rows = _by_deadline(person, dated, scope, limit)
    if len(rows) < limit:
        undated = qs.filter(next_due__isnull=True)
        if after is not None and due is None:
            undated = undated.filter(pk__gt=pk)
        rows += list(undated.select_related(*RELATED).order_by("id")[: limit - len(rows)])
    return rows


def _by_deadline(person: Person, dated: QuerySet, scope: str, limit: int) -> list[Complaint]:
    """The first `limit` rows by (next_due, id). An office's whole queue is read office by
    office (and the reader's own complaints elsewhere), each one page from the office's
    index, and merged: one sort over every open complaint of a region would grow with them."""
    ordered = dated.select_related(*RELATED).order_by("next_due", "id")
    if scope == "mine" or person.role not in OFFICE_ROLES or person.role == Role.HOTLINE_AGENT:
        return list(ordered[:limit])
    parts = [ordered.filter(office_id=office) for office in refdata.subtree(person.organisation_id)]
    parts.append(ordered.filter(handler=person))
    found = {c.pk: c for part in parts for c in part[:limit]}
    return sorted(found.values(), key=lambda c: (c.next_due, c.pk))[:limit]


def parse_cursor(text: str | None, status: str) -> tuple | None:
    """The key `queue(after=…)` continues from, out of a page's next cursor."""
    if not text:
        return None
    try:
        moment, _, pk = text.rpartition("|")
        when = dt.datetime.fromisoformat(moment) if moment != "-" else None
        if (when is None and status != "open") or (when is not None and when.tzinfo is None):
            raise ValueError(text)
        return when, int(pk)
    except ValueError as exc:
        raise ValidationFailed(fields={"cursor": "Give the next_cursor of a page."}) from exc


def cursor_of(complaint: Complaint, status: str) -> str:
    """The next cursor after `complaint`, in the order of `status`'s list."""
    when = complaint.next_due if status == "open" else complaint.received_at
    return f"{when.isoformat() if when else '-'}|{complaint.pk}"


def on_ticket(person: Person, ticket: Ticket) -> list[Complaint]:
    """The complaints about a ticket the reader may see (the banner on its page): open ones
    first."""
    # Most tickets have no complaint: one small read of the links says so before the
    # visibility filter is built.
    linked = list(ComplaintTicket.objects.filter(ticket_id=ticket.pk).values_list("complaint_id"))
    if not linked:
        return []
    qs = visible_complaints(person).filter(pk__in=[pk for (pk,) in linked])
    return sorted(qs.select_related("handler"), key=lambda c: (not c.is_open, -c.pk))


def history_of(reader: Person, subject: Person, limit: int = 200) -> list[Complaint]:
    """Complaints about the work of `subject` (an engineer or partner engineer): linked to a
    ticket they own, or owned before handing it on — as far as the reader may see them,
    latest first. Read from the subject's tickets, so its cost follows their work, not the
    number of complaints there are."""
    handed_on = Handoff.objects.filter(
        from_person=subject, status=HandoffStatus.ACCEPTED
    ).values_list("ticket_id", flat=True)
    tickets = Ticket.objects.filter(Q(owner=subject) | Q(pk__in=handed_on)).values_list(
        "pk", flat=True
    )
    ids = list(
        ComplaintTicket.objects.filter(ticket_id__in=tickets)
        .order_by("-complaint_id")
        .values_list("complaint_id", flat=True)[: limit * 2]
    )
    qs = visible_complaints(reader).filter(pk__in=ids).select_related(*RELATED)
    return sorted(qs, key=lambda c: (c.received_at, c.pk), reverse=True)[:limit]


def categories(*, roots_only: bool = False) -> list[Category]:
    qs = Category.objects.filter(active=True).select_related("parent")
    if roots_only:
        qs = qs.filter(parent__isnull=True)
    return list(qs.order_by("order", "code"))


def registration_search(person: Person, query: str, limit: int = 20) -> dict:
    """The hotline's search from a phone call: a phone number finds the customer contacts
    with it and their organisations' open tickets; a ticket number finds that ticket. Only
    tickets the agent may see."""
    query = (query or "").strip()
    digits = "".join(ch for ch in query if ch.isdigit())
    contacts: list[Person] = []
    tickets: list[Ticket] = []
    if not query:
        return {"contacts": contacts, "tickets": tickets}
    visible = ticket_policy.visible_tickets(person).select_related(
        "owner", "customer_org", "requester"
    )
    by_number = list(visible.filter(number__iexact=query)[:1])
    if by_number:
        return {"contacts": [], "tickets": by_number}
    key = phone_key(query)
    if len(digits) >= 4 and key:
        contacts = list(
            Person.objects.filter(role=Role.CUSTOMER_CONTACT, is_active=True, phone_key=key)
            .select_related("organisation")
            .order_by("pk")[:limit]
        )
        orgs = {p.organisation_id for p in contacts}
        tickets = list(
            visible.filter(
                Q(requester__in=contacts) | Q(customer_org_id__in=orgs),
                status__in=sorted(TICKET_OPEN),
            ).order_by("-created_at")[:limit]
        )
    if not tickets and len(digits) >= 4:
        tickets = list(visible.filter(number__contains=digits).order_by("-created_at")[:limit])
    return {"contacts": contacts, "tickets": tickets}
