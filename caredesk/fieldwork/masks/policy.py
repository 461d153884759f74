"""Who may see and do what with alarm-masking rules. The API and the pages ask here.

Seeing a rule:
- vendor staff: the rules of the changes they may see (caredesk.fieldwork.changes.policy: those
  requested in their office or below, those they execute);
- a partner engineer: only the rules of changes he is the executor of (his current work);
- a customer contact: the rules of their organisation and, for a province, of its branches.
Making and removing rules (on an approved alarm-masking change): the change's executor (a
partner only there), its requester, and the office's service managers and administrators;
removing also the rule's owner. Reading what Alertmanager holds without CareDesk's
authorisation: vendor staff only.
Rules one may not see are not found, so their existence never leaks.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caredesk.directory import refdata
from caredesk.directory.models import OFFICE_ROLES, Person, Role
from caredesk.errors import NotFound, PermissionDenied

from ..changes import policy as change_policy
from ..models import ChangeRequest, MaskingRule

MANAGER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})


def _signed_in(person: Person) -> bool:
    return person.is_authenticated and person.is_active and person.organisation_id is not None


def visible_filter(person: Person) -> Q:
    """A Q over MaskingRule that keeps exactly the rules `person` may see."""
    if not _signed_in(person):
        return Q(pk__in=[])
    if person.role in OFFICE_ROLES:
        seen = ChangeRequest.objects.filter(change_policy.visible_filter(person))
        return Q(change__in=seen.values("pk"))
    if person.role == Role.PARTNER_ENGINEER:
        return Q(change__executor_id=person.pk)
    if person.role == Role.CUSTOMER_CONTACT:
        return Q(customer_org_id__in=refdata.subtree(person.organisation_id))
    return Q(pk__in=[])


def can_view(person: Person, rule: MaskingRule, change: ChangeRequest) -> bool:
    """visible_filter's answer for one loaded rule and its change."""
    if not _signed_in(person):
        return False
    if person.role in OFFICE_ROLES:
        return change_policy.can_view(person, change)
    if person.role == Role.PARTNER_ENGINEER:
        return change.executor_id == person.pk
    if person.role == Role.CUSTOMER_CONTACT:
        return rule.customer_org_id in refdata.subtree(person.organisation_id)
    return False


def can_see_change(person: Person, change: ChangeRequest) -> bool:
    """Whether the person may learn the change exists (to make rules on it, or be refused)."""
    if not _signed_in(person):
        return False
    if person.role in OFFICE_ROLES:
        return change_policy.can_view(person, change)
    if person.role == Role.PARTNER_ENGINEER:
        return change.executor_id == person.pk
    if person.role == Role.CUSTOMER_CONTACT:
        return change.customer_org_id in refdata.subtree(person.organisation_id)
    return False


def can_mask(person: Person, change: ChangeRequest) -> bool:
    """Who makes rules under a change: its executor, its requester (staff), a manager."""
    if not can_see_change(person, change) or person.is_customer:
        return False
    if person.pk == change.executor_id:
        return True
    if person.role == Role.PARTNER_ENGINEER:
        return False
    return person.pk == change.requester_id or person.role in MANAGER_ROLES


def check_mask(person: Person, change: ChangeRequest) -> None:
    if not can_see_change(person, change):
        raise NotFound()
    if not can_mask(person, change):
        raise PermissionDenied(
            _("Only the change's executor, its requester or a service manager adds masking.")
        )


def can_remove(person: Person, rule: MaskingRule, change: ChangeRequest) -> bool:
    if not can_view(person, rule, change) or person.is_customer:
        return False
    if person.role == Role.PARTNER_ENGINEER:
        return change.executor_id == person.pk
    return person.pk == rule.owner_id or can_mask(person, change)


def check_remove(person: Person, rule: MaskingRule, change: ChangeRequest) -> None:
    if not can_view(person, rule, change):
        raise NotFound()
    if not can_remove(person, rule, change):
        raise PermissionDenied(
            _("Only the rule's owner, the change's executor or requester, or a manager removes it.")
        )


def can_owner(person: Person, change: ChangeRequest) -> bool:
    """Who may own a rule: staff, or the partner engineer who executes the change."""
    if not person.is_active or person.is_customer or person.organisation_id is None:
        return False
    if person.role == Role.PARTNER_ENGINEER:
        return person.pk == change.executor_id
    return person.role in OFFICE_ROLES


def can_see_foreign(person: Person) -> bool:
    """The silences Alertmanager holds without CareDesk's authorisation: vendor staff."""
    return _signed_in(person) and person.role in OFFICE_ROLES


def check_see_foreign(person: Person) -> None:
    if not can_see_foreign(person):
        raise PermissionDenied()
