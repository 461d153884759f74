"""Who may change the escalation configuration and the rosters (one place, for the API, the
pages and the Django admin alike)."""

from caredesk.directory.models import Person, Role
from caredesk.errors import PermissionDenied


def can_configure(person: Person) -> bool:
    """Calendars, SLA policies and escalation chains: administrators."""
    return person.is_active and (person.role == Role.ADMIN or person.is_superuser)


def check_configure(person: Person) -> None:
    if not can_configure(person):
        raise PermissionDenied()


def can_edit_rosters(person: Person) -> bool:
    """Rotations and on-call overrides: service managers and administrators."""
    return person.is_active and (
        person.role in (Role.ADMIN, Role.SERVICE_MANAGER) or person.is_superuser
    )
