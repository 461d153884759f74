"""Who may read and edit a customer's stakeholder map."""

from django.db.models import QuerySet

from caredesk.directory import refdata
from caredesk.directory.models import OFFICE_ROLES, Organisation, OrgKind, Person, Role

EDITOR_ROLES = frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.ACCOUNT_HEAD})


def can_view_map(person: Person, organisation: Organisation) -> bool:
    """Vendor-office staff read every customer's map; a customer contact reads the maps of
    their own organisation and the organisations below it. Partner engineers read none: a map
    is the account's list of people to tell, not part of the work handed to them."""
    if not person.is_active or organisation.kind != OrgKind.CUSTOMER:
        return False
    if person.role in OFFICE_ROLES:
        return True
    if person.role == Role.CUSTOMER_CONTACT:
        return person.organisation_id is not None and organisation.pk in (
            refdata.subtree(person.organisation_id)
        )
    return False


def map_organisations(person: Person) -> QuerySet[Organisation]:
    """The customer organisations whose maps `person` may read (can_view_map, as a query)."""
    customers = Organisation.objects.filter(kind=OrgKind.CUSTOMER)
    if not person.is_active:
        return customers.none()
    if person.role in OFFICE_ROLES:
        return customers
    if person.role == Role.CUSTOMER_CONTACT and person.organisation_id is not None:
        return customers.filter(pk__in=refdata.subtree(person.organisation_id))
    return customers.none()


def can_edit_map(person: Person) -> bool:
    """The people who own the account relationship keep the map: administrators, service
    managers and account heads."""
    return person.is_active and (person.role in EDITOR_ROLES or person.is_superuser)
