"""Who may see and do what with tickets. The API and the pages both ask here, nowhere else.

Seeing:
- customer contacts: tickets of their own organisation and of the organisations below it
  (a province contact also sees its city branches');
- partner engineers: their current work only — tickets they own, or that are proposed to them
  in a hand-off still pending (a declined or cancelled hand-off grants nothing; an accepted one
  made them the owner, for as long as they stay it);
- vendor-office staff: tickets served by their office or an office below it, and their current
  work wherever it is served.
Objects a person may not see are answered as "not found", so their existence never leaks.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from caredesk.directory import refdata
from caredesk.directory.models import OFFICE_ROLES, Person, Role
from caredesk.errors import NotFound, PermissionDenied

from .models import Handoff, HandoffStatus, Ticket

MANAGER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})


def visible_filter(person: Person) -> Q:
    """A Q over Ticket that keeps exactly the tickets `person` may see."""
    if not person.is_authenticated or not person.is_active or person.organisation_id is None:
        return Q(pk__in=[])
    if person.role == Role.CUSTOMER_CONTACT:
        return Q(customer_org_id__in=refdata.subtree(person.organisation_id))
    # Whoever owns a ticket or is being asked to take it over sees it, whatever their office.
    handed = Handoff.objects.filter(
        ticket=OuterRef("pk"), to_person=person, status=HandoffStatus.PENDING
    )
    assigned = Q(owner=person) | Q(Exists(handed))
    if person.role == Role.PARTNER_ENGINEER:
        return assigned
    if person.role in OFFICE_ROLES:
        return Q(office_id__in=refdata.subtree(person.organisation_id)) | assigned
    return Q(pk__in=[])


def visible_tickets(person: Person) -> QuerySet[Ticket]:
    return Ticket.objects.filter(visible_filter(person))


def can_view(person: Person, ticket: Ticket) -> bool:
    """visible_filter's answer for one loaded ticket: in memory where that is certain, by a
    query only for a hand-off pending to the person."""
    if not person.is_authenticated or not person.is_active or person.organisation_id is None:
        return False
    if person.role == Role.CUSTOMER_CONTACT:
        return ticket.customer_org_id in refdata.subtree(person.organisation_id)
    if person.role not in OFFICE_ROLES and person.role != Role.PARTNER_ENGINEER:
        return False
    if ticket.owner_id == person.pk:
        return True
    if person.role in OFFICE_ROLES and ticket.office_id in refdata.subtree(person.organisation_id):
        return True
    return Handoff.objects.filter(
        ticket_id=ticket.pk, to_person=person, status=HandoffStatus.PENDING
    ).exists()


def current_customers(person: Person) -> set[int]:
    """The customer organisations of the tickets a partner engineer holds now (owned, or
    pending to them): whose contacts the directory may show them."""
    if person.role != Role.PARTNER_ENGINEER:
        return set()
    return set(visible_tickets(person).values_list("customer_org_id", flat=True).distinct())


def check_view(person: Person, ticket: Ticket) -> None:
    if not can_view(person, ticket):
        raise NotFound()


def sees_internal(person: Person) -> bool:
    """Which audience a reader is: staff read internal entries and the pending hand-off (its
    reason, the proposed colleague and his phone); customers read only what is meant for
    them — the public timeline, the owner and the escalation contacts."""
    return not person.is_customer


def is_staff_member(person: Person) -> bool:
    return person.role != Role.CUSTOMER_CONTACT


def is_manager_of(person: Person, ticket: Ticket) -> bool:
    """Service managers and admins of the ticket's office (or above it) may step in."""
    return (
        person.role in MANAGER_ROLES
        and person.organisation_id is not None
        and ticket.office_id in refdata.subtree(person.organisation_id)
    )


def check_staff(person: Person) -> None:
    if not is_staff_member(person):
        raise PermissionDenied()


def check_owner_or_manager(person: Person, ticket: Ticket) -> None:
    """The accountable owner acts on the ticket; the office's service manager may step in."""
    if ticket.owner_id != person.pk and not is_manager_of(person, ticket):
        raise PermissionDenied()


def check_customer_of(person: Person, ticket: Ticket) -> None:
    """Closure and reopening belong to the customer: a contact of the ticket's organisation."""
    if person.role != Role.CUSTOMER_CONTACT or ticket.customer_org_id not in (
        refdata.subtree(person.organisation_id) if person.organisation_id else []
    ):
        raise PermissionDenied()


def can_open_for(person: Person, customer_org_id: int) -> bool:
    """Customers open requests for their organisation (or a branch of it); vendor-office staff
    for any customer (the hotline and engineers record what they are told). A partner engineer
    works only what is handed to them: they may record a request only for a customer whose
    ticket they hold now (e.g. a second fault found on site), never for any operator."""
    if not person.is_active or person.organisation_id is None:
        return False
    if person.role == Role.CUSTOMER_CONTACT:
        return customer_org_id in refdata.subtree(person.organisation_id)
    if person.role in OFFICE_ROLES:
        return True
    if person.role == Role.PARTNER_ENGINEER:
        return visible_tickets(person).filter(customer_org_id=customer_org_id).exists()
    return False
