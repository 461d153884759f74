"""The rules a change is checked against before it goes ahead: its risk, from a short
assessment, and what its window runs into — another active change on the same network element,
or a blackout window an administrator declared."""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caredesk.directory import refdata

from ..models import ACTIVE_STATUSES, BlackoutWindow, ChangeRequest, ChangeRisk

# The short assessment: each "yes" weighs this much; the sum gives the risk.
RISK_QUESTIONS = {
    "service_impact": (_("Can it interrupt the customer's services?"), 2),
    "hard_to_undo": (_("Is it hard or slow to undo?"), 2),
    "untried": (_("Is it untried (on this version, or in the lab)?"), 1),
}
MEDIUM_FROM, HIGH_FROM = 2, 4


def assess(answers: dict[str, Any]) -> tuple[str, dict[str, bool]]:
    """The risk the answers give (low / medium / high) and the answers as kept: a question
    left out counts as "no"."""
    kept = {key: bool(answers.get(key, False)) for key in RISK_QUESTIONS}
    score = sum(weight for key, (_q, weight) in RISK_QUESTIONS.items() if kept[key])
    if score >= HIGH_FROM:
        return ChangeRisk.HIGH, kept
    if score >= MEDIUM_FROM:
        return ChangeRisk.MEDIUM, kept
    return ChangeRisk.LOW, kept


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def conflicts(change: ChangeRequest, elements: list[str] | None = None) -> list[dict]:
    """What the change's window runs into: each other active change holding one of its
    elements over an overlapping period, and each blackout window declared for its customer
    (or one above it) or for everyone that the window touches. Two queries."""
    if elements is None:
        elements = list(change.targets.values_list("element", flat=True))
    found: list[dict] = []
    overlapping = (
        ChangeRequest.objects.filter(
            status__in=sorted(ACTIVE_STATUSES),
            targets__element__in=elements,
            window_start__lt=change.window_end,
            window_end__gt=change.window_start,
        )
        .exclude(pk=change.pk)
        .distinct()
        .order_by("window_start", "pk")
        .prefetch_related("targets")
    )
    mine = set(elements)
    for other in overlapping:
        found.append(
            {
                "kind": "overlap",
                "change": other.pk,
                "number": other.number,
                "title": other.title,
                "elements": sorted(t.element for t in other.targets.all() if t.element in mine),
                "starts_at": _iso(other.window_start),
                "ends_at": _iso(other.window_end),
            }
        )
    blackouts = BlackoutWindow.objects.filter(
        Q(customer_org__isnull=True)
        | Q(customer_org_id__in=refdata.lineage(change.customer_org_id)),
        starts_at__lt=change.window_end,
        ends_at__gt=change.window_start,
    ).order_by("starts_at", "pk")
    for b in blackouts:
        found.append(
            {
                "kind": "blackout",
                "blackout": b.pk,
                "name": b.name,
                "starts_at": _iso(b.starts_at),
                "ends_at": _iso(b.ends_at),
            }
        )
    return found
