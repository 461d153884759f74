"""Who may see and do what with site visits. A visit is seen by whoever may see its ticket
(caredesk.tickets.policy); what it adds is who plans, who records on site, who confirms.

- Planning: the ticket's owner, or the service manager of its office, while it is open.
- The engineer: staff who may see the ticket, or a partner engineer who owns it now — a
  partner works only what is handed to him (an accepted hand-off), never a ticket merely
  proposed to him or one handed on since.
- Recording the steps (on the way, arrived, left) and cancelling: the visit's engineer, or the
  office's service manager stepping in; the ticket's owner may also cancel a planned visit.
- Confirming the report: a contact of the ticket's customer (or of the province above it).
"""

from django.utils.translation import gettext_lazy as _

from caredesk.directory.models import Person, Role
from caredesk.errors import PermissionDenied
from caredesk.errors import ValidationFailed as Invalid
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import Ticket

from ..models import Visit

check_view = ticket_policy.check_view
check_customer_of = ticket_policy.check_customer_of


def works_it_now(person: Person, ticket: Ticket) -> bool:
    """Whether `person` may go on site for the ticket: staff who may see it, a partner engineer
    only while he owns it."""
    if not person.can_own_tickets:
        return False
    if person.role == Role.PARTNER_ENGINEER:
        return ticket.owner_id == person.pk
    return ticket_policy.can_view(person, ticket)


def can_plan(person: Person, ticket: Ticket) -> bool:
    """check_plan's answer, for showing the form (the ticket is one the person may see)."""
    return (ticket.owner_id == person.pk and works_it_now(person, ticket)) or (
        ticket_policy.is_manager_of(person, ticket)
    )


def check_plan(actor: Person, ticket: Ticket) -> None:
    check_view(actor, ticket)
    ticket_policy.check_owner_or_manager(actor, ticket)
    check_works_it_now(actor, ticket)


def check_works_it_now(actor: Person, ticket: Ticket) -> None:
    """A partner engineer acts on a ticket's visits only while it is handed to him (he owns
    it); one it is merely proposed to him does not count."""
    if actor.role == Role.PARTNER_ENGINEER and ticket.owner_id != actor.pk:
        raise PermissionDenied(_("A partner engineer records visits only on tickets he owns."))


def check_engineer(engineer: Person, ticket: Ticket, field: str = "engineer") -> None:
    if not works_it_now(engineer, ticket):
        raise Invalid(
            fields={
                field: str(
                    _(
                        "Choose a colleague who works this ticket: staff of its office, or the "
                        "partner engineer it is handed to."
                    )
                )
            }
        )


def can_record(person: Person, visit: Visit, ticket: Ticket) -> bool:
    """The visit's engineer (on site, from his phone) or the office's service manager."""
    if person.pk == visit.engineer_id:
        return works_it_now(person, ticket)
    return ticket_policy.is_manager_of(person, ticket)


def check_record(actor: Person, visit: Visit, ticket: Ticket) -> None:
    check_view(actor, ticket)
    check_works_it_now(actor, ticket)
    if not can_record(actor, visit, ticket):
        raise PermissionDenied(_("Only the visit's engineer or the service manager records it."))


def can_cancel(person: Person, visit: Visit, ticket: Ticket) -> bool:
    return can_record(person, visit, ticket) or (
        person.pk == ticket.owner_id and works_it_now(person, ticket)
    )


def check_cancel(actor: Person, visit: Visit, ticket: Ticket) -> None:
    check_view(actor, ticket)
    check_works_it_now(actor, ticket)
    if not can_cancel(actor, visit, ticket):
        raise PermissionDenied(_("Only the engineer, the owner or the service manager cancels."))


def sees_internal(person: Person) -> bool:
    """Staff read a visit whole; customers its report (no correction reasons, no internals)."""
    return ticket_policy.sees_internal(person)
