"""Who may see and do what with learning cases. The API and the pages both ask here.

Seeing: vendor-office staff (OFFICE_ROLES: engineers, managers, the ladder above them, the
hotline, admins) read the cases of their office and of the offices below it — drafts too, so
colleagues can comment before publication. Customers and partner engineers never see a case:
it is the office's own review of its work, with internal notes in it, and a partner's "current
work" rule (tickets/policy.py) has no current work in a closed story. They get "not found",
like anything they may not see.

Doing: a service manager or admin of the case's office generates, edits and publishes (the
"manager" of DESIGN.md who writes the analysis and lessons). A published case is read-only.
"""

from django.db.models import Q

from caredesk.directory import refdata
from caredesk.directory.models import OFFICE_ROLES, Person, Role
from caredesk.errors import NotFound, PermissionDenied

from .models import LearningCase

MANAGER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})


def _staff(person: Person) -> bool:
    return (
        person.is_authenticated
        and person.is_active
        and person.organisation_id is not None
        and person.role in OFFICE_ROLES
    )


def visible_filter(person: Person) -> Q:
    """A Q over LearningCase that keeps exactly the cases `person` may read."""
    if not _staff(person):
        return Q(pk__in=[])
    return Q(office_id__in=refdata.subtree(person.organisation_id))


def can_view(person: Person, case: LearningCase) -> bool:
    return _staff(person) and case.office_id in refdata.subtree(person.organisation_id)


def check_view(person: Person, case: LearningCase) -> None:
    if not can_view(person, case):
        raise NotFound()


def is_manager_for(person: Person, office_id: int) -> bool:
    """A service manager or admin of the office (or of one above it)."""
    return (
        _staff(person)
        and person.role in MANAGER_ROLES
        and office_id in refdata.subtree(person.organisation_id)
    )


def can_write(person: Person, case: LearningCase) -> bool:
    return is_manager_for(person, case.office_id)


def check_write(person: Person, case: LearningCase) -> None:
    if not can_write(person, case):
        raise PermissionDenied()


def is_staff(person: Person) -> bool:
    return _staff(person)
