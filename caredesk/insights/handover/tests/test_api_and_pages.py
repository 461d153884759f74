"""GET /api/v1/handover and the /handover/ pages: the same report, the API's error shape for a
bad moment, an unknown customer or no scope, customers and outsiders not found; the notice
page's acknowledge button."""

import datetime as dt

import pytest
from django.test import Client

from caredesk.conftest import T0
from caredesk.fieldwork.masks import services as mask_services
from caredesk.insights.handover import services
from caredesk.insights.handover.models import HandoverNotice, HandoverRecipient


@pytest.fixture
def lakeside(cast, at, masking_change, open_request):
    at(0, fire=False)
    change = masking_change()
    mask_services.create_rules(
        actor=cast.d,
        change=change,
        drafts=[
            mask_services.RuleDraft(
                reason="割接后屏蔽", elements=[f"NE-{i}"], ends_at=T0 + dt.timedelta(hours=6)
            )
            for i in range(3)
        ],
    )
    open_request(severity="P1", title="核心网中断")
    return change


def _error(res):
    body = res.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_api_report_names_masks_with_owner_reason_and_change(cast, api, lakeside):
    res = api(cast.b).get(f"/handover?customer={cast.orgs.lakeside.pk}")
    assert res.status_code == 200
    body = res.json()
    [group] = body["active_masks"]
    assert (group["count"], group["reason"], group["owner"]["name"]) == (
        3,
        "割接后屏蔽",
        cast.d.name,
    )
    assert group["change_number"] == lakeside.number
    assert [r["elements"] for r in group["rules"]] == [["NE-0"], ["NE-1"], ["NE-2"]]
    assert body["summary"]["urgent_tickets"] == 1
    assert body["urgent_tickets"][0]["owner"]["name"] == cast.b.name


def test_api_refuses_a_bad_moment_an_unknown_customer_and_no_scope(cast, api, lakeside):
    c = api(cast.b)
    bad = c.get(f"/handover?customer={cast.orgs.lakeside.pk}&at=yesterday")
    assert bad.status_code == 422 and "at" in _error(bad)["fields"]
    naive = c.get(f"/handover?customer={cast.orgs.lakeside.pk}&at=2026-11-24T10:00:00")
    assert naive.status_code == 422 and "at" in _error(naive)["fields"]
    unknown = c.get("/handover?customer=999999")
    assert unknown.status_code == 404 and _error(unknown)["code"] == "not_found"
    none = c.get("/handover")
    assert none.status_code == 422 and "customer" in _error(none)["fields"]
    past = c.get(f"/handover?customer={cast.orgs.lakeside.pk}&at=2026-11-24T01:00:00%2B08:00")
    assert past.status_code == 200 and past.json()["active_masks"] == []


def test_api_customers_and_outsiders_get_not_found(cast, api, lakeside):
    for person in (cast.y, cast.x, cast.o):
        res = api(person).get(f"/handover?customer={cast.orgs.lakeside.pk}")
        assert res.status_code == 404, person
        assert _error(res)["code"] == "not_found"


def _session(person, language="zh-hans"):
    s = Client()
    s.force_login(person)
    s.cookies["django_language"] = language
    return s


def test_page_and_printable_view_show_the_report_in_chinese(cast, lakeside):
    s = _session(cast.b)
    page = s.get(f"/handover/?customer={cast.orgs.lakeside.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "交接班报告" in html and "割接后屏蔽" in html and lakeside.number in html
    printed = s.get(f"/handover/print/?customer={cast.orgs.lakeside.pk}")
    assert printed.status_code == 200 and "割接后屏蔽" in printed.content.decode()
    assert "web/base.html" not in [t.name for t in printed.templates]


def test_page_refuses_a_bad_moment_as_a_form_error(cast, lakeside):
    s = _session(cast.b, "en")
    res = s.get(f"/handover/?customer={cast.orgs.lakeside.pk}&at=soon")
    assert res.status_code == 400
    assert "Enter a valid date/time" in res.content.decode()
    assert s.get("/handover/?customer=999999").status_code in (400, 404)


def test_page_is_not_found_for_customers(cast, lakeside):
    assert _session(cast.y).get(f"/handover/?customer={cast.orgs.lakeside.pk}").status_code == 404
    assert _session(cast.y).get("/handover/").status_code == 404


def test_notice_page_acknowledges_for_its_recipient_only(cast, at, lakeside):
    services.save_schedule(
        actor=cast.a,
        name="湖滨值班",
        customer_org=cast.orgs.lakeside,
        region=None,
        slots=[services.SlotDraft(starts=dt.time(20), people=[cast.c])],
    )
    at(10 * 60)
    notice = HandoverNotice.objects.get()
    assert _session(cast.b).get(f"/handover/notices/{notice.pk}/").status_code == 404
    s = _session(cast.c)
    page = s.get(f"/handover/notices/{notice.pk}/")
    assert page.status_code == 200 and "确认接班" in page.content.decode()
    assert s.post(f"/handover/notices/{notice.pk}/acknowledge/").status_code == 302
    row = HandoverRecipient.objects.get(notice=notice, person=cast.c)
    assert row.acknowledged_at == T0 + dt.timedelta(hours=10)
    assert "已确认" in s.get(f"/handover/notices/{notice.pk}/").content.decode()


def test_staff_navigation_links_masks_and_handover_and_the_mask_list_links_the_report(
    cast, lakeside
):
    html = _session(cast.b).get(f"/masks/?customer={cast.orgs.lakeside.pk}").content.decode()
    assert 'data-testid="nav-masks"' in html and 'data-testid="nav-handover"' in html
    assert f'href="/handover/?customer={cast.orgs.lakeside.pk}"' in html
    portal = _session(cast.y).get("/masks/").content.decode()
    assert 'data-testid="nav-handover"' not in portal
    assert 'data-testid="mask-handover-link"' not in portal
