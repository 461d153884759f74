"""Reads of masking rules shared by the pages, the API and the shift hand-over report."""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from caredesk import clock
from caredesk.directory import refdata
from caredesk.directory.models import Person
from caredesk.errors import NotFound

from ..models import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    ForeignSilence,
    MaskedElement,
    MaskingLimit,
    MaskingRule,
    MaskStatus,
    ReconcileRun,
)
from . import policy

RELATED = ("change", "customer_org", "owner", "created_by", "removed_by")


def rules_visible_to(
    person: Person,
    *,
    customer_org_id: int | None = None,
    element: str = "",
    active: bool | None = None,
    change_id: int | None = None,
) -> QuerySet[MaskingRule]:
    """The rules `person` may see, filtered: a customer (and its branches), a network element,
    active or not, one change. Soonest to end first."""
    qs = MaskingRule.objects.filter(policy.visible_filter(person))
    if customer_org_id is not None:
        qs = qs.filter(customer_org_id__in=refdata.subtree(customer_org_id))
    if element:
        qs = qs.filter(Exists(MaskedElement.objects.filter(rule=OuterRef("pk"), element=element)))
    if active is True:
        qs = qs.filter(status=MaskStatus.ACTIVE)
    elif active is False:
        qs = qs.exclude(status=MaskStatus.ACTIVE)
    if change_id is not None:
        qs = qs.filter(change_id=change_id)
    return qs.select_related(*RELATED).order_by("ends_at", "id")


def rule_for(person: Person, rule_id: int) -> MaskingRule:
    """One rule the person may see, or NotFound."""
    rule = MaskingRule.objects.select_related(*RELATED).filter(pk=rule_id).first()
    if rule is None or not policy.can_view(person, rule, rule.change):
        raise NotFound()
    return rule


def change_for(person: Person, change_id: int) -> ChangeRequest:
    """A change the person may learn of (to add masking under it), or NotFound."""
    change = ChangeRequest.objects.select_related("customer_org").filter(pk=change_id).first()
    if change is None or not policy.can_see_change(person, change):
        raise NotFound()
    return change


def masking_changes_for(person: Person) -> list[ChangeRequest]:
    """The changes the person may add masking under now (the upload form's choices)."""
    qs = ChangeRequest.objects.filter(
        kind=ChangeKind.ALARM_MASKING, status__in=[ChangeStatus.APPROVED, ChangeStatus.IN_PROGRESS]
    ).select_related("customer_org")
    return [c for c in qs.order_by("-id")[:200] if policy.can_mask(person, c)]


def max_duration(customer_org_id: int) -> dt.timedelta:
    """The longest a rule may last for this customer: its own limit, else the nearest one up
    its hierarchy (a province's for its branches), else settings.MASK_MAX_HOURS."""
    lineage = refdata.lineage(customer_org_id)
    limits = dict(
        MaskingLimit.objects.filter(customer_org_id__in=lineage).values_list(
            "customer_org_id", "max_hours"
        )
    )
    for org_id in lineage:
        if org_id in limits:
            return dt.timedelta(hours=limits[org_id])
    return dt.timedelta(hours=settings.MASK_MAX_HOURS)


def foreign_silences(*, live_only: bool = True) -> QuerySet[ForeignSilence]:
    """What the reconciler found in Alertmanager that no rule authorised, newest first."""
    qs = ForeignSilence.objects.all()
    if live_only:
        qs = qs.filter(ended_at__isnull=True)
    return qs.order_by("-first_seen_at", "-id")


def missing_silences() -> QuerySet[MaskingRule]:
    """Active rules whose silence Alertmanager no longer holds (someone expired it there)."""
    return (
        MaskingRule.objects.filter(status=MaskStatus.ACTIVE, silence_missing_at__isnull=False)
        .select_related(*RELATED)
        .order_by("silence_missing_at", "id")
    )


def last_reconcile() -> ReconcileRun | None:
    return ReconcileRun.objects.order_by("-at", "-id").first()


def expiring_within(
    *, customer_org_id: int, until: dt.datetime, now: dt.datetime | None = None
) -> QuerySet[MaskingRule]:
    """Active rules of the customer (and its branches) that end between now and `until`."""
    now = now or clock.now()
    return (
        MaskingRule.objects.filter(
            customer_org_id__in=refdata.subtree(customer_org_id),
            status=MaskStatus.ACTIVE,
            ends_at__gt=now,
            ends_at__lte=until,
        )
        .select_related(*RELATED)
        .order_by("ends_at", "id")
    )
