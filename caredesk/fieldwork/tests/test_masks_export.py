"""The masking rules' export: the list's filters, every rule the reader may see (past the rows
the page shows), as CSV and xlsx read back; an outsider's export holds none of ours."""

import csv
import io

from django.test import Client
from openpyxl import load_workbook

from caredesk.fieldwork.masks import services
from caredesk.fieldwork.masks.services import RuleDraft
from caredesk.fieldwork.views import masks as mask_views


def _session(person) -> Client:
    client = Client()
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


def _csv_rows(answer) -> list[list[str]]:
    body = b"".join(answer.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_mask_export_is_the_lists_rules_with_its_filters(cast, at, masking_change, monkeypatch):
    at(0)
    monkeypatch.setattr(mask_views, "LISTED", 2)  # the page shows two: the export shows all
    change = masking_change(elements=["OTN-07", "OTN-08"])
    drafts = [RuleDraft(reason=f"=割接 {i}", elements=["OTN-07"]) for i in range(3)]
    drafts.append(RuleDraft(reason="另一个网元", elements=["OTN-08"]))
    made = services.create_rules(actor=cast.d, change=change, drafts=drafts)
    staff = _session(cast.a)
    page = staff.get("/masks/?element=OTN-07")
    assert len(page.context["rows"]) == 2 and b"export-csv" in page.content
    rows = _csv_rows(staff.get("/masks/export.csv?element=OTN-07&active=1"))
    assert rows[0][:3] == ["Rule", "Customer", "Network elements"]
    assert [r[0] for r in rows[1:]] == [r.number for r in made[:3]]
    assert rows[1][4] == "'=割接 0"  # a formula-like reason goes out as text
    book = load_workbook(
        io.BytesIO(b"".join(staff.get("/masks/export.xlsx").streaming_content)), read_only=True
    )
    assert sorted(r[0] for r in book.active.iter_rows(min_row=2, values_only=True)) == sorted(
        r.number for r in made
    )
    # The customer exports its own rules; an outsider customer none of them.
    assert len(_csv_rows(_session(cast.y).get("/masks/export.csv"))) == 5
    assert _csv_rows(_session(cast.o).get("/masks/export.csv"))[1:] == []
    assert staff.get("/masks/export.pdf").status_code == 404
