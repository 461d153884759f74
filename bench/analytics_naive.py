"""The baseline of bench_analytics: the dashboard's figures the way a first version computes
them — every row of the period read into Python and counted, grouped, averaged and sorted
there (one plain query per table, no GROUP BY, no COUNT, no database percentile; clocks,
hand-offs and timeline entries narrowed to the period's tickets by the database, as
`ticket__in` would). The rows are the same ones CareDesk counts (the same scope and period), so
both answers must agree: `compare` says where they do not.
"""

import math
from collections import defaultdict

from caredesk.complaints.models import Category
from caredesk.escalation.models import ClockKind, TicketClock
from caredesk.insights.analytics import figures
from caredesk.satisfaction.models import DIMENSIONS
from caredesk.tickets.models import Handoff, TimelineEntry

SHANGHAI = figures.SHANGHAI


def _pareto(complaints: list[dict], column: str) -> list[dict]:
    counts: dict[int, int] = defaultdict(int)
    for c in complaints:
        if c[column] is not None:
            counts[c[column]] += 1
    names = {c.pk: c.local_name for c in Category.objects.filter(pk__in=list(counts))}
    return figures.pareto([(k, names.get(k, str(k)), n) for k, n in counts.items()])


def _hours(values: list, fraction: float):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(1, math.ceil(fraction * len(ordered))) - 1].total_seconds() / 3600, 2)


def _times(complaints: list[dict]) -> list[dict]:
    rows = []
    for kind, column in figures.COMPLAINT_TIMES:
        took = [c[column] - c["received_at"] for c in complaints if c[column] is not None]
        rows.append(
            {
                "key": kind,
                "count": len(took),
                "median_hours": _hours(took, 0.5),
                "p90_hours": _hours(took, 0.9),
            }
        )
    return rows


def _withdrawal(complaints: list[dict]) -> list[dict]:
    withdrawn = sum(1 for c in complaints if c["status"] == "withdrawn")
    received = len(complaints)
    return [
        {
            "received": received,
            "withdrawn": withdrawn,
            "rate": withdrawn / received if received else 0.0,
        }
    ]


def _satisfaction_by_month(answers: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for a in answers:
        groups[a["answered_at"].astimezone(SHANGHAI).strftime("%Y-%m")].append(a)
    rows = []
    for month in sorted(groups):
        found = groups[month]
        row = {
            "key": month,
            "label": month,
            "answers": len(found),
            "solved": sum(1 for a in found if a["solved"]),
        }
        row.update({d: round(sum(a[d] for a in found) / len(found), 2) for d in DIMENSIONS})
        rows.append(row)
    return rows


def _sla(tickets) -> list[dict]:
    counted: dict[str, list[int]] = {}
    clocks = TicketClock.objects.filter(ticket__in=tickets.values("pk"))
    for kind, stopped, breached in clocks.values_list("kind", "stopped_at", "breached_at"):
        if stopped is not None:
            pair = counted.setdefault(kind, [0, 0])
            pair[0] += 1
            pair[1] += breached is not None
    rows = []
    for kind in ClockKind:
        if kind.value in counted:
            clocks, breached = counted[kind.value]
            rows.append(
                {
                    "key": kind.value,
                    "label": str(kind.label),
                    "clocks": clocks,
                    "met": clocks - breached,
                    "compliance": (clocks - breached) / clocks,
                }
            )
    return rows


def _leading(tickets) -> list[dict]:
    ids = tickets.values("pk")
    totals = dict.fromkeys(figures.LEADING, 0)
    for status in Handoff.objects.filter(ticket__in=ids).values_list("status", flat=True):
        totals["handoffs"] += 1
        totals["declined_handoffs"] += status == "declined"
    entries = TimelineEntry.objects.filter(ticket__in=ids).values_list("kind", "data")
    for kind, data in entries:
        if kind == "escalated":
            totals["escalations"] += 1
        elif kind == "reopened":
            totals["reopenings"] += 1
        elif kind == "call" and (data or {}).get("outcome") != "answered":
            totals["unanswered_calls"] += 1
    n = sum(1 for _pk in tickets.values_list("pk", flat=True))
    return [
        {
            "key": key,
            "tickets": n,
            "total": totals[key],
            "per_ticket": round(totals[key] / n, 3) if n else 0.0,
        }
        for key in figures.LEADING
    ]


def dashboard_figures(filters, viewer) -> dict[str, list[dict]]:
    """The figures of the dashboard's panels (satisfaction by month), computed in Python."""
    complaints = list(
        figures.complaints_in(filters, viewer).values(
            "category_id",
            "root_cause_id",
            "status",
            "received_at",
            *[column for _kind, column in figures.COMPLAINT_TIMES],
        )
    )
    answers = list(figures.answers_in(filters, viewer).values("answered_at", "solved", *DIMENSIONS))
    tickets = figures.tickets_in(filters, viewer)
    return {
        "category": _pareto(complaints, "category_id"),
        "root_cause": _pareto(complaints, "root_cause_id"),
        "satisfaction": _satisfaction_by_month(answers),
        "times": _times(complaints),
        "withdrawal": _withdrawal(complaints),
        "sla": _sla(tickets),
        "leading": _leading(tickets),
    }


def caredesk_figures(filters, viewer) -> dict[str, list[dict]]:
    """The same panels through caredesk.insights.analytics.figures."""
    return {
        "category": figures.complaints_pareto(filters, viewer, by="category"),
        "root_cause": figures.complaints_pareto(filters, viewer, by="root_cause"),
        "satisfaction": figures.satisfaction(filters, viewer, by="period"),
        "times": figures.complaint_times(filters, viewer),
        "withdrawal": figures.withdrawal_rate(filters, viewer),
        "sla": figures.sla_compliance(filters, viewer),
        "leading": figures.leading_indicators(filters, viewer),
    }


def compare(ours: dict, naive: dict) -> list[str]:
    """Where the two answers differ (averages may differ in the last rounded digit)."""

    def same(a, b) -> bool:
        if isinstance(a, float) or isinstance(b, float):
            return a is not None and b is not None and abs(a - b) <= 0.011
        return a == b

    out = []
    for panel, rows in ours.items():
        theirs = naive[panel]
        if len(rows) != len(theirs):
            out.append(f"{panel}: {len(rows)} rows vs {len(theirs)}")
            continue
        for a, b in zip(rows, theirs, strict=True):
            for key in a:
                if not same(a[key], b.get(key)):
                    out.append(f"{panel}/{a.get('key')}/{key}: {a[key]!r} vs {b.get(key)!r}")
    return out
