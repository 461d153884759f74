"""Reads of site visits shared by the pages, the API and the shift hand-over report. A visit is
seen by whoever may see its ticket; a visit one may not see is not found."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q

from caredesk.directory import refdata
from caredesk.directory.models import OWNER_ROLES, Person
from caredesk.errors import NotFound
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import Ticket

from ..models import Visit
from ..models.visits import LEFT_UNRESOLVED_Q
from . import policy

RELATED = ("ticket", "engineer", "next_step_owner", "confirmed_by", "planned_by")


def visits_of(ticket: Ticket) -> list[Visit]:
    """A ticket's visits, the reader having been allowed to see the ticket: latest first, each
    pointing at the ticket given (not a second copy of it read again)."""
    visits = list(Visit.objects.filter(ticket_id=ticket.pk).order_by("-planned_at", "-id"))
    # Most tickets have no visit: their people are read only when there is one, in one
    # statement for all (the four joins cost more to compile than the read of nothing).
    roles = [r for r in RELATED if r != "ticket"]
    ids = {getattr(v, f"{r}_id") for v in visits for r in roles} - {None}
    people = Person.objects.in_bulk(ids) if ids else {}
    for v in visits:
        v.ticket = ticket
        for r in roles:
            pk = getattr(v, f"{r}_id")
            if pk is not None:
                setattr(v, r, people[pk])
    return visits


def visit_for(person: Person, visit_id: int) -> Visit:
    """One visit the person may see (through its ticket), or NotFound."""
    visit = Visit.objects.select_related(*RELATED).filter(pk=visit_id).first()
    if visit is None or not ticket_policy.can_view(person, visit.ticket):
        raise NotFound()
    return visit


def engineer_candidates(ticket: Ticket) -> list[Person]:
    """Who may be sent on site for the ticket or take its next step (policy.works_it_now):
    its office's staff who can own tickets, and the partner engineer who owns it."""
    office = refdata.lineage(ticket.office_id)
    people = Person.objects.filter(role__in=OWNER_ROLES, is_active=True).filter(
        Q(organisation_id__in=office) | Q(pk=ticket.owner_id)
    )
    return [
        p
        for p in people.select_related("organisation").order_by("display_name", "username")
        if policy.works_it_now(p, ticket)
    ]


# ---------------------------------------------------------------- the shift hand-over report


@dataclass(frozen=True)
class LeftUnresolved:
    """A visit left unresolved (or needing parts), as a hand-over reads it at a moment."""

    visit: Visit  # with its ticket, engineer and next step's owner
    followed_up: bool  # someone was back on site since, or the ticket was resolved
    overdue: bool  # the next step's time has passed and nothing followed it

    @property
    def outstanding(self) -> bool:
        return not self.followed_up


def left_unresolved(
    *, customer_org_id: int, since: dt.datetime, until: dt.datetime, carry_over: bool = True
) -> list[LeftUnresolved]:
    """Visits to the customer's tickets — a province's include its branches' — left unresolved
    or needing parts between `since` and `until`, each with its next step (what, who, by when)
    and whether it is overdue at `until`. With `carry_over`, also the visits left before
    `since` whose next step is still outstanding at `until`: the incoming shift inherits them.
    A next step is answered when an engineer is back on site after it (arrived by `until`) or
    the ticket is resolved. Soonest due first; one query, whatever the number of rows."""
    later_arrival = Visit.objects.filter(
        ticket_id=OuterRef("ticket_id"),
        arrived_at__gt=OuterRef("left_at"),
        arrived_at__lte=until,
    )
    resolved_since = Q(ticket__resolved_at__gte=F("left_at"), ticket__resolved_at__lte=until)
    qs = (
        Visit.objects.filter(LEFT_UNRESOLVED_Q)
        .filter(ticket__customer_org_id__in=refdata.subtree(customer_org_id), left_at__lt=until)
        .annotate(back_on_site=Exists(later_arrival))
        .select_related("ticket__customer_org", "ticket__owner", *RELATED)
    )
    shown = Q(left_at__gte=since)
    if carry_over:
        shown |= Q(back_on_site=False) & ~resolved_since
    rows = []
    for visit in qs.filter(shown).order_by("next_step_due", "id"):
        resolved_at = visit.ticket.resolved_at
        followed = visit.back_on_site or (
            resolved_at is not None and visit.left_at <= resolved_at <= until
        )
        rows.append(
            LeftUnresolved(
                visit=visit,
                followed_up=followed,
                overdue=not followed and visit.next_step_due < until,
            )
        )
    return rows
