"""Reads of surveys shared by the pages and the API: a survey by its link (no sign-in), the
staff list with filters, response rates per office, and follow-ups.

Every list is one or two queries whatever the number of surveys: pages are cut by a keyset on
the id (the office index), and the response rates read the per-office monthly tally rather
than counting answers.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum

from caredesk import clock
from caredesk.directory import refdata
from caredesk.directory.models import Person
from caredesk.errors import NotFound
from caredesk.errors import ValidationFailed as Invalid
from caredesk.inputs import parse_id

from . import policy, tokens
from .models import DIMENSIONS, FollowUp, FollowUpStatus, Survey, Tally

RELATED = ("ticket", "contact", "customer_org", "office", "engineer", "answer")
FOLLOW_UP_RELATED = ("manager", "closed_by", *(f"survey__{r}" for r in RELATED))


class SurveyLinkInvalid(NotFound):
    code = "survey_link_invalid"


def survey_for_token(token: str) -> Survey:
    """The survey a link names: well signed and known, else SurveyLinkInvalid (404) — a
    tampered, made-up or mistyped link looks the same as an unknown one. Reads only."""
    if not isinstance(token, str) or len(token) > 200 or not tokens.well_signed(token):
        raise SurveyLinkInvalid()
    try:
        return Survey.objects.select_related("ticket", "contact", "customer_org", "answer").get(
            token_hash=tokens.hash_token(token)
        )
    except Survey.DoesNotExist:
        raise SurveyLinkInvalid() from None


def link_state(survey: Survey, now: dt.datetime | None = None) -> str:
    """open, answered or expired — what the link's page shows."""
    if survey.answered_at is not None:
        return "answered"
    if survey.expires_at <= (now or clock.now()):
        return "expired"
    return "open"


# ---------------------------------------------------------------- the staff list


@dataclass(frozen=True)
class SurveyFilters:
    office: int | None = None
    state: str = ""  # "", answered, unanswered, low
    about: str = ""  # "", ticket, complaint
    half: str = ""  # "", 2026H1, 2026H2: when it was sent

    def as_query(self) -> dict[str, str]:
        return {
            k: str(v)
            for k, v in (
                ("office", self.office),
                ("state", self.state),
                ("about", self.about),
                ("half", self.half),
            )
            if v
        }


STATES = ("answered", "unanswered", "low")


def half_bounds(half: str) -> tuple[dt.date, dt.date]:
    """[first month, first month after) of a half-year named like 2026H1."""
    if len(half) != 6 or not half[:4].isdigit() or half[4] != "H" or half[5] not in "12":
        raise Invalid(fields={"half": "Give a half-year like 2026H1 or 2026H2."})
    year = int(half[:4])
    if not 2000 <= year <= 2999:
        raise Invalid(fields={"half": "Give a half-year like 2026H1 or 2026H2."})
    return (
        (dt.date(year, 1, 1), dt.date(year, 7, 1))
        if half[5] == "1"
        else (dt.date(year, 7, 1), dt.date(year + 1, 1, 1))
    )


def _half_moments(half: str) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone

    start, end = half_bounds(half)
    zone = timezone.get_default_timezone()
    return (
        dt.datetime(start.year, start.month, 1, tzinfo=zone),
        dt.datetime(end.year, end.month, 1, tzinfo=zone),
    )


def surveys_visible_to(person: Person, filters: SurveyFilters | None = None) -> QuerySet[Survey]:
    f = filters or SurveyFilters()
    qs = Survey.objects.filter(policy.visible_filter(person))
    if f.office:
        qs = qs.filter(office_id__in=refdata.subtree(f.office))
    if f.state == "answered":
        qs = qs.filter(answered_at__isnull=False)
    elif f.state == "unanswered":
        qs = qs.filter(answered_at__isnull=True)
    elif f.state == "low":
        qs = qs.filter(answer__low=True)
    if f.about:
        qs = qs.filter(subject_kind=f.about)
    if f.half:
        start, end = _half_moments(f.half)
        qs = qs.filter(sent_at__gte=start, sent_at__lt=end)
    return qs


PAGE_SIZE = 50


def survey_page(
    person: Person, filters: SurveyFilters | None = None, cursor: str | None = None
) -> tuple[list[Survey], str | None]:
    """One page of surveys, newest first, and the cursor of the next page (None at the end)."""
    return _keyset_page(surveys_visible_to(person, filters).select_related(*RELATED), cursor)


def _keyset_page(qs: QuerySet, cursor: str | None) -> tuple[list, str | None]:
    """One page newest first from the id `cursor` names (the index's order: one seek)."""
    if cursor:
        before = parse_id(cursor)
        if before is None:
            raise Invalid(fields={"cursor": "This cursor is not one this list gave."})
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (str(rows[-1].pk) if more and rows else None)


# ---------------------------------------------------------------- response rates


@dataclass
class OfficeRate:
    office_id: int
    name: str
    sent: int = 0
    answered: int = 0
    low: int = 0
    solved: int = 0
    sums: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        """Answered ÷ sent, or None when nothing was sent."""
        return self.answered / self.sent if self.sent else None

    @property
    def percent(self) -> float | None:
        return round(100 * self.answered / self.sent, 1) if self.sent else None

    @property
    def average_list(self) -> list[float | None]:
        """The averages in DIMENSIONS order (for a table row)."""
        return list(self.averages.values())

    @property
    def averages(self) -> dict[str, float | None]:
        return {
            d: (self.sums.get(d, 0) / self.answered if self.answered else None) for d in DIMENSIONS
        }


def response_rates(person: Person, half: str = "", office: int | None = None) -> list[OfficeRate]:
    """Per office the reader may see: surveys sent, answered, low and the average of each
    score — over a half-year when one is named — from the monthly tally (one query)."""
    if not policy.reads_surveys(person):
        return []
    offices = refdata.subtree(office) if office else refdata.subtree(person.organisation_id)
    allowed = set(refdata.subtree(person.organisation_id))
    qs = Tally.objects.filter(office_id__in=[o for o in offices if o in allowed])
    if half:
        start, end = half_bounds(half)
        qs = qs.filter(month__gte=start, month__lt=end)
    names = ("sent", "answered", "low", "solved", *DIMENSIONS)
    rows = qs.values("office_id").annotate(**{f"t_{n}": Sum(n) for n in names}).order_by()
    found = []
    for r in rows:
        org = refdata.organisation(r["office_id"])
        found.append(
            OfficeRate(
                office_id=r["office_id"],
                name=org.name if org else str(r["office_id"]),
                sent=r["t_sent"] or 0,
                answered=r["t_answered"] or 0,
                low=r["t_low"] or 0,
                solved=r["t_solved"] or 0,
                sums={d: r[f"t_{d}"] or 0 for d in DIMENSIONS},
            )
        )
    return sorted(found, key=lambda o: o.name)


# ---------------------------------------------------------------- follow-ups


def follow_ups_visible_to(person: Person, status: str = "") -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(policy.visible_filter(person, prefix="survey__"))
    if status:
        qs = qs.filter(status=status)
    return qs


def follow_up_page(
    person: Person, status: str = FollowUpStatus.OPEN, cursor: str | None = None
) -> tuple[list[FollowUp], str | None]:
    qs = follow_ups_visible_to(person, status).select_related(*FOLLOW_UP_RELATED)
    return _keyset_page(qs, cursor)


def follow_up_for(person: Person, follow_up_id: int) -> FollowUp:
    """A follow-up the person may read, or NotFound."""
    found = (
        FollowUp.objects.select_related("manager", "closed_by", *(f"survey__{r}" for r in RELATED))
        .filter(pk=follow_up_id)
        .first()
    )
    if found is None or not policy.can_view(person, found.survey):
        raise NotFound()
    return found


def open_follow_ups_count(person: Person) -> int:
    return follow_ups_visible_to(person, FollowUpStatus.OPEN).filter(Q(manager=person)).count()
