"""Who may look into the outbox and send dead letters again: administrators."""

from caredesk.directory.models import Person, Role


def can_manage_outbox(person: Person) -> bool:
    return person.is_active and (person.role == Role.ADMIN or person.is_superuser)
