"""Reads of site visits shared by the pages and the API. A visit is seen by whoever may see its
ticket; a visit one may not see is not found."""

from django.db.models import Q, QuerySet

from caredesk.directory import refdata
from caredesk.directory.models import OWNER_ROLES, Person
from caredesk.errors import NotFound
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import Ticket

from ..models import Visit
from . import policy

RELATED = ("ticket", "engineer", "next_step_owner", "confirmed_by", "planned_by")


def visits_of(ticket: Ticket) -> QuerySet[Visit]:
    """A ticket's visits, the reader having been allowed to see the ticket: latest first."""
    return ticket.visits.select_related(*RELATED).order_by("-planned_at", "-id")


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
