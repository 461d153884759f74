"""Who is surveyed, and who may read surveys and work their follow-ups.

Surveyed: the requester of a closed ticket (the complainant of a closed complaint) when they
are a customer's contact — partner engineers and the vendor's own staff who opened a request
are never asked to rate the vendor. Answering needs no sign-in: the link is the credential.

Reading surveys, answers and follow-ups: vendor-office staff, for the offices at or below their
own (hotline and headquarters see every office). Customers and partner engineers never read
them — a customer's answer is about the people they dealt with, not for the customer's peers.

Closing a follow-up, or turning it into a complaint: the service manager it was opened for, or
a service manager or administrator of the survey's office (or above it).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caredesk.directory import refdata
from caredesk.directory.models import OFFICE_ROLES, OrgKind, Person, Role
from caredesk.errors import NotFound, PermissionDenied
from caredesk.tickets.policy import MANAGER_ROLES

from .models import FollowUp, Survey


def excluded(contact: Person | None) -> str:
    """Why `contact` is not asked (an empty string when they are)."""
    if contact is None or not contact.is_active:
        return "no_contact"
    if contact.role != Role.CUSTOMER_CONTACT or contact.organisation_id is None:
        return "internal"
    org = refdata.organisation(contact.organisation_id)
    if org is None or org.kind != OrgKind.CUSTOMER:
        return "internal"
    return ""


def reads_surveys(person: Person) -> bool:
    return (
        person.is_authenticated
        and person.is_active
        and person.role in OFFICE_ROLES
        and person.organisation_id is not None
    )


def check_reads_surveys(person: Person) -> None:
    if not reads_surveys(person):
        raise PermissionDenied(_("Only the vendor's office staff read survey answers."))


def visible_filter(person: Person, prefix: str = "") -> Q:
    """A Q over Survey (or, with prefix "survey__", over FollowUp) keeping what `person` may
    read."""
    if not reads_surveys(person):
        return Q(pk__in=[])
    return Q(**{f"{prefix}office_id__in": refdata.subtree(person.organisation_id)})


def can_view(person: Person, survey: Survey) -> bool:
    return reads_surveys(person) and survey.office_id in refdata.subtree(person.organisation_id)


def check_view(person: Person, survey: Survey) -> None:
    if not can_view(person, survey):
        raise NotFound()


def can_work(person: Person, follow_up: FollowUp) -> bool:
    """Whether `person` may close the follow-up or turn it into a complaint."""
    if not can_view(person, follow_up.survey):
        return False
    return person.pk == follow_up.manager_id or person.role in MANAGER_ROLES


def check_work(person: Person, follow_up: FollowUp) -> None:
    check_view(person, follow_up.survey)
    if not can_work(person, follow_up):
        raise PermissionDenied(
            _("Only the service manager it is for, or a manager of the office, works it.")
        )
