"""Who may read and change the directory (organisations, people, products, regions, matrix)."""

from django.db.models import Q, QuerySet

from caredesk.directory import refdata

from .models import Organisation, Person, Role


def can_write_reference_data(person: Person) -> bool:
    return person.is_active and (person.role == Role.ADMIN or person.is_superuser)


def visible_people(person: Person) -> QuerySet[Person]:
    """Staff see everyone active; customers see their own organisation's people and the
    vendor staff (their owners and escalation contacts), never other customers."""
    qs = Person.objects.filter(is_active=True).select_related("organisation")
    if person.role != Role.CUSTOMER_CONTACT:
        return qs
    own = refdata.subtree(person.organisation_id) if person.organisation_id else []
    return qs.filter(Q(organisation_id__in=own) | ~Q(role=Role.CUSTOMER_CONTACT))


def visible_organisations(person: Person) -> QuerySet[Organisation]:
    if person.role != Role.CUSTOMER_CONTACT:
        return Organisation.objects.all()
    own = refdata.subtree(person.organisation_id) if person.organisation_id else []
    return Organisation.objects.filter(Q(pk__in=own) | ~Q(kind="customer"))
