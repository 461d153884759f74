"""Reads of change requests shared by the pages, the API and the shift hand-over report. A
change one may not see is not found."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from caredesk.directory import refdata
from caredesk.directory.models import Person
from caredesk.errors import NotFound
from caredesk.tickets.models import Ticket
from caredesk.tickets.paging import decode_cursor, encode_cursor

from ..models import ACTIVE_STATUSES, ChangeRequest, ChangeStatus, ChangeTicket
from . import policy

RELATED = (
    "customer_org",
    "requester__organisation",
    "executor__organisation",
    "vendor_approver",
    "customer_approver",
    "rejected_by",
    "template",
)


@dataclass(frozen=True)
class ChangeFilters:
    customer_org: int | None = None
    status: str | None = None  # a status, or "active"
    element: str | None = None
    ticket: int | None = None


def changes_visible_to(person: Person, filters: ChangeFilters | None = None) -> QuerySet:
    f = filters or ChangeFilters()
    qs = ChangeRequest.objects.filter(policy.visible_filter(person))
    if f.customer_org:
        qs = qs.filter(customer_org_id__in=refdata.subtree(f.customer_org))
    if f.status == "active":
        qs = qs.filter(status__in=sorted(ACTIVE_STATUSES))
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.element:
        qs = qs.filter(targets__element=f.element)
    if f.ticket:
        qs = qs.filter(ticket_links__ticket_id=f.ticket)
    return qs.select_related(*RELATED).prefetch_related("targets", "tickets")


def change_page(
    person: Person, filters: ChangeFilters, cursor: str | None, limit: int
) -> tuple[list[ChangeRequest], str | None]:
    """Newest first, by an id cursor (stable under inserts)."""
    qs = changes_visible_to(person, filters).order_by("-id")
    if cursor:
        qs = qs.filter(id__lt=decode_cursor(cursor))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].id) if more and rows else None)


def change_for(person: Person, change_id: int) -> ChangeRequest:
    """One change the person may see, or NotFound."""
    change = (
        ChangeRequest.objects.select_related(*RELATED)
        .prefetch_related("targets", "tickets")
        .filter(pk=change_id)
        .first()
    )
    if change is None or not policy.can_view(person, change):
        raise NotFound()
    return change


def changes_of_ticket(person: Person, ticket: Ticket) -> list[ChangeRequest]:
    """The changes linked to a ticket the person sees, as far as the person may see them."""
    # Most tickets have no change: one small read of the links says so, before the
    # visibility filter and its joins are built (bench/peer.md: the ticket page's costliest
    # statement to compile).
    linked = list(ChangeTicket.objects.filter(ticket_id=ticket.pk).values_list("change_id"))
    if not linked:
        return []
    return list(
        changes_visible_to(person)
        .filter(pk__in=[pk for (pk,) in linked])
        .order_by("-window_start", "-id")
    )


def approvers_for(change: ChangeRequest) -> list[Person]:
    """Who may approve for the vendor office (their own change excepted): shown on the page."""
    ids: list[int] = []
    for role in policy.APPROVER_ROLES:
        for pk in refdata.role_holders(
            role,
            customer_org_id=change.customer_org_id,
            region_id=change.region_id,
            product_id=change.product_id,
        ):
            if pk not in ids:
                ids.append(pk)
    if change.region_id is not None:
        region = refdata.region(pk=change.region_id)
        if (
            region is not None
            and region.service_manager_id
            and region.service_manager_id not in ids
        ):
            ids.append(region.service_manager_id)
    people = Person.objects.in_bulk(ids)
    return [
        people[pk]
        for pk in ids
        if pk in people and people[pk].is_active and not policy.is_own(people[pk], change)
    ]


# ---------------------------------------------------------------- the shift hand-over report


def _of_customer(customer_org_id: int) -> QuerySet:
    return ChangeRequest.objects.filter(
        customer_org_id__in=refdata.subtree(customer_org_id)
    ).select_related(*RELATED)


def in_progress(*, customer_org_id: int, at: dt.datetime) -> list[ChangeRequest]:
    """Changes under way at `at` (started, not yet ended): the incoming shift inherits them."""
    return list(
        _of_customer(customer_org_id)
        .filter(started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .exclude(status__in=[ChangeStatus.CANCELLED, ChangeStatus.REJECTED])
        .prefetch_related("targets")
        .order_by("window_end", "id")
    )


def ended_between(*, customer_org_id: int, since: dt.datetime, until: dt.datetime) -> list:
    """Changes that ended (done, rolled back, failed) in the last shift."""
    return list(
        _of_customer(customer_org_id)
        .filter(
            ended_at__gte=since,
            ended_at__lt=until,
            status__in=[ChangeStatus.DONE, ChangeStatus.ROLLED_BACK, ChangeStatus.FAILED],
        )
        .prefetch_related("targets")
        .order_by("ended_at", "id")
    )


def due_between(*, customer_org_id: int, since: dt.datetime, until: dt.datetime) -> list:
    """Changes whose window opens in the next shift and that have not started."""
    return list(
        _of_customer(customer_org_id)
        .filter(
            window_start__gte=since,
            window_start__lt=until,
            started_at__isnull=True,
            status__in=[ChangeStatus.SUBMITTED, ChangeStatus.APPROVED],
        )
        .prefetch_related("targets")
        .order_by("window_start", "id")
    )
