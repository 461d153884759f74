"""Who may see and do what with complaints. The API and the pages both ask here.

Seeing:
- customer contacts: complaints of their organisation and of the ones below it (a province
  contact also sees its branches'), never the internal notes;
- partner engineers: complaints about work handed to them now — a linked ticket they own;
- hotline agents: the complaints they registered;
- vendor-office staff: complaints served by their office (or one below it), and the ones they
  handle wherever they are served.
A complaint one may not see is "not found", so its existence never leaks.

Doing:
- registering: office staff and hotline agents, for tickets they may see;
- handling (acknowledge, call back, notes, root cause, actions, respond, extend, close,
  reopen): the handler, or a service manager / admin of the serving office stepping in;
- approving a high-severity response: the handler's manager (the next rung above the handler
  on the main ticket's ladder), or an admin of the office — never the handler;
- recording a withdrawal (撤诉): whoever handles it, and the hotline agent who registered it
  (the complainant often calls the 400 line back to withdraw).
The hotline agent who registers a complaint is never its handler.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from caredesk.directory import refdata
from caredesk.directory.models import OFFICE_ROLES, Person, Role
from caredesk.errors import NotFound, PermissionDenied
from caredesk.errors import ValidationFailed as Invalid
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import Ticket

from .models import Complaint, ComplaintTicket

MANAGER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})
# Who may be a complaint's handler: office staff who own work, never the hotline.
HANDLER_ROLES = frozenset(
    {Role.SERVICE_MANAGER, Role.ENGINEER, Role.PRODUCT_LEADER, Role.SPM, Role.ACCOUNT_HEAD}
)
REGISTER_ROLES = OFFICE_ROLES  # includes the hotline agent and admins
# The rungs a response is approved on, lowest first: the handler's manager is the first
# holder above the handler's own rung.
APPROVAL_LADDER = ("service_manager", "spm", "account_head")


def _signed_in(person: Person) -> bool:
    return person.is_authenticated and person.is_active and person.organisation_id is not None


def visible_filter(person: Person) -> Q:
    """A Q over Complaint that keeps exactly the complaints `person` may see."""
    if not _signed_in(person):
        return Q(pk__in=[])
    if person.role == Role.CUSTOMER_CONTACT:
        return Q(customer_org_id__in=refdata.subtree(person.organisation_id))
    if person.role == Role.PARTNER_ENGINEER:
        owned = ComplaintTicket.objects.filter(complaint=OuterRef("pk"), ticket__owner=person)
        return Q(Exists(owned))
    if person.role == Role.HOTLINE_AGENT:
        return Q(registered_by=person)
    if person.role in OFFICE_ROLES:
        return Q(office_id__in=refdata.subtree(person.organisation_id)) | Q(handler=person)
    return Q(pk__in=[])


def can_view(person: Person, complaint: Complaint) -> bool:
    """visible_filter's answer for one loaded complaint."""
    if not _signed_in(person):
        return False
    if person.role == Role.CUSTOMER_CONTACT:
        return complaint.customer_org_id in refdata.subtree(person.organisation_id)
    if person.role == Role.PARTNER_ENGINEER:
        return complaint.links.filter(ticket__owner=person).exists()
    if person.role == Role.HOTLINE_AGENT:
        return complaint.registered_by_id == person.pk
    if person.role in OFFICE_ROLES:
        return complaint.handler_id == person.pk or complaint.office_id in refdata.subtree(
            person.organisation_id
        )
    return False


def check_view(person: Person, complaint: Complaint) -> None:
    if not can_view(person, complaint):
        raise NotFound()


def sees_internal(person: Person) -> bool:
    """Customers read the complaint's public part; investigation notes are for staff."""
    return not person.is_customer


def is_manager_of(person: Person, complaint: Complaint) -> bool:
    return (
        person.role in MANAGER_ROLES
        and person.organisation_id is not None
        and complaint.office_id in refdata.subtree(person.organisation_id)
    )


def can_handle(person: Person, complaint: Complaint) -> bool:
    return person.is_active and (
        complaint.handler_id == person.pk or is_manager_of(person, complaint)
    )


def check_handle(actor: Person, complaint: Complaint) -> None:
    check_view(actor, complaint)
    if not can_handle(actor, complaint):
        raise PermissionDenied(_("Only the complaint's handler or the service manager does this."))


def can_answer(person: Person, complaint: Complaint) -> bool:
    """The complainant themselves answers the response on the portal (another contact of the
    same customer sees the complaint but does not speak for the complainant)."""
    return person.is_active and person.is_customer and complaint.complainant_id == person.pk


def check_answer(actor: Person, complaint: Complaint) -> None:
    check_view(actor, complaint)
    if not can_answer(actor, complaint):
        raise PermissionDenied(_("Only the complainant answers the response."))


def can_withdraw(person: Person, complaint: Complaint) -> bool:
    return can_handle(person, complaint) or (
        person.role == Role.HOTLINE_AGENT and complaint.registered_by_id == person.pk
    )


def check_withdraw(actor: Person, complaint: Complaint) -> None:
    check_view(actor, complaint)
    if not can_withdraw(actor, complaint):
        raise PermissionDenied(
            _("The handler, the service manager or the agent who registered it records this.")
        )


def can_register(person: Person) -> bool:
    return _signed_in(person) and person.role in REGISTER_ROLES


def check_register(actor: Person, tickets: list[Ticket]) -> None:
    if not can_register(actor):
        raise PermissionDenied(_("Complaints are registered by the hotline and office staff."))
    for ticket in tickets:
        if not ticket_policy.can_view(actor, ticket):
            raise Invalid(fields={"tickets": str(_("No such ticket."))})


def check_handler(handler: Person, office_id: int, registered_by: Person) -> None:
    """A handler is active office staff of the serving office (or above it), and never the
    hotline agent who registered the complaint."""
    if handler.pk == registered_by.pk and registered_by.role == Role.HOTLINE_AGENT:
        raise Invalid(
            fields={"handler": str(_("The hotline agent who registers it does not handle it."))}
        )
    ok = (
        handler.is_active
        and handler.role in HANDLER_ROLES
        and handler.organisation_id is not None
        and office_id in refdata.subtree(handler.organisation_id)
    )
    if not ok:
        raise Invalid(
            fields={"handler": str(_("Choose a service manager or engineer of the office."))}
        )


def can_approve(person: Person, complaint: Complaint, approver: Person | None) -> bool:
    if person.pk == complaint.handler_id or not person.is_active:
        return False
    if approver is not None and person.pk == approver.pk:
        return True
    return person.role == Role.ADMIN and is_manager_of(person, complaint)


def check_approve(actor: Person, complaint: Complaint, approver: Person | None) -> None:
    check_view(actor, complaint)
    if not can_approve(actor, complaint, approver):
        raise PermissionDenied(_("The handler's manager approves the response, not the handler."))
