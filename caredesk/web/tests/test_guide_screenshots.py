"""The user guide's screenshots, taken by walking the screens it describes over the demo.

Each screen is opened as the person the guide names, in zh-Hans and in English, its key
element is asserted visible, and no console error may occur. The pictures go to pytest's
tmp_path (a plain test run writes nothing into the checkout), or, with CAREDESK_GUIDE_SHOTS=1,
to docs/img/guide/<lang>-<screen>.png: that is how the committed images are made (see
docs/user-guide.md).
"""

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from playwright.sync_api import expect

from caredesk.complaints import services as complaint_services
from caredesk.complaints.models import Complaint
from caredesk.conftest import _seed_data_of_migrations
from caredesk.demo.surveys import demo_link
from caredesk.demo.world import load_demo
from caredesk.directory.models import Organisation
from caredesk.web.tests.test_browser import (  # noqa: F401  (fixtures)
    PHONE,
    browser,
    login,
    no_sideways_scroll,
    open_page,
    settled,
    zh_catalog,
)

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
TALLEST = 1000  # px: a long page is cut there (the guide shows its top; the files stay small)
GUIDE_DIR = Path(settings.BASE_DIR) / "docs" / "img" / "guide"

HANDOVER_HEADING = {"zh": "交接班报告", "en": "Shift hand-over report"}

# The demo's requests and complaint the guide shows (numbers as load_demo makes them).
RESOLVED_FOR_Y = "CD-2026-000004"  # resolved: customer.y is asked to confirm closure
WORKED_BY_B = "CD-2026-000003"  # in progress, owned by engineer.b
# customer.y's complaint in progress about WORKED_BY_B, answered below so its answer card shows
# (found by its ticket: a complaint's number comes from its row id, which PostgreSQL's
# sequences do not restart between tests).


class Shots:
    """Opens pages that record their console errors, and saves pictures of them."""

    def __init__(self, new_page, folder: Path):
        self.new_page = new_page
        self.folder = folder
        self.errors: list[str] = []
        self.saved: list[Path] = []

    def page(self, username: str | None, lang: str):
        page = self.new_page()
        page.set_viewport_size(DESK)
        # The browser's own favicon request (the app serves none) is not the page's error.
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"{page.url}: {m.text}")
                if m.type == "error" and "favicon" not in m.location.get("url", "")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        if username:
            login(page, username)
            if lang == "en":
                page.get_by_test_id("lang-en").click()
                expect(page.locator("html")).to_have_attribute("lang", "en")
        return page

    def take(self, page, name: str, key, *, desk: bool = True, phone: bool = False):
        """Assert the screen's key element, then save it at desk width and/or phone width."""
        expect(key).to_be_visible()
        settled(page)
        if desk:
            self._save(page, name)
        if phone:
            page.set_viewport_size(PHONE)
            expect(key).to_be_visible()
            no_sideways_scroll(page)
            self._save(page, f"{name}-390", full_page=False)  # the phone's first screen
            page.set_viewport_size(DESK)

    def _save(self, page, name, *, full_page=True):
        path = self.folder / f"{name}.png"
        if full_page:
            height = min(TALLEST, page.evaluate("document.documentElement.scrollHeight"))
            clip = {"x": 0, "y": 0, "width": DESK["width"], "height": height}
            page.screenshot(path=path, full_page=True, clip=clip)
        else:
            page.screenshot(path=path)
        self.saved.append(path)


def _complaint_of_y() -> Complaint:
    return Complaint.objects.get(
        links__ticket__number=WORKED_BY_B, complainant__username="customer.y"
    )


def _answered_complaint() -> Complaint:
    """The demo's complaint of customer.y, with its handler's response: the portal then asks
    the complainant whether it settles the complaint."""
    complaint = _complaint_of_y()
    return complaint_services.respond(
        actor=complaint.handler,
        complaint=complaint,
        text="统一结论：中断由当前版本的兼容性缺陷引起，升级到补丁版本即可解决；割接定于12月10日凌晨，由李博负责，提前一天通知您。",
    )


def _customer_screens(shots: Shots, lang: str, survey_path: str) -> None:
    page = shots.page("customer.y", lang)
    page.goto("/portal/")
    shots.take(page, f"{lang}-portal", page.get_by_test_id("ticket-row").first)
    page.goto(f"/t/{RESOLVED_FOR_Y}/")
    expect(page.get_by_test_id("owner-name")).to_be_visible()
    shots.take(page, f"{lang}-request", page.get_by_test_id("confirm-closure"), phone=True)
    page.goto(f"/complaints/{_complaint_of_y().number}/")
    shots.take(page, f"{lang}-complaint", page.get_by_test_id("answer-card"))
    # The survey link opens without signing in, in the contact's own (just chosen) language.
    survey = shots.page(None, lang)
    survey.goto(survey_path)
    expect(survey.locator("html")).to_have_attribute("lang", "en" if lang == "en" else "zh-Hans")
    # Made for a phone: only its phone picture is kept.
    shots.take(
        survey, f"{lang}-survey", survey.get_by_test_id("survey-form"), desk=False, phone=True
    )


def _staff_screens(shots: Shots, lang: str) -> None:
    page = shots.page("engineer.b", lang)
    page.goto("/queue/")
    expect(page.get_by_test_id("tab-handoffs")).to_be_visible()
    shots.take(page, f"{lang}-workbench", page.get_by_test_id("ticket-row").first)
    page.goto(f"/t/{WORKED_BY_B}/")
    for card in ("conclusion", "escalation-contacts", "notifications", "timeline"):
        expect(page.get_by_test_id(card)).to_be_visible()
    shots.take(page, f"{lang}-ticket", page.get_by_test_id("owner-badge"), phone=True)

    page = shots.page("hotline.h", lang)
    page.goto("/tickets/new/")
    shots.take(page, f"{lang}-record-request", page.locator("main form"))
    page.goto("/complaints/new/")
    page.get_by_test_id("lookup-q").fill("137-0000-0102")
    page.get_by_test_id("lookup-go").click()
    expect(page.get_by_test_id("found-ticket").first).to_be_visible()
    shots.take(page, f"{lang}-complaint-register", page.get_by_test_id("register-form"))

    page = shots.page("manager.a", lang)
    page.goto("/risk/")
    shots.take(page, f"{lang}-at-risk", page.get_by_test_id("risk-row").first)
    province = Organisation.objects.get(name="江南省电信")  # its branches are included
    page.goto(f"/handover/?customer={province.pk}")
    # The apps' own catalogs are compiled (a zh-Hans picture with English headings reads wrong).
    expect(page.locator("h1")).to_contain_text(HANDOVER_HEADING[lang])
    shots.take(page, f"{lang}-handover", page.get_by_test_id("sec-tickets"))
    page.goto("/analytics/")
    expect(page.get_by_test_id("panel-category").locator("canvas")).to_have_count(1)
    shots.take(page, f"{lang}-analytics", page.get_by_test_id("panel-category"))


def test_guide_screens_in_both_languages(transactional_db, open_page, zh_catalog, tmp_path):  # noqa: F811
    _seed_data_of_migrations()  # the taxonomy, if a transactional test before flushed it
    assert load_demo()
    _answered_complaint()
    survey_path = urlparse(demo_link()).path
    folder = GUIDE_DIR if os.environ.get("CAREDESK_GUIDE_SHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    shots = Shots(open_page, folder)
    for lang in ("zh", "en"):
        _customer_screens(shots, lang, survey_path)
        _staff_screens(shots, lang)
    assert shots.errors == []
    assert len(shots.saved) == 2 * 13
    assert all(path.stat().st_size > 0 for path in shots.saved)
