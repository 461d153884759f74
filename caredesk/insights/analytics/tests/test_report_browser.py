"""The Build report button in a real Chromium: it queues a run with the page's filters, the run
page polls its progress card (HTMX) and shows the files once the worker built them; no console
error; a screenshot of each state is kept in test-artifacts/."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from caredesk.insights.analytics import building
from caredesk.insights.analytics.models import ReportRun
from caredesk.web.tests.test_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    browser,
    login,
    open_page,
    zh_catalog,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"


def test_build_report_shows_progress_then_the_files(world, open_page, zh_catalog, reports_dir):  # noqa: F811
    page = open_page()
    errors = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "favicon" not in m.location.get("url", "")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, "manager.a")
    lakeside = world.cast.orgs.lakeside.pk
    page.goto(f"/analytics/?period=2026H1&customer={lakeside}")
    page.get_by_test_id("build-report").get_by_role("button").click()
    card = page.get_by_test_id("run-progress")
    expect(card).to_have_attribute("data-status", "queued")
    expect(card).to_contain_text("排队中")
    run = ReportRun.objects.get()
    assert run.filters == {"period": "2026H1", "customer": str(lakeside)}
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "report-run-queued-zh.png", full_page=True)
    building.build_due(worker="browser", lease=dt.timedelta(minutes=2))
    expect(card).to_have_attribute("data-status", "done", timeout=10_000)  # polled, no reload
    expect(page.get_by_test_id("run-file-xlsx")).to_be_visible()
    expect(page.get_by_test_id("run-list").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("run-list")).to_contain_text("已完成")  # the list is polled too
    expect(page.get_by_test_id("run-list")).to_contain_text(world.cast.orgs.lakeside.name)
    page.screenshot(path=ARTIFACTS / "report-run-done-zh.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("run-file-pptx").click()
    assert download.value.suggested_filename.endswith(".pptx")
    assert errors == []
