"""The report's xlsx workbook, and the one-sheet download behind each dashboard table: both
written with XlsxWriter from the very rows the figures return, so a download holds exactly
what the page shows.

The by-category sheet carries a native Excel Pareto: the counts as columns and the cumulative
share as a line on a secondary axis (python-pptx cannot combine the two; Excel can).
"""

import datetime as dt
import io
from typing import Any

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from caredesk.directory.models import Person

from . import figures
from .filters import SHANGHAI, Filters

Column = tuple[str, str, str]  # (row key, heading, format: "text" | "int" | "float" | "pct")


def pareto_columns() -> list[Column]:
    return [
        ("label", _("Category"), "text"),
        ("count", _("Complaints"), "int"),
        ("share", _("Share"), "pct"),
        ("cumulative", _("Cumulative share"), "pct"),
    ]


def satisfaction_columns(group_heading: str) -> list[Column]:
    labels = figures.measure_labels()
    return [
        ("label", group_heading, "text"),
        ("answers", _("Answers"), "int"),
        ("solved", _("Solved"), "int"),
        *[(d, labels[d], "float") for d in figures.DIMENSIONS],
    ]


class _Sheets:
    """A workbook with the few cell formats every sheet shares."""

    def __init__(self, target):
        self.book = xlsxwriter.Workbook(target, {"in_memory": True, "remove_timezone": True})
        self.formats = {
            "head": self.book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1}),
            "text": None,
            "int": self.book.add_format({"num_format": "0"}),
            "float": self.book.add_format({"num_format": "0.00"}),
            "pct": self.book.add_format({"num_format": "0.0%"}),
            "title": self.book.add_format({"bold": True, "font_size": 14}),
        }

    def table(self, name: str, columns: list[Column], rows: list[dict[str, Any]], *, title=""):
        sheet = self.book.add_worksheet(name[:31])
        top = 0
        if title:
            sheet.write(0, 0, title, self.formats["title"])
            top = 2
        for c, (_key, heading, _fmt) in enumerate(columns):
            sheet.write(top, c, heading, self.formats["head"])
            sheet.set_column(c, c, 22 if c == 0 else 14)
        for r, row in enumerate(rows, start=top + 1):
            for c, (key, _heading, fmt) in enumerate(columns):
                value = row.get(key)
                if value is None:
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write(r, c, value, self.formats[fmt])
        return sheet, top

    def close(self):
        self.book.close()


def table_xlsx(title: str, columns: list[Column], rows: list[dict[str, Any]]) -> bytes:
    """One sheet holding one dashboard table: the download behind its button."""
    out = io.BytesIO()
    sheets = _Sheets(out)
    sheets.table(title, columns, rows, title=title)
    sheets.close()
    return out.getvalue()


def _add_pareto_chart(sheets: _Sheets, sheet, name: str, top: int, n: int) -> None:
    if n == 0:
        return
    first, last = top + 1, top + n
    bars = sheets.book.add_chart({"type": "column"})
    bars.add_series(
        {
            "name": _("Complaints"),
            "categories": [name, first, 0, last, 0],
            "values": [name, first, 1, last, 1],
            "fill": {"color": "#4472C4"},
        }
    )
    line = sheets.book.add_chart({"type": "line"})
    line.add_series(
        {
            "name": _("Cumulative share"),
            "categories": [name, first, 0, last, 0],
            "values": [name, first, 3, last, 3],
            "y2_axis": True,
            "marker": {"type": "circle"},
            "line": {"color": "#C00000"},
        }
    )
    bars.combine(line)
    bars.set_title({"name": _("Typical problems (Pareto)")})
    bars.set_y_axis({"name": _("Complaints")})
    line.set_y2_axis({"name": _("Cumulative share"), "min": 0, "max": 1, "num_format": "0%"})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 720, "height": 400})
    sheet.insert_chart(top, 5, bars)
    # Printed (or rendered to PDF), the table and the chart beside it on one landscape page.
    sheet.set_landscape()
    sheet.fit_to_pages(1, 1)


def _raw_complaints(filters: Filters, viewer: Person) -> list[dict[str, Any]]:
    """The period's complaints as flat rows: one query over the columns the sheet shows."""
    rows = (
        figures.complaints_in(filters, viewer)
        .order_by("received_at", "pk")
        .values(
            "number",
            "received_at",
            "customer_org__name",
            "category__name",
            "category__name_en",
            "root_cause__name",
            "root_cause__name_en",
            "status",
            "acknowledged_at",
            "first_callback_at",
            "closed_at",
        )
    )
    english = (translation.get_language() or "").startswith("en")
    out = []
    for r in rows:
        cat = (r["category__name_en"] if english else "") or r["category__name"]
        cause = (r["root_cause__name_en"] if english else "") or r["root_cause__name"] or ""
        out.append(
            {
                "number": r["number"],
                "received": _local(r["received_at"]),
                "customer": r["customer_org__name"],
                "category": cat,
                "root_cause": cause,
                "status": r["status"],
                "acknowledged": _local(r["acknowledged_at"]),
                "called_back": _local(r["first_callback_at"]),
                "closed": _local(r["closed_at"]),
            }
        )
    return out


def _local(value: dt.datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else None


def summary_rows(filters: Filters, viewer: Person) -> list[dict[str, Any]]:
    """The period's headline figures as (figure, value) rows."""
    labels = figures.measure_labels()
    withdrawal = figures.withdrawal_rate(filters, viewer)[0]
    rows = [
        {"figure": pgettext("analytics", "Period"), "value": filters.period.label},
        {"figure": _("Complaints received"), "value": withdrawal["received"]},
        {"figure": _("Complaints withdrawn"), "value": withdrawal["withdrawn"]},
        {"figure": _("Withdrawal rate"), "value": round(withdrawal["rate"], 4)},
    ]
    median, p90, per_ticket = _("median (h)"), _("p90 (h)"), _("per ticket")
    sla = _("SLA compliance")
    for r in figures.complaint_times(filters, viewer):
        name = labels[r["key"]]
        rows.append({"figure": f"{name} — {median}", "value": r["median_hours"]})
        rows.append({"figure": f"{name} — {p90}", "value": r["p90_hours"]})
    for r in figures.sla_compliance(filters, viewer):
        rows.append({"figure": f"{sla} — {r['label']}", "value": round(r["compliance"], 4)})
    for r in figures.leading_indicators(filters, viewer):
        rows.append({"figure": f"{labels[r['key']]} — {per_ticket}", "value": r["per_ticket"]})
    return rows


def build_workbook(filters: Filters, viewer: Person, target, *, shared=None) -> None:
    """Write the report workbook to `target` (a path or a binary file): summary, by category
    with its Pareto chart, by partner, by engineer, satisfaction by month, and the raw rows.
    `shared`: the figures the deck shows too (report.SharedFigures), when already computed."""
    summary = shared.summary if shared else summary_rows(filters, viewer)
    sheets = _Sheets(target)
    sheets.table(
        _("Summary"),
        [("figure", _("Figure"), "text"), ("value", _("Value"), "float")],
        summary,
        title=_("Service report %(period)s") % {"period": filters.period.label},
    )
    name = _("By category")
    rows = shared.pareto if shared else figures.complaints_pareto(filters, viewer)
    sheet, top = sheets.table(name, pareto_columns(), rows)
    _add_pareto_chart(sheets, sheet, name[:31], top, len(rows))
    sheets.table(
        _("By partner"),
        satisfaction_columns(_("Partner")),
        figures.satisfaction(filters, viewer, by="partner"),
    )
    sheets.table(
        _("By engineer"),
        satisfaction_columns(_("Engineer")),
        figures.satisfaction(filters, viewer, by="engineer"),
    )
    sheets.table(
        _("Satisfaction"),
        satisfaction_columns(_("Month")),
        shared.by_month if shared else figures.satisfaction(filters, viewer, by="period"),
    )
    sheets.table(
        _("Raw rows"),
        [
            ("number", _("Complaint"), "text"),
            ("received", _("Received"), "text"),
            ("customer", _("Customer"), "text"),
            ("category", _("Category"), "text"),
            ("root_cause", _("Root cause"), "text"),
            ("status", _("Status"), "text"),
            ("acknowledged", _("Acknowledged"), "text"),
            ("called_back", _("First call-back"), "text"),
            ("closed", _("Closed"), "text"),
        ],
        _raw_complaints(filters, viewer),
    )
    sheets.close()
