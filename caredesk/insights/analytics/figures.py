"""The dashboard's figures: one function per figure, each taking the filters and the viewer and
returning plain rows (dicts). Every figure is a fixed handful of aggregate queries — GROUP BY,
COUNT, AVG and ordered OFFSET look-ups in the database — whatever the number of rows.

Who sees what follows the floors' own policies: a figure counts only the tickets, complaints
and survey answers the viewer may read (staff: their office and below; a partner engineer: their
own work). Customers read no figures at all (NotFound).
"""

import math
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from caredesk.complaints import policy as complaint_policy
from caredesk.complaints.models import Category, Complaint, ComplaintTicket, Status
from caredesk.directory.models import OFFICE_ROLES, Organisation, Person, Product, Role
from caredesk.errors import NotFound
from caredesk.escalation.models import ClockKind, TicketClock
from caredesk.satisfaction import policy as survey_policy
from caredesk.satisfaction.models import DIMENSIONS, Answer
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import EntryKind, Handoff, HandoffStatus, Ticket, TimelineEntry

from .filters import SHANGHAI, Filters

Rows = list[dict[str, Any]]


def reads_figures(viewer: Person) -> bool:
    """Vendor-office staff and partner engineers (their own figures); never customers."""
    return (
        viewer.is_authenticated
        and viewer.is_active
        and viewer.organisation_id is not None
        and (viewer.role in OFFICE_ROLES or viewer.role == Role.PARTNER_ENGINEER)
    )


def check_reads_figures(viewer: Person) -> None:
    if not reads_figures(viewer):
        raise NotFound()


# ------------------------------------------------------------------ the scoped row sets


def tickets_in(filters: Filters, viewer: Person) -> QuerySet[Ticket]:
    """Tickets opened in the period that the viewer may see, narrowed by the filters."""
    check_reads_figures(viewer)
    qs = Ticket.objects.filter(
        ticket_policy.visible_filter(viewer),
        created_at__gte=filters.period.start,
        created_at__lt=filters.period.end,
    )
    if (ids := filters.customer_ids()) is not None:
        qs = qs.filter(customer_org_id__in=ids)
    if (ids := filters.office_ids()) is not None:
        qs = qs.filter(office_id__in=ids)
    if filters.product_id is not None:
        qs = qs.filter(product_id=filters.product_id)
    if (ids := filters.partner_ids()) is not None:
        qs = qs.filter(owner__organisation_id__in=ids)
    return qs


def complaints_in(filters: Filters, viewer: Person) -> QuerySet[Complaint]:
    """Complaints received in the period that the viewer may see, narrowed by the filters (a
    product or partner narrows to complaints about a ticket of that product or owned there)."""
    check_reads_figures(viewer)
    qs = Complaint.objects.filter(
        complaint_policy.visible_filter(viewer),
        received_at__gte=filters.period.start,
        received_at__lt=filters.period.end,
    )
    if (ids := filters.customer_ids()) is not None:
        qs = qs.filter(customer_org_id__in=ids)
    if (ids := filters.office_ids()) is not None:
        qs = qs.filter(office_id__in=ids)
    links = Q()
    if filters.product_id is not None:
        links &= Q(ticket__product_id=filters.product_id)
    if (ids := filters.partner_ids()) is not None:
        links &= Q(ticket__owner__organisation_id__in=ids)
    if links:
        qs = qs.filter(Exists(ComplaintTicket.objects.filter(links, complaint=OuterRef("pk"))))
    return qs


def answers_in(filters: Filters, viewer: Person) -> QuerySet[Answer]:
    """Survey answers given in the period that the viewer may read: staff by office; a partner
    engineer only the answers about their own work."""
    check_reads_figures(viewer)
    if viewer.role == Role.PARTNER_ENGINEER:
        scope = Q(survey__engineer=viewer)
    else:
        scope = survey_policy.visible_filter(viewer, prefix="survey__")
    qs = Answer.objects.filter(
        scope, answered_at__gte=filters.period.start, answered_at__lt=filters.period.end
    )
    if (ids := filters.customer_ids()) is not None:
        qs = qs.filter(survey__customer_org_id__in=ids)
    if (ids := filters.office_ids()) is not None:
        qs = qs.filter(survey__office_id__in=ids)
    if filters.product_id is not None:
        qs = qs.filter(survey__ticket__product_id=filters.product_id)
    if (ids := filters.partner_ids()) is not None:
        qs = qs.filter(survey__engineer__organisation_id__in=ids)
    return qs


# ------------------------------------------------------------------ satisfaction

SATISFACTION_GROUPS = {
    "period": None,  # by month, Shanghai time
    "office": "survey__office_id",
    "partner": "survey__engineer__organisation_id",
    "engineer": "survey__engineer_id",
    "product": "survey__ticket__product_id",
}


def _labels(group: str, keys: list) -> dict:
    """Display names for the group's keys: one query at most, whatever the number of keys."""
    keys = [k for k in keys if k is not None]
    if not keys:
        return {}
    if group in ("office", "partner"):
        return {o.pk: str(o) for o in Organisation.objects.filter(pk__in=keys)}
    if group == "engineer":
        people = Person.objects.filter(pk__in=keys).only("first_name", "last_name", "username")
        return {p.pk: (p.get_full_name() or p.username) for p in people}
    if group == "product":
        return {p.pk: p.local_name for p in Product.objects.filter(pk__in=keys)}
    if group in ("category", "root_cause"):
        return {c.pk: c.local_name for c in Category.objects.filter(pk__in=keys)}
    return {}


def satisfaction(filters: Filters, viewer: Person, *, by: str = "period") -> Rows:
    """The mean score of each dimension (1–5) and the number of answers, per group; rows in
    the group's order (months ascending, else by name). Partner groups count only answers
    about partner engineers' work."""
    if by not in SATISFACTION_GROUPS:
        raise NotFound()
    qs = answers_in(filters, viewer)
    if by == "period":
        qs = qs.annotate(key=TruncMonth("answered_at", tzinfo=SHANGHAI))
    else:
        qs = qs.annotate(key=F(SATISFACTION_GROUPS[by])).filter(key__isnull=False)
        if by == "partner":
            qs = qs.filter(survey__engineer__role=Role.PARTNER_ENGINEER)
    grouped = (
        qs.values("key")
        .annotate(answers=Count("pk"), solved=Count("pk", filter=Q(solved=True)))
        .annotate(**{d: Avg(d) for d in DIMENSIONS})
        .order_by("key")
    )
    found = list(grouped)
    labels = _labels(by, [r["key"] for r in found])
    rows = []
    for r in found:
        key = r["key"]
        if by == "period":
            key = key.astimezone(SHANGHAI).strftime("%Y-%m")
            label = key
        else:
            label = labels.get(key, str(key))
        row = {"key": key, "label": label, "answers": r["answers"], "solved": r["solved"]}
        row.update({d: round(float(r[d]), 2) for d in DIMENSIONS})
        rows.append(row)
    if by != "period":
        rows.sort(key=lambda row: row["label"])
    return rows


# ------------------------------------------------------------------ complaints

PARETO_GROUPS = {"category": "category_id", "root_cause": "root_cause_id"}


def pareto(counted: list[tuple[Any, str, int]]) -> Rows:
    """(key, label, count) → rows ordered by count (then label), each with its share and the
    cumulative share, both as fractions of the total."""
    ordered = sorted(counted, key=lambda item: (-item[2], item[1]))
    total = sum(item[2] for item in ordered)
    rows, running = [], 0
    for key, label, count in ordered:
        running += count
        rows.append(
            {
                "key": key,
                "label": label,
                "count": count,
                "share": count / total if total else 0.0,
                "cumulative": running / total if total else 0.0,
            }
        )
    return rows


def complaints_pareto(filters: Filters, viewer: Person, *, by: str = "category") -> Rows:
    """The typical problems: complaints of the period by category (or by root cause, for the
    complaints whose root cause is recorded), largest first, with the cumulative share."""
    if by not in PARETO_GROUPS:
        raise NotFound()
    column = PARETO_GROUPS[by]
    grouped = (
        complaints_in(filters, viewer)
        .filter(**{f"{column}__isnull": False})
        .values(column)
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = [(r[column], r["n"]) for r in grouped]
    labels = _labels(by, [k for k, _n in found])
    return pareto([(k, labels.get(k, str(k)), n) for k, n in found])


def _nearest_rank(qs: QuerySet, expression, n: int, fraction: float) -> float | None:
    """The nearest-rank percentile of `expression` over n rows, in hours: one ordered
    OFFSET query in the database."""
    if n == 0:
        return None
    index = max(1, math.ceil(fraction * n)) - 1
    value = (
        qs.annotate(took=expression).order_by("took", "pk").values_list("took", flat=True)[index]
    )
    return round(value.total_seconds() / 3600, 2)


COMPLAINT_TIMES = (
    ("acknowledge", "acknowledged_at"),
    ("callback", "first_callback_at"),
    ("close", "closed_at"),
)


def complaint_times(filters: Filters, viewer: Person) -> Rows:
    """Hours from receipt to acknowledgement, to the first call-back and to closure (withdrawn
    complaints have no closure time): count, median and 90th percentile (nearest rank)."""
    qs = complaints_in(filters, viewer)
    counts = qs.aggregate(
        **{
            kind: Count("pk", filter=Q(**{f"{column}__isnull": False}))
            for kind, column in COMPLAINT_TIMES
        }
    )
    rows = []
    for kind, column in COMPLAINT_TIMES:
        done = qs.filter(**{f"{column}__isnull": False})
        took = ExpressionWrapper(F(column) - F("received_at"), output_field=DurationField())
        n = counts[kind]
        rows.append(
            {
                "key": kind,
                "count": n,
                "median_hours": _nearest_rank(done, took, n, 0.5),
                "p90_hours": _nearest_rank(done, took, n, 0.9),
            }
        )
    return rows


def withdrawal_rate(filters: Filters, viewer: Person) -> Rows:
    """Complaints received in the period and how many of them were withdrawn (撤诉)."""
    counts = complaints_in(filters, viewer).aggregate(
        received=Count("pk"), withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN))
    )
    received, withdrawn = counts["received"], counts["withdrawn"]
    return [
        {
            "received": received,
            "withdrawn": withdrawn,
            "rate": withdrawn / received if received else 0.0,
        }
    ]


# ------------------------------------------------------------------ tickets


def sla_compliance(filters: Filters, viewer: Person) -> Rows:
    """Per clock kind, the stopped clocks of the period's tickets and how many stopped without
    a breach; one row per kind that has any."""
    grouped = (
        TicketClock.objects.filter(
            ticket__in=tickets_in(filters, viewer).values("pk"), stopped_at__isnull=False
        )
        .values("kind")
        .annotate(clocks=Count("pk"), breached=Count("pk", filter=Q(breached_at__isnull=False)))
        .order_by()
    )
    found = {r["kind"]: r for r in grouped}
    rows = []
    for kind in ClockKind:
        if kind.value not in found:
            continue
        r = found[kind.value]
        met = r["clocks"] - r["breached"]
        rows.append(
            {
                "key": kind.value,
                "label": str(kind.label),
                "clocks": r["clocks"],
                "met": met,
                "compliance": met / r["clocks"],
            }
        )
    return rows


LEADING = ("handoffs", "declined_handoffs", "escalations", "reopenings", "unanswered_calls")


def leading_indicators(filters: Filters, viewer: Person) -> Rows:
    """Signals that come before a complaint, per ticket of the period: hand-offs proposed,
    hand-offs declined, escalation steps fired, reopenings and calls nobody answered. Three
    aggregate queries."""
    tickets = tickets_in(filters, viewer)
    n = tickets.count()
    ids = tickets.values("pk")
    handoffs = Handoff.objects.filter(ticket__in=ids).aggregate(
        handoffs=Count("pk"), declined_handoffs=Count("pk", filter=Q(status=HandoffStatus.DECLINED))
    )
    entries = TimelineEntry.objects.filter(ticket__in=ids).aggregate(
        escalations=Count("pk", filter=Q(kind=EntryKind.ESCALATED)),
        reopenings=Count("pk", filter=Q(kind=EntryKind.REOPENED)),
        unanswered_calls=Count("pk", filter=Q(kind=EntryKind.CALL) & ~Q(data__outcome="answered")),
    )
    totals = {**handoffs, **entries}
    return [
        {
            "key": key,
            "tickets": n,
            "total": totals[key],
            "per_ticket": round(totals[key] / n, 3) if n else 0.0,
        }
        for key in LEADING
    ]


def measure_labels() -> dict[str, str]:
    """The row keys of the figures above, as the pages and the report name them."""
    return {
        "acknowledge": _("Time to acknowledge"),
        "callback": _("Time to first call-back"),
        "close": _("Time to close"),
        "handoffs": _("Hand-offs"),
        "declined_handoffs": _("Declined hand-offs"),
        "escalations": _("Escalations fired"),
        "reopenings": _("Reopenings"),
        "unanswered_calls": _("Unanswered calls"),
        "responsiveness": _("Responsiveness"),
        "attitude": _("Attitude"),
        "technical_skill": _("Technical skill"),
        "communication": _("Communication"),
    }
