"""The dashboard in a real Chromium: every chart draws a canvas from its json_script option,
with no console error, at desk and phone width, in Chinese and English; screenshots are kept
in test-artifacts/."""

import pytest
from playwright.sync_api import expect

from caredesk.web.tests.test_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    PHONE,
    browser,
    login,
    no_sideways_scroll,
    open_page,
    zh_catalog,
)

pytestmark = pytest.mark.browser

CHARTED = ("category", "root_cause", "satisfaction", "times", "sla", "leading")


def test_dashboard_draws_every_chart_without_console_errors(world, open_page, zh_catalog):  # noqa: F811
    page = open_page()
    errors = []
    # The browser's own favicon request (the app serves none) is not the page's error.
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
    page.get_by_test_id("nav-analytics").click()
    page.goto("/analytics/?period=2026H1")
    for key in CHARTED:
        expect(page.get_by_test_id(f"panel-{key}").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("panel-category").locator("tbody tr").first).to_contain_text("推诿")
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=ARTIFACTS / "analytics-zh-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("panel-category").locator("canvas")).to_have_count(1)
    no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / "analytics-zh-390.png", full_page=True)
    page.get_by_test_id("lang-en").click()
    page.goto("/analytics/?period=2026H1")
    expect(page.locator("h1")).to_have_text("Analytics")
    expect(page.get_by_test_id("panel-times").locator("canvas")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "analytics-en-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=ARTIFACTS / "analytics-en-1280.png", full_page=True)
    assert errors == []
