"""Read queries shared by the pages and the API. Every one starts from what the reader may see."""

import dataclasses
from dataclasses import dataclass

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from caredesk.directory import refdata
from caredesk.directory.models import OWNER_ROLES, Person, Role
from caredesk.errors import NotFound, ValidationFailed

from . import policy, search, sorting
from .models import (
    OPEN_STATUSES,
    Conclusion,
    Handoff,
    HandoffStatus,
    Status,
    Ticket,
    TimelineEntry,
)
from .paging import attach_reference, page_of

# Everything a list row shows (API items carry the requester's name), fetched in the page's
# one query.
# People are joined; organisations, products and regions come from the cached catalogue
# (attach_reference).
LIST_RELATED = ("owner", "requester")


def status_is(statuses: list[str]) -> RawSQL:
    """A status filter written as literal SQL, the very text of the partial indexes' conditions
    (models.OPEN_Q, the resolved-by-customer index): SQLite uses a partial index only when the
    query repeats its condition with the same constants, not with bound parameters. Only names
    from Status ever reach it, never user input; the column is left unqualified so the filter
    survives Django aliasing the table in a subquery (no table joined here has a status)."""
    if not set(statuses) <= set(Status.values):
        raise ValueError(statuses)
    quoted = ", ".join(f"'{s}'" for s in sorted(statuses))
    sql = f'"status" = {quoted}' if len(statuses) == 1 else f'"status" IN ({quoted})'
    return RawSQL(sql, (), output_field=BooleanField())


@dataclass(frozen=True)
class TicketFilters:
    status: str | None = None
    owner: int | None = None
    customer_org: int | None = None
    product: int | None = None
    severity: str | None = None
    team: list[int] | None = None
    q: str | None = None


def tickets_visible_to(person: Person, filters: TicketFilters | None = None) -> QuerySet[Ticket]:
    """Tickets the person may see, narrowed by filters, newest first."""
    qs = policy.visible_tickets(person).select_related(*LIST_RELATED)
    f = filters or TicketFilters()
    if f.status == "open":
        # The open statuses, not "neither resolved nor closed", which no index serves.
        qs = qs.filter(status_is(list(OPEN_STATUSES)))
    elif f.status in Status.values:
        qs = qs.filter(status_is([f.status]))
    elif f.status:
        qs = qs.filter(status=f.status)  # no such status: nothing
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.customer_org:
        qs = qs.filter(customer_org_id=f.customer_org)
    if f.product:
        qs = qs.filter(product_id=f.product)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.team is not None:
        qs = qs.filter(team_id__in=f.team)
    if f.q and f.q.strip():
        # Pages of search results should come from search.page(), which walks the index in
        # chunks; this keeps any other caller correct.
        qs = qs.filter(search.matches_filter(f.q, public_only=person.is_customer))
    return qs.order_by("-id")


def ticket_page(
    person: Person, filters: TicketFilters, cursor: str | None, limit: int, sort: str = "newest"
) -> tuple[list[Ticket], str | None]:
    """A page of a list (portal, API): searched through the index when there is a query, else
    straight from tickets_visible_to; newest first by the id cursor unless `sort` names another
    order (sorting.SORTS), whose cursors are keyset cursors."""
    searching = bool(filters.q and filters.q.strip())
    if searching and sort != "newest":
        raise ValidationFailed(fields={"sort": "Search results come newest first."})
    if sort not in sorting.sorts_for(shows_open_only(filters)):
        raise ValidationFailed(
            fields={"sort": "Lists with resolved or closed tickets come newest or oldest first."}
        )
    if searching:
        return _search(person, filters, cursor, limit)
    if sort == "newest":
        return page_of(tickets_visible_to(person, filters), cursor, limit)
    found = list_page(person, filters, sort=sort, cursor=cursor, limit=limit)
    return found.rows, found.next_cursor


def _search(
    person: Person, filters: TicketFilters, cursor: str | None, limit: int
) -> tuple[list[Ticket], str | None]:
    """A page of search results: the index walked over what `person` may see under the other
    filters, public words only for customers."""
    base = tickets_visible_to(person, dataclasses.replace(filters, q=None))
    return search.page(
        base, filters.q or "", public_only=person.is_customer, cursor=cursor, limit=limit
    )


def shows_open_only(filters: TicketFilters) -> bool:
    return filters.status == "open" or filters.status in OPEN_STATUSES


def list_page(
    person: Person,
    filters: TicketFilters,
    *,
    sort: str,
    limit: int,
    cursor: str | None = None,
    page: int | None = None,
) -> sorting.Page:
    """A page of the staff queue in the order asked for (sorting.SORTS; lists with closed
    tickets newest first whatever was asked), after `cursor` or by page number. Search
    results come newest first, as the index walks them."""
    if filters.q and filters.q.strip():
        return _search_page(person, filters, cursor, page, limit)
    qs, sort = sorted_tickets(person, filters, sort)
    rows, next_cursor, number = sorting.read_page(qs, sorting.SORTS[sort], cursor, page, limit)
    return sorting.Page(attach_reference(rows), next_cursor, number, sort)


def sorted_tickets(
    person: Person, filters: TicketFilters, sort: str
) -> tuple[QuerySet[Ticket], str]:
    """tickets_visible_to in `sort` order, or newest first where the list may not be read in
    it (sorting.sorts_for); with the order it is in."""
    if sort not in sorting.sorts_for(shows_open_only(filters)):
        sort = "newest"
    qs = tickets_visible_to(person, filters)
    if sort == "urgency" and filters.status != "open":
        # One open status: repeat the open condition too, so the open queue's partial index
        # in urgency order serves it (SQLite matches a partial index's condition literally).
        qs = qs.filter(status_is(list(OPEN_STATUSES)))
    if sort == "status":
        # The condition of the open-by-status index (models.OPEN_BY_STATUS_Q), literally.
        qs = qs.filter(RawSQL('"urgency" >= 0', (), output_field=BooleanField()))
    return qs.order_by(*sorting.SORTS[sort].order_by()), sort


def _search_page(
    person: Person, filters: TicketFilters, cursor: str | None, page: int | None, limit: int
) -> sorting.Page:
    number = 1
    if cursor:
        cursor, number = _unwrap_search_cursor(cursor)
    else:
        # A page asked for by number: walk the index to it (at most sorting.MAX_PAGE pages).
        for _ in range((page or 1) - 1):
            _rows, cursor = _search(person, filters, cursor, limit)
            number += 1
            if cursor is None:
                return sorting.Page([], None, number, "newest")
    rows, next_cursor = _search(person, filters, cursor, limit)
    wrapped = f"{number + 1}.{next_cursor}" if next_cursor else None
    return sorting.Page(rows, wrapped, number, "newest")


def _unwrap_search_cursor(cursor: str) -> tuple[str, int]:
    """The queue's search cursors carry the page number before the index's own cursor."""
    number, sep, inner = cursor.partition(".")
    if not sep or not number.isdigit() or int(number) < 2:
        raise ValidationFailed(fields={"cursor": str(_("Not a page link this list gave out."))})
    return inner, int(number)


def ticket_for(person: Person, ticket_id: int | None = None, number: str | None = None) -> Ticket:
    """One ticket the person may see, or NotFound (also when it exists but is not theirs)."""
    # Read by key, then asked about in memory (policy.can_view says what the list filter
    # says): a plain primary-key or number lookup instead of the filter's OR-EXISTS query.
    qs = Ticket.objects.select_related(*LIST_RELATED, "team", "created_by")
    lookup = {"pk": ticket_id} if ticket_id is not None else {"number": number}
    found = list(qs.filter(**lookup)[:1])
    ticket = found[0] if found else None
    if ticket is None or not policy.can_view(person, ticket):
        raise NotFound()
    attach_reference([ticket])
    ticket.office = refdata.organisation(ticket.office_id)
    return ticket


def timeline_for(person: Person, ticket: Ticket) -> QuerySet[TimelineEntry]:
    """Customers read the public timeline; staff read everything."""
    qs = ticket.timeline.select_related("actor").order_by("at", "id")
    return qs if policy.sees_internal(person) else qs.filter(public=True)


def pending_handoff(ticket: Ticket) -> Handoff | None:
    # At most one row (a partial unique index): no ordering needed.
    found = Handoff.objects.filter(ticket_id=ticket.pk, status=HandoffStatus.PENDING)
    found = list(found.select_related("to_person", "from_person")[:1])
    return found[0] if found else None


def handoff_for(person: Person, handoff_id: int) -> Handoff:
    handoff = Handoff.objects.select_related("ticket").filter(pk=handoff_id).first()
    if handoff is None or not policy.can_view(person, handoff.ticket):
        raise NotFound()
    return handoff


def handoffs_waiting_for(person: Person) -> QuerySet[Handoff]:
    return (
        Handoff.objects.filter(to_person=person, status=HandoffStatus.PENDING)
        .select_related("ticket", "from_person", "ticket__customer_org")
        .order_by("created_at")
    )


def conclusions_of(ticket: Ticket) -> QuerySet[Conclusion]:
    return ticket.conclusions.select_related("author").order_by("-version")


def handoff_candidates(ticket: Ticket) -> QuerySet[Person]:
    """Colleagues who can take the ticket: active owners-to-be of the serving office, its
    parents and partners (never customers)."""
    return (
        Person.objects.filter(role__in=OWNER_ROLES, is_active=True)
        .exclude(pk=ticket.owner_id)
        .select_related("organisation")
        .order_by("organisation__name", "display_name", "username")
    )


def _matrix_people(ticket: Ticket) -> tuple[int | None, int | None, int | None, dict]:
    """refdata.matrix_ids for the ticket (primary, backup, service manager) and those people,
    read in one query and kept on the ticket object for the rest of the request."""
    found = getattr(ticket, "_matrix_people", None)
    if found is None:
        ids = refdata.matrix_ids(ticket.product_id, ticket.region_id)
        wanted = [pk for pk in ids if pk is not None]
        found = (*ids, Person.objects.in_bulk(wanted) if wanted else {})
        ticket._matrix_people = found
    return found


# The escalation ladder the customer is given (seed case 2's remedy), in the order to call.
LADDER = ("owner", "backup", "service_manager", "product_leader", "spm", "account_head")


@dataclass(frozen=True)
class Contact:
    role: str  # the first rung the person stands on
    person: Person
    roles: tuple[str, ...]  # every rung they stand on for this ticket


def backup_for(ticket: Ticket) -> Person | None:
    """The matrix's second name for the ticket: its backup, or its primary when the backup
    owns it now — never the owner."""
    primary, backup, _manager, people = _matrix_people(ticket)
    person = people.get(backup)
    if person is not None and person.is_active and person.pk != ticket.owner_id:
        return person
    person = people.get(primary)
    if person is not None and person.is_active and person.pk != ticket.owner_id:
        return person
    return None


def _assigned(ticket: Ticket, role: str) -> list[int]:
    return refdata.role_holders(
        role,
        customer_org_id=ticket.customer_org_id,
        region_id=ticket.region_id,
        product_id=ticket.product_id,
    )


def ladder_holder(ticket: Ticket, role: str, people: dict[int, Person] | None = None):
    """Who stands on a ladder rung above the engineers for this ticket: the most specific role
    assignment for its customer (inherited from the province), region and product; for the
    service manager the region's own when none is assigned; else — an office that has not
    assigned the role yet — the first active person of the serving office whose role it is.
    `people` may hold the assigned people already read."""
    ids = _assigned(ticket, role)
    if ids:
        people = people if people is not None else Person.objects.in_bulk(ids)
        for pk in ids:
            if pk in people and people[pk].is_active:
                return people[pk]
    if role == Role.SERVICE_MANAGER:
        _primary, _backup, manager, matrix = _matrix_people(ticket)
        if manager in matrix and matrix[manager].is_active:
            return matrix[manager]
    return (
        Person.objects.filter(role=role, is_active=True, organisation_id=ticket.office_id)
        .order_by("pk")
        .first()
    )


def escalation_contacts(ticket: Ticket) -> list[Contact]:
    """The whole ladder for the customer, each person once (on their first rung, with every
    rung they hold): owner, backup, service manager, product leader (of the ticket's product),
    SPM, account head."""
    upper = LADDER[2:]
    wanted = {pk for role in upper for pk in _assigned(ticket, role)}
    people = Person.objects.in_bulk(wanted) if wanted else {}
    found: dict[int, list] = {}
    for role in LADDER:
        if role == "owner":
            person = ticket.owner
        elif role == "backup":
            person = backup_for(ticket)
        else:
            person = ladder_holder(ticket, role, people)
        if person is None or not person.is_active:
            continue
        found.setdefault(person.pk, [person, []])[1].append(role)
    return [Contact(role=roles[0], person=p, roles=tuple(roles)) for p, roles in found.values()]


def matrix_owner_elsewhere(ticket: Ticket) -> Person | None:
    """The matrix's primary for the ticket's product and region, when that is not already its
    owner (the page's hint, and the hand-off form's first choice)."""
    primary, _backup, _manager, people = _matrix_people(ticket)
    return people.get(primary) if primary != ticket.owner_id else None
