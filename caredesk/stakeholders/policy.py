"""Who may read and edit a customer's stakeholder map."""

from caredesk.directory import refdata
from caredesk.directory.models import Organisation, OrgKind, Person, Role

EDITOR_ROLES = frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.ACCOUNT_HEAD})


def can_view_map(person: Person, organisation: Organisation) -> bool:
    """Vendor staff read every map; a customer contact reads the maps of their own
    organisation and the organisations below it."""
    if not person.is_active or organisation.kind != OrgKind.CUSTOMER:
        return False
    if person.role != Role.CUSTOMER_CONTACT:
        return True
    return person.organisation_id is not None and organisation.pk in (
        refdata.subtree(person.organisation_id)
    )


def can_edit_map(person: Person) -> bool:
    """The people who own the account relationship keep the map: administrators, service
    managers and account heads."""
    return person.is_active and (person.role in EDITOR_ROLES or person.is_superuser)
