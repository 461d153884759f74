"""The library and a case page in a real Chromium, over the demo: manager.a finds the two
published cases, filters them by tag, reads one (customer voice, event replay with roles, read
only), and the complaint page shows its similar-cases block. Screenshots at 1280 and 390 px in
zh-Hans and English are kept under test-artifacts/ (looked at by the author)."""

import pytest
from playwright.sync_api import expect

from caredesk.complaints.models import Complaint
from caredesk.conftest import _seed_data_of_migrations
from caredesk.demo.world import load_demo
from caredesk.web.tests.test_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    browser,
    login,
    open_page,
    settled,
    zh_catalog,
)

pytestmark = pytest.mark.browser


def _shots(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=ARTIFACTS / f"cases-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_library_and_case_page_read_in_both_languages(transactional_db, open_page, zh_catalog):  # noqa: F811
    _seed_data_of_migrations()  # the taxonomy, if a transactional test before flushed it
    load_demo()
    page = login(open_page(), "manager.a")
    page.goto("/cases/")
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(2)
    _shots(page, "library-zh")
    page.locator("#category").select_option("buck_passing")
    page.locator("[data-testid=case-filters] button").click()
    expect(rows).to_have_count(1)
    rows.first.click()
    expect(page.get_by_test_id("case-status")).to_have_text("已发布")
    replay = page.get_by_test_id("event-replay")
    expect(replay).to_contain_text("服务经理")
    expect(replay).to_contain_text("转交")
    expect(page.get_by_test_id("customer-voice")).not_to_contain_text("王立")
    expect(page.get_by_test_id("case-form")).to_have_count(0)  # published: read-only
    _shots(page, "case-zh")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Published")
    expect(page.get_by_test_id("event-replay")).to_contain_text("service manager")
    _shots(page, "case-en")
    page.goto("/cases/")
    _shots(page, "library-en")

    complaint = Complaint.objects.get(category__code="buck_passing")
    page.goto(f"/complaints/{complaint.number}/")
    block = page.get_by_test_id("similar-cases")
    expect(block).to_be_visible()
    expect(block).to_contain_text("This complaint's learning case")
    settled(page)
    _shots(page, "complaint-en")
