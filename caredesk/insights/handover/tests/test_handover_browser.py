"""The hand-over page in a real Chromium, in zh-Hans: the day shift's engineer opens it from
the navigation, chooses the customer, and reads seed case 5's morning — the masking by change,
owner and reason, what ends within his shift, the night shift's own silence flagged
unauthorised, the P1, the visit left unresolved — with the filters kept in the URL, at desk
and phone width, then the printable view. Screenshots go to test-artifacts/."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from caredesk.fieldwork.masks import sync
from caredesk.insights.handover.tests.test_report import night  # noqa: F401  (fixture)
from caredesk.web.tests.test_browser import (  # noqa: F401  (fixtures)
    PHONE,
    browser,
    login,
    open_page,
    zh_catalog,
)

pytestmark = pytest.mark.browser

SHOTS = Path(settings.BASE_DIR) / "test-artifacts"
DESK = {"width": 1280, "height": 900}


def _direct_silence(client):
    """The night shift's own silence, made in Alertmanager past CareDesk, then reconciled."""
    now = dt.datetime.now(dt.UTC)
    made = client.create_silence(
        matchers=[{"name": "ne", "value": "BTS-.*", "isRegex": True, "isEqual": True}],
        starts_at=now,
        ends_at=now + dt.timedelta(days=2),
        created_by="night-duty",
        comment="客户夜班要求，先屏蔽全部基站告警",
    )
    assert made.ok
    while sync.push_due(worker="test", client=client):
        pass
    assert sync.reconcile(client=client).unauthorised == 1


def test_day_shift_reads_the_hand_over_in_chinese(
    cast,
    night,  # noqa: F811
    alertmanager,
    open_page,  # noqa: F811
    zh_catalog,  # noqa: F811
):
    _direct_silence(alertmanager)
    page = login(open_page(), "engineer.b")  # engineer.b reads Chinese
    page.set_viewport_size(DESK)
    page.get_by_test_id("nav-handover").click()
    expect(page.locator("h1")).to_contain_text("交接班报告")
    filters = page.get_by_test_id("handover-filters")
    filters.locator("select[name=customer]").select_option(str(cast.orgs.lakeside.pk))
    filters.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(rf"/handover/\?.*customer={cast.orgs.lakeside.pk}"))
    expect(page.get_by_test_id("handover-scope")).to_contain_text(cast.orgs.lakeside.name)

    active = page.get_by_test_id("sec-active-masks")
    expect(active).to_contain_text("生效中的告警屏蔽")
    change_number = night["long"][0].change.number
    expect(active).to_contain_text(change_number)
    expect(active).to_contain_text(cast.d.name)
    expect(active).to_contain_text("升级后割接告警屏蔽")
    expect(active.locator(".badge").first).to_have_text("5")
    expiring = page.get_by_test_id("sec-expiring-masks")
    expect(expiring).to_contain_text("本班内屏蔽到期")
    expect(expiring).to_contain_text("临时屏蔽倒换告警")
    expect(expiring).not_to_contain_text("升级后割接告警屏蔽")

    rogue = page.get_by_test_id("unauthorised-row")
    expect(rogue).to_have_count(1)
    expect(rogue).to_contain_text("night-duty")
    expect(rogue).to_contain_text('ne=~"BTS-.*"')
    expect(page.get_by_test_id("sec-unauthorised")).to_contain_text("未授权屏蔽")

    urgent = page.get_by_test_id("urgent-row")
    expect(urgent).to_have_count(1)
    expect(urgent).to_contain_text("核心网信令中断")
    expect(urgent).to_contain_text(night["urgent"].owner.name)
    expect(page.get_by_test_id("visit-row")).to_contain_text("明早带光功率计复查")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "handover-zh-1280.png", full_page=True)

    # The same report from a phone: the page does not scroll sideways; a wide table scrolls
    # inside its own box.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("unauthorised-row")).to_contain_text("night-duty")
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    for box in page.locator("main .table-responsive").all():
        assert box.bounding_box()["x"] + box.bounding_box()["width"] <= PHONE["width"] + 1
    page.screenshot(path=SHOTS / "handover-zh-390.png", full_page=True)

    # The printable view: the same sections, without the navigation.
    page.set_viewport_size(DESK)
    page.get_by_test_id("handover-print-link").click()
    expect(page).to_have_url(re.compile(r"/handover/print/\?"))
    expect(page.get_by_test_id("sec-active-masks")).to_contain_text(change_number)
    expect(page.get_by_test_id("unauthorised-row")).to_contain_text("night-duty")
    expect(page.get_by_test_id("nav-handover")).to_have_count(0)
    page.screenshot(path=SHOTS / "handover-zh-print.png", full_page=True)

    # An outsider (another operator's contact) finds no such page.
    outsider = login(open_page(), "customer.o")
    answer = outsider.goto(f"/handover/?customer={cast.orgs.lakeside.pk}")
    assert answer.status == 404
