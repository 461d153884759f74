"""The report workbook opened with openpyxl: its sheets, its figures and the Pareto chart."""

import io
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from caredesk.insights.analytics import workbook
from caredesk.insights.analytics.filters import Filters, parse_period


def test_report_command_writes_a_workbook_with_the_pareto_chart(world, tmp_path):
    out = io.StringIO()
    call_command("report", period="2026H1", out=str(tmp_path), **{"as": "manager.a"}, stdout=out)
    path, slides = out.getvalue().split()
    assert (path.endswith(".xlsx"), slides.endswith(".pptx")) == (True, True)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["概览", "按类别", "按合作方", "按工程师", "满意度", "明细"]
    category = book["按类别"]
    assert [c.value for c in category[2]] == ["推诿", 3, 0.75, 0.75]
    assert [c.value for c in category[3]] == ["联系不上", 1, 0.25, 1.0]
    (chart,) = category._charts  # openpyxl keeps the charts it read
    kinds = {type(chart).__name__} | {type(c).__name__ for c in getattr(chart, "_charts", [])}
    assert "BarChart" in kinds
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/charts/chart1.xml").decode()
    # One chart: columns for the counts, the cumulative line on its own (secondary) axis.
    assert "<c:barChart>" in xml and "<c:lineChart>" in xml
    assert xml.count("<c:valAx>") == 2
    raw = book["明细"]
    assert raw.max_row == 1 + 4  # heading + the four H1 complaints


def test_english_workbook_and_its_summary(world, tmp_path):
    call_command(
        "report",
        period="2026H1",
        language="en",
        out=str(tmp_path),
        **{"as": "manager.a"},
        stdout=io.StringIO(),
    )
    (path,) = tmp_path.glob("*.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Summary"
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=4, values_only=True)}
    assert summary["Complaints received"] == 4
    assert summary["Withdrawal rate"] == 0.25


def test_one_table_download_holds_exactly_the_rows(world):
    from caredesk.insights.analytics import figures

    rows = figures.complaints_pareto(Filters(period=parse_period("2026H1")), world.cast.a)
    data = workbook.table_xlsx("Pareto", workbook.pareto_columns(), rows)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(min_row=4, values_only=True))
    assert values == [(r["label"], r["count"], r["share"], r["cumulative"]) for r in rows]


def test_report_refuses_customers_and_bad_periods(world, tmp_path):
    with pytest.raises(CommandError, match="may not read"):
        call_command("report", period="2026H1", out=str(tmp_path), **{"as": "customer.y"})
    with pytest.raises(CommandError, match="period"):
        call_command("report", period="2026H9", out=str(tmp_path), **{"as": "manager.a"})
    assert list(tmp_path.iterdir()) == []
