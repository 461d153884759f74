"""The masking rules' export through the API (/api/v1/masks/export): GET /masks's filters and
visibility, every rule (past one page of the list), CSV and xlsx read back; a customer of another
operator exports none of ours."""

import csv
import io

from openpyxl import load_workbook

from caredesk.conftest import ApiClient
from caredesk.fieldwork import api_masks
from caredesk.fieldwork.masks import services
from caredesk.fieldwork.masks.services import RuleDraft


def _csv_rows(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.content
    body = b"".join(answer.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_mask_export_is_the_lists_rules_with_its_filters(cast, at, masking_change, monkeypatch):
    at(0)
    monkeypatch.setattr(api_masks, "PAGE", 2)  # the list pages by two: the export has all
    change = masking_change(elements=["OTN-07", "OTN-08"])
    drafts = [RuleDraft(reason=f"=割接 {i}", elements=["OTN-07"]) for i in range(3)]
    drafts.append(RuleDraft(reason="另一个网元", elements=["OTN-08"]))
    made = services.create_rules(actor=cast.d, change=change, drafts=drafts)
    staff = ApiClient(cast.a)
    staff.client.cookies["django_language"] = "en"
    listed = staff.get("/masks?element=OTN-07&active=true").json()
    assert len(listed["items"]) == 2 and listed["next_cursor"]
    rows = _csv_rows(staff.client.get("/api/v1/masks/export?element=OTN-07&active=true"))
    assert rows[0][:3] == ["Rule", "Customer", "Network elements"]
    assert [r[0] for r in rows[1:]] == [r.number for r in made[:3]][::-1]  # newest first
    assert rows[-1][4] == "'=割接 0"  # a formula-like reason goes out as text
    answer = staff.client.get("/api/v1/masks/export?format=xlsx")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    numbers = [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(numbers) == sorted(r.number for r in made)
    # The customer exports its own rules; another operator's contact none of them.
    assert len(_csv_rows(ApiClient(cast.y).client.get("/api/v1/masks/export"))) == 5
    assert _csv_rows(ApiClient(cast.o).client.get("/api/v1/masks/export"))[1:] == []
    # the rule's own path still answers
    assert staff.get(f"/masks/{made[0].pk}").json()["number"] == made[0].number
