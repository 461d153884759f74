"""The dashboard's panels: for each, its figure rows, the table columns shown (and downloaded)
and the ECharts option drawn from the same rows. Pure functions of the rows; the page and
the xlsx download both go through `panel_rows`."""

from typing import Any

from django.utils.translation import gettext as _

from caredesk.directory.models import Person

from . import figures
from .filters import Filters
from .workbook import Column, pareto_columns, satisfaction_columns

SATISFACTION_BY = ("period", "office", "partner", "engineer", "product")


def _group_heading(by: str) -> str:
    return {
        "period": _("Month"),
        "office": _("Office"),
        "partner": _("Partner"),
        "engineer": _("Engineer"),
        "product": _("Product"),
    }[by]


def _bar(labels, series, *, percent=False, y2=None) -> dict[str, Any]:
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 48, "right": 48, "top": 40, "bottom": 56, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 20}},
        "yAxis": [{"type": "value", "max": 1 if percent else None}],
        "series": series,
    }
    if y2:
        option["yAxis"].append({"type": "value", "min": 0, "max": 1, "name": y2})
    return option


def panel_rows(key: str, filters: Filters, viewer: Person, *, by: str = "period"):
    """(title, columns, rows, chart option or None) of one panel."""
    labels = figures.measure_labels()
    if key in ("category", "root_cause"):
        rows = figures.complaints_pareto(filters, viewer, by=key)
        title = _("Complaints by category") if key == "category" else _("Complaints by root cause")
        names = [r["label"] for r in rows]
        chart = _bar(
            names,
            [
                {"name": _("Complaints"), "type": "bar", "data": [r["count"] for r in rows]},
                {
                    "name": _("Cumulative share"),
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": [round(r["cumulative"], 4) for r in rows],
                },
            ],
            y2=_("Cumulative share"),
        )
        return title, pareto_columns(), rows, chart
    if key == "satisfaction":
        by = by if by in SATISFACTION_BY else "period"
        rows = figures.satisfaction(filters, viewer, by=by)
        series = [
            {"name": labels[d], "type": "bar", "data": [r[d] for r in rows]}
            for d in figures.DIMENSIONS
        ]
        chart = _bar([r["label"] for r in rows], series)
        chart["yAxis"][0].update({"min": 0, "max": 5})
        return (
            _("Satisfaction per dimension"),
            satisfaction_columns(_group_heading(by)),
            rows,
            chart,
        )
    if key == "times":
        rows = [dict(r, label=labels[r["key"]]) for r in figures.complaint_times(filters, viewer)]
        columns: list[Column] = [
            ("label", _("Figure"), "text"),
            ("count", _("Complaints"), "int"),
            ("median_hours", _("median (h)"), "float"),
            ("p90_hours", _("p90 (h)"), "float"),
        ]
        chart = _bar(
            [r["label"] for r in rows],
            [
                {"name": _("median (h)"), "type": "bar", "data": [r["median_hours"] for r in rows]},
                {"name": _("p90 (h)"), "type": "bar", "data": [r["p90_hours"] for r in rows]},
            ],
        )
        return _("Complaint handling times"), columns, rows, chart
    if key == "withdrawal":
        rows = figures.withdrawal_rate(filters, viewer)
        columns = [
            ("received", _("Complaints received"), "int"),
            ("withdrawn", _("Complaints withdrawn"), "int"),
            ("rate", _("Withdrawal rate"), "pct"),
        ]
        return _("Withdrawal rate"), columns, rows, None
    if key == "sla":
        rows = figures.sla_compliance(filters, viewer)
        columns = [
            ("label", _("Clock"), "text"),
            ("clocks", _("Clocks stopped"), "int"),
            ("met", _("Met"), "int"),
            ("compliance", _("SLA compliance"), "pct"),
        ]
        chart = _bar(
            [r["label"] for r in rows],
            [
                {
                    "name": _("SLA compliance"),
                    "type": "bar",
                    "data": [round(r["compliance"], 4) for r in rows],
                }
            ],
            percent=True,
        )
        return _("SLA compliance per clock"), columns, rows, chart
    if key == "leading":
        rows = [
            dict(r, label=labels[r["key"]]) for r in figures.leading_indicators(filters, viewer)
        ]
        columns = [
            ("label", _("Figure"), "text"),
            ("tickets", _("Tickets"), "int"),
            ("total", _("Total"), "int"),
            ("per_ticket", _("per ticket"), "float"),
        ]
        chart = _bar(
            [r["label"] for r in rows],
            [{"name": _("per ticket"), "type": "bar", "data": [r["per_ticket"] for r in rows]}],
        )
        return _("Leading indicators per ticket"), columns, rows, chart
    raise KeyError(key)


PANELS = ("category", "root_cause", "satisfaction", "times", "withdrawal", "sla", "leading")


def cells(columns: list[Column], rows: list[dict[str, Any]]) -> list[list[str]]:
    """The table view's cells, formatted as the download formats them."""
    out = []
    for row in rows:
        line = []
        for key, _heading, fmt in columns:
            value = row.get(key)
            if value is None:
                line.append("—")
            elif fmt == "pct":
                line.append(f"{value * 100:.1f}%")
            elif fmt == "float":
                line.append(f"{value:.2f}")
            else:
                line.append(str(value))
        out.append(line)
    return out
