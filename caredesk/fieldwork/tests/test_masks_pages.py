"""The masking rules' pages: the list and a rule's page in both languages, the upload of a
spreadsheet or CSV all or nothing with the table of bad rows, removal from the page."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from caredesk import clock
from caredesk.fieldwork.masks import services
from caredesk.fieldwork.masks.services import RuleDraft
from caredesk.fieldwork.models import ForeignSilence, MaskingRule, MaskStatus


def _client(person, language="zh-hans") -> Client:
    c = Client()
    c.force_login(person)
    c.cookies["django_language"] = language
    return c


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_xlsx_all_or_nothing_names_bad_rows(cast, at, masking_change):
    now = at(0)
    change = masking_change(elements=["OTN-07", "OTN-08", "OTN-09"])
    later = (now + dt.timedelta(hours=6)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    bad = _xlsx(
        [
            ["网元", "告警码", "原因", "结束"],
            ["OTN-07", "LOS", "割接", later.replace(tzinfo=None)],
            [None, None, None, None],
            ["OTN-99", "LOS", "割接", None],
            ["OTN-08", None, "", "明天"],
        ]
    )
    s = _client(cast.d, "en")
    answer = s.post(
        "/masks/upload/",
        {"change": change.pk, "file": SimpleUploadedFile("masks.xlsx", bad)},
    )
    assert answer.status_code == 422
    cells = {(p.row, p.column) for p in answer.context["problems"]}
    assert cells == {(4, "elements"), (5, "reason"), (5, "ends_at")}
    assert b"OTN-99" in answer.content and not MaskingRule.objects.exists()
    good = "elements,alarm_codes,reason,ends_at\nOTN-07,LOS;LOF,割接,\nOTN-08,,割接,\n".encode()
    done = s.post(
        "/masks/upload/", {"change": change.pk, "file": SimpleUploadedFile("m.csv", good)}
    )
    assert done.status_code == 302
    rules = list(MaskingRule.objects.order_by("pk"))
    assert [r.elements for r in rules] == [["OTN-07"], ["OTN-08"]]
    assert rules[0].alarm_codes == ["LOS", "LOF"]
    assert all(r.ends_at == now + dt.timedelta(hours=24) for r in rules)
    # A customer has no upload page; a staff member without a masking change gets none to pick.
    assert _client(cast.y).get("/masks/upload/").status_code == 404
    assert b"mask-upload-none" in _client(cast.c).get("/masks/upload/").content


def test_list_and_rule_page_in_both_languages(cast, at, masking_change):
    at(0)
    rule = services.create_rule(
        actor=cast.d, change=masking_change(), draft=RuleDraft(reason="割接", elements=["OTN-07"])
    )
    ForeignSilence.objects.create(
        silence_id="abc",
        created_by="night",
        state="active",
        first_seen_at=clock.now(),
        last_seen_at=clock.now(),
    )
    zh = _client(cast.a).get("/masks/").content.decode()
    assert "告警屏蔽规则" in zh and rule.number in zh and "未授权屏蔽" in zh and "night" in zh
    en = _client(cast.a, "en").get("/masks/").content.decode()
    assert "Alarm masking rules" in en and "Unauthorised silences" in en
    # The customer sees its rules, not Alertmanager's report; an outsider neither.
    mine = _client(cast.y).get("/masks/").content.decode()
    assert rule.number in mine and "night" not in mine
    assert rule.number not in _client(cast.o).get("/masks/").content.decode()
    assert _client(cast.o).get(f"/masks/{rule.pk}/").status_code == 404
    page = _client(cast.y, "en").get(f"/masks/{rule.pk}/")
    assert page.status_code == 200 and b"mask-remove-form" not in page.content


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_remove_from_the_page(cast, at, masking_change, language):
    at(0)
    rule = services.create_rule(
        actor=cast.d, change=masking_change(), draft=RuleDraft(reason="割接", elements=["OTN-07"])
    )
    s = _client(cast.b, language)
    refused = s.post(f"/masks/{rule.pk}/remove/", {"reason": "", "version": rule.version})
    assert refused.status_code == 422
    stale = s.post(f"/masks/{rule.pk}/remove/", {"reason": "完成", "version": 99})
    assert stale.status_code == 409
    done = s.post(f"/masks/{rule.pk}/remove/", {"reason": "完成", "version": rule.version})
    assert done.status_code == 302
    assert MaskingRule.objects.get(pk=rule.pk).status == MaskStatus.REMOVED
    assert _client(cast.c).post(f"/masks/{rule.pk}/remove/", {"reason": "x"}).status_code == 403
