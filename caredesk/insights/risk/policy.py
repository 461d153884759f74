"""Who reads risk scores and who answers an alert.

- The score of a ticket, its reasons and its alerts are read by staff who may see the ticket
  (the tickets' own policy: an office's staff, HQ, a partner working it). Never by a customer:
  for them it does not exist (not found) — a score says what we think of them.
- An alert is acknowledged by the service manager it went to, whoever it was escalated to, or
  a manager of the ticket's office (service manager, administrator: they may step in on any
  of its tickets, as on the ticket itself).
"""

from django.db.models import Q

from caredesk.directory.models import Person
from caredesk.errors import NotFound, PermissionDenied
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import Ticket


def may_use(person: Person) -> bool:
    """Whether the early warning exists for the person at all (the page, the navigation)."""
    return (
        person.is_authenticated
        and person.is_active
        and person.organisation_id is not None
        and ticket_policy.is_staff_member(person)
    )


def ticket_filter(person: Person) -> Q:
    if not may_use(person):
        return Q(pk__in=[])
    return ticket_policy.visible_filter(person)


def can_read(person: Person, ticket: Ticket) -> bool:
    return may_use(person) and ticket_policy.can_view(person, ticket)


def check_read(person: Person, ticket: Ticket) -> None:
    if not can_read(person, ticket):
        raise NotFound()


def check_acknowledge(person: Person, alert, ticket: Ticket) -> None:
    """NotFound when the ticket is not theirs to read; PermissionDenied when they may read it
    but the alert is not theirs to answer."""
    check_read(person, ticket)
    if person.pk in (alert.manager_id, alert.escalated_to_id):
        return
    if not ticket_policy.is_manager_of(person, ticket):
        raise PermissionDenied()
