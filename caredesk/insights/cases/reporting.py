"""Learning cases for the half-year report (the analytics helper's pptx and xlsx): plain dicts,
so the report builder needs no import of this app —

    {"title": str, "tags": [str], "customer_voice": str,
     "event_replay": [{"at": str, "actor": str, "what": str}],
     "analysis": str, "lessons": str, "actions": [str]}

told in the language asked for (times in Asia/Shanghai)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils.translation import override

from caredesk.directory import refdata
from caredesk.directory.models import Organisation, Person

from . import replay, selectors
from .models import CaseStatus, LearningCase

SHANGHAI = ZoneInfo("Asia/Shanghai")


def tags_of(case: LearningCase) -> list[str]:
    """The case's tags in the current language: category, root cause, product."""
    return [t.local_name for t in (case.category, case.root_cause, case.product) if t]


def case_for_report(case: LearningCase, *, language: str) -> dict:
    with override(language):
        return {
            "title": case.title,
            "tags": tags_of(case),
            "customer_voice": case.customer_voice,
            "event_replay": [replay.told(item) for item in case.replay],
            "analysis": case.analysis,
            "lessons": case.lessons,
            "actions": list(case.actions),
        }


def _moment(value: dt.date | dt.datetime) -> dt.datetime:
    """A date is its midnight in Shanghai; a naive datetime is read in Shanghai too."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    return dt.datetime(value.year, value.month, value.day, tzinfo=SHANGHAI)


def cases_for_report(
    actor: Person,
    *,
    period_start: dt.date | dt.datetime,
    period_end: dt.date | dt.datetime,
    customer: Organisation | int | None = None,
    language: str | None = None,
) -> list[dict]:
    """The published cases whose story happened in [period_start, period_end) and that
    `actor` may read, oldest first; with `customer`, only that customer's (branches
    included). Each as case_for_report gives it, in `language` (default: the actor's)."""
    cases = selectors.cases_visible_to(actor).filter(
        status=CaseStatus.PUBLISHED,
        occurred_at__gte=_moment(period_start),
        occurred_at__lt=_moment(period_end),
    )
    if customer is not None:
        org_id = customer.pk if isinstance(customer, Organisation) else int(customer)
        cases = cases.filter(customer_org_id__in=refdata.subtree(org_id))
    language = language or getattr(actor, "language", None) or "zh-hans"
    return [case_for_report(c, language=language) for c in cases.order_by("occurred_at", "id")]
