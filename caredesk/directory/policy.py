"""Who may read and change the directory (organisations, people, products, regions, matrix)."""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q, QuerySet

from caredesk.directory import refdata

from .models import OFFICE_ROLES, Organisation, Person, Role


def can_write_reference_data(person: Person) -> bool:
    return person.is_active and (person.role == Role.ADMIN or person.is_superuser)


# Administrators, for two-step sign-in: the role, and anyone who may open Django's admin.
ADMINISTRATORS = Q(role=Role.ADMIN) | Q(is_superuser=True) | Q(is_staff=True)


def is_administrator(person: Person) -> bool:
    return person.role == Role.ADMIN or person.is_superuser or person.is_staff


def second_factor_required(person: Person) -> bool:
    """With CAREDESK_TOTP_REQUIRED_FOR_ADMINS, administrators sign in with a code too."""
    return settings.TOTP_REQUIRED_FOR_ADMINS and person.is_active and is_administrator(person)


def may_use_second_factor(person: Person) -> bool:
    """Staff may add an authenticator app; customer contacts sign in with their password
    (the portal has no two-step page)."""
    return person.is_active and (person.role != Role.CUSTOMER_CONTACT or is_administrator(person))


def can_read_assignments(person: Person) -> bool:
    """The vendor's staff read who holds which ladder role for which scope; customers learn
    theirs from each ticket's escalation contacts, partners not at all."""
    return person.is_active and person.role in OFFICE_ROLES


def visible_people(person: Person, *, worked_customers: Iterable[int] = ()) -> QuerySet[Person]:
    """Who a person may look up, with phone and email.

    - Customers: their own organisation's people (and its branches') and the vendor's staff
      (their owners and escalation contacts), never other customers.
    - Vendor-office staff: everyone active.
    - Partner engineers: vendor and partner staff, and the contacts of the customers whose
      tickets they hold now (`worked_customers`, which the caller reads from the tickets'
      policy: this floor knows no tickets). Never another operator's contacts.
    """
    qs = Person.objects.filter(is_active=True).select_related("organisation")
    staff = ~Q(role=Role.CUSTOMER_CONTACT)
    if not person.is_active or person.organisation_id is None:
        return qs.none()
    if person.role == Role.CUSTOMER_CONTACT:
        return qs.filter(Q(organisation_id__in=refdata.subtree(person.organisation_id)) | staff)
    if person.role in OFFICE_ROLES:
        return qs
    if person.role == Role.PARTNER_ENGINEER:
        return qs.filter(Q(organisation_id__in=list(worked_customers)) | staff)
    return qs.none()


def visible_organisations(person: Person) -> QuerySet[Organisation]:
    if person.role != Role.CUSTOMER_CONTACT:
        return Organisation.objects.all()
    own = refdata.subtree(person.organisation_id) if person.organisation_id else []
    return Organisation.objects.filter(Q(pk__in=own) | ~Q(kind="customer"))
