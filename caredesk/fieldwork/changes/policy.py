"""Who may see and do what with change requests. The API and the pages both ask here.

Seeing:
- customer contacts: the changes on their organisation's network and its branches';
- partner engineers: the changes they execute, and those linked to a ticket they own now (a
  hand-off accepted; one merely proposed grants nothing);
- vendor-office staff: the changes requested in their office or an office below it, those
  they execute, and those they hold an approver's role for.
Doing:
- requesting: vendor-office staff (not the hotline); the executor is staff or a partner
  engineer;
- submitting, cancelling: the requester, or a service manager / administrator of the office;
- approving or rejecting for the office: whoever holds the product maintenance leader's or
  the service manager's role for the change's customer, region and product (directory role
  assignments; the region's own service manager too) — never the requester or the executor;
- approving for the customer (risk medium or high): a contact of the customer (or its province);
- starting, verifying, completing: the executor; rolling back also the requester or a manager.
A change one may not see is "not found".
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from caredesk.directory import refdata
from caredesk.directory.models import (
    OFFICE_ROLES,
    OWNER_ROLES,
    LadderRole,
    Person,
    Region,
    Role,
    RoleAssignment,
)
from caredesk.errors import NotFound, PermissionDenied
from caredesk.tickets.models import Ticket

from ..models import ChangeRequest, ChangeTicket

# Ladder roles whose holders approve changes for the vendor office.
APPROVER_ROLES = (LadderRole.PRODUCT_LEADER, LadderRole.SERVICE_MANAGER)
MANAGER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})
REQUESTER_ROLES = OFFICE_ROLES - {Role.HOTLINE_AGENT}


class SelfApproval(PermissionDenied):
    code = "self_approval"
    default_message = _("Nobody approves their own change: ask another approver.")


def _signed_in(person: Person) -> bool:
    return person.is_authenticated and person.is_active and person.organisation_id is not None


def visible_filter(person: Person) -> Q:
    """A Q over ChangeRequest that keeps exactly the changes `person` may see."""
    if not _signed_in(person):
        return Q(pk__in=[])
    if person.role == Role.CUSTOMER_CONTACT:
        return Q(customer_org_id__in=refdata.subtree(person.organisation_id))
    held = ChangeTicket.objects.filter(change=OuterRef("pk"), ticket__owner=person)
    mine = Q(executor=person) | Q(Exists(held))
    if person.role == Role.PARTNER_ENGINEER:
        return mine
    if person.role in OFFICE_ROLES:
        office = Q(requester__organisation_id__in=refdata.subtree(person.organisation_id))
        return office | mine | _approver_scope(person)
    return Q(pk__in=[])


def _approver_scope(person: Person) -> Q:
    """The changes `person` holds an approver's role for (holds_approver_role, as a filter): an
    assignment covers a change when each of its scopes is empty or matches — its customer is
    the change's or above it, its region and product the change's; a region's own service
    manager covers the region's changes."""
    scope = Q(pk__in=[])
    for org_id, region_id, product_id in RoleAssignment.objects.filter(
        person=person, role__in=APPROVER_ROLES
    ).values_list("customer_org_id", "region_id", "product_id"):
        covered = Q()
        if org_id is not None:
            covered &= Q(customer_org_id__in=refdata.subtree(org_id))
        if region_id is not None:
            covered &= Q(region_id=region_id)
        if product_id is not None:
            covered &= Q(product_id=product_id)
        scope |= covered
    managed = Region.objects.filter(service_manager=person).values_list("pk", flat=True)
    return scope | Q(region_id__in=list(managed))


def can_view(person: Person, change: ChangeRequest) -> bool:
    """visible_filter's answer for one loaded change."""
    if not _signed_in(person):
        return False
    if person.role == Role.CUSTOMER_CONTACT:
        return change.customer_org_id in refdata.subtree(person.organisation_id)
    if person.role not in OFFICE_ROLES and person.role != Role.PARTNER_ENGINEER:
        return False
    if change.executor_id == person.pk:
        return True
    if person.role in OFFICE_ROLES and change.requester.organisation_id in refdata.subtree(
        person.organisation_id
    ):
        return True
    if person.role in OFFICE_ROLES and holds_approver_role(person, change):
        return True
    return Ticket.objects.filter(change_links__change=change, owner=person).exists()


def check_view(person: Person, change: ChangeRequest) -> None:
    if not can_view(person, change):
        raise NotFound()


def sees_internal(person: Person) -> bool:
    return not person.is_customer


def can_request(person: Person) -> bool:
    return _signed_in(person) and person.role in REQUESTER_ROLES


def check_request(person: Person) -> None:
    if not can_request(person):
        raise PermissionDenied(_("Changes are requested by the vendor office's staff."))


def can_execute(person: Person) -> bool:
    """Who may be named to carry a change out: staff who work tickets, or a partner engineer."""
    return person.is_active and person.role in OWNER_ROLES - {Role.HOTLINE_AGENT}


def is_manager_of(person: Person, change: ChangeRequest) -> bool:
    """Service managers and administrators of the requesting office (or above it)."""
    return (
        person.role in MANAGER_ROLES
        and person.organisation_id is not None
        and change.requester.organisation_id in refdata.subtree(person.organisation_id)
    )


def can_manage(person: Person, change: ChangeRequest) -> bool:
    """Submit, edit, cancel: the requester or the office's manager."""
    return change.requester_id == person.pk or is_manager_of(person, change)


def check_manage(person: Person, change: ChangeRequest) -> None:
    if not can_manage(person, change):
        raise PermissionDenied(_("Only the requester or the service manager does this."))


def holds_approver_role(person: Person, change: ChangeRequest) -> bool:
    """Whether `person` approves for the vendor office: a product maintenance leader or
    service manager assigned for the change's customer, region and product, or the region's
    own service manager."""
    if not _signed_in(person) or person.role in (Role.CUSTOMER_CONTACT, Role.PARTNER_ENGINEER):
        return False
    for role in APPROVER_ROLES:
        holders = refdata.role_holders(
            role,
            customer_org_id=change.customer_org_id,
            region_id=change.region_id,
            product_id=change.product_id,
        )
        if person.pk in holders:
            return True
    if change.region_id is not None:
        region = refdata.region(pk=change.region_id)
        return region is not None and region.service_manager_id == person.pk
    return False


def is_customer_approver(person: Person, change: ChangeRequest) -> bool:
    return (
        _signed_in(person)
        and person.role == Role.CUSTOMER_CONTACT
        and change.customer_org_id in refdata.subtree(person.organisation_id)
    )


def is_own(person: Person, change: ChangeRequest) -> bool:
    return person.pk in (change.requester_id, change.executor_id)


def can_approve(person: Person, change: ChangeRequest) -> bool:
    """Whether the approve / reject buttons are for this person (their own change excepted)."""
    if is_own(person, change):
        return False
    if is_customer_approver(person, change):
        return change.needs_customer_approval
    return holds_approver_role(person, change)


def check_approve(person: Person, change: ChangeRequest) -> None:
    """Refuses one's own change (requested or executed) whatever role one holds, then anyone
    who holds no approver's role for it."""
    if is_own(person, change):
        raise SelfApproval()
    if is_customer_approver(person, change):
        if not change.needs_customer_approval:
            raise PermissionDenied(_("A low-risk change needs no customer approval."))
        return
    if not holds_approver_role(person, change):
        raise PermissionDenied(
            _(
                "Changes are approved by the product maintenance leader or the service "
                "manager assigned to this customer, region and product."
            )
        )


def is_executor(person: Person, change: ChangeRequest) -> bool:
    return change.executor_id == person.pk


def check_executor(person: Person, change: ChangeRequest) -> None:
    if not is_executor(person, change):
        raise PermissionDenied(_("Only the change's executor records its execution."))


def can_roll_back(person: Person, change: ChangeRequest) -> bool:
    return is_executor(person, change) or can_manage(person, change)


def check_roll_back(person: Person, change: ChangeRequest) -> None:
    if not can_roll_back(person, change):
        raise PermissionDenied(_("The executor, the requester or the service manager rolls back."))


def is_partner(person: Person) -> bool:
    return person.role == Role.PARTNER_ENGINEER
