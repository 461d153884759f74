"""The screens in a real Chromium (Playwright, Debian's /usr/bin/chromium, never a download).

What a person sees: a portal request that is routed, handed off and accepted, with the
customer watching the owner change; the ticket page in both languages; a form error that
stays on the page and creates nothing. Pages use hx-boost (body swaps), so the tests wait on
locators and text, never on navigation events or sleeps.
"""

import base64
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

# Playwright's sync API runs an event loop in this thread; the ORM calls of the tests and
# fixtures (cast, asserts on the database) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from django_otp.oath import TOTP  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from caredesk.demo.world import DEMO_PASSWORD  # noqa: E402
from caredesk.tickets import services  # noqa: E402
from caredesk.tickets.models import Handoff, Status, Ticket  # noqa: E402

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

expect.set_options(timeout=TIMEOUT_MS)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def zh_catalog(tmp_path_factory):
    """The zh-Hans catalog as the .po says now.

    `make test` compiles the catalogs first; a bare `pytest` run may find no .mo, or one older
    than the .po. Then compile the .po into a temporary folder and read it from there (nothing
    is written into the working tree)."""
    locale_dir = Path(settings.BASE_DIR) / "locale"
    po = locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not po.exists() or (mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime):
        yield
        return
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail(f"{mo} is missing or older than the .po and msgfmt is absent: make messages")
    out = tmp_path_factory.mktemp("locale")
    target = out / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    target.parent.mkdir(parents=True)
    subprocess.run([msgfmt, "--check-format", "-o", str(target), str(po)], check=True)
    # Changing LOCALE_PATHS empties Django's cache of loaded catalogs (setting_changed).
    with override_settings(LOCALE_PATHS=[out]):
        yield


@pytest.fixture
def open_page(browser, live_server, request):
    """A factory of logged-out pages, each in its own browser context (own cookies)."""
    contexts = []
    failed_before = request.session.testsfailed

    def make():
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    if request.session.testsfailed > failed_before:  # the call phase of this test failed
        ARTIFACTS.mkdir(exist_ok=True)
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                page.screenshot(path=ARTIFACTS / f"{request.node.name}-{i}-{j}.png", full_page=True)
    for context in contexts:
        context.close()


def settled(page):
    """Wait until htmx has finished swapping and settling the body.

    While htmx settles (20 ms after a swap) it copies the old attributes of same-id elements
    back and forth: a <details> opened in that window closes again."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def open_details(page, selector):
    settled(page)
    section = page.locator(selector)
    section.locator("summary").first.click()
    expect(section).to_have_attribute("open", "")
    return section


def login(page, username):
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()
    return page


# ---------------------------------------------------------------- 1. the hand-off, end to end


def test_portal_request_handoff_accept_shows_new_owner(cast, open_page):
    # customer.y (杨越, Lakeside branch) opens a request for the core network in Lakeside.
    customer = login(open_page(), "customer.y")
    expect(customer).to_have_url(re.compile(r"/portal/$"))
    customer.get_by_test_id("new-request").click()
    form = customer.locator("main form")
    expect(form.locator("select[name=product]")).to_be_visible()
    expect(form.locator("select[name=customer_org]")).to_have_value(str(cast.orgs.lakeside.pk))
    form.locator("select[name=product]").select_option(str(cast.products.core.pk))
    form.locator("select[name=region]").select_option(str(cast.regions.lakeside.pk))
    form.locator("select[name=severity]").select_option("P2")
    form.locator("input[name=title]").fill("核心网信令偶发中断")
    form.locator("textarea[name=customer_voice]").fill("今天上午开始信令每隔几分钟中断一次。")
    customer.get_by_test_id("submit-request").click()

    # The matrix (core × lakeside) names engineer.b: the owner is shown at once, with a phone.
    expect(customer.get_by_test_id("owner-name")).to_have_text("李博")
    expect(customer.get_by_test_id("owner-phone")).to_have_text(cast.b.phone)
    number = customer.get_by_test_id("ticket-number").inner_text().strip()
    ticket = Ticket.objects.get(number=number)
    assert ticket.owner == cast.b
    assert ticket.channel == "portal"
    expect(customer).to_have_url(re.compile(rf"/t/{re.escape(number)}/$"))

    # engineer.b finds it under "My tickets" and proposes a hand-off to engineer.c.
    b = login(open_page(), "engineer.b")
    b.goto("/queue/")
    expect(b.get_by_test_id("tab-mine")).to_have_class(re.compile(r"\bactive\b"))
    row = b.get_by_test_id("ticket-row").filter(has_text=number)
    expect(row).to_contain_text("核心网信令偶发中断")
    expect(row).to_contain_text("李博")
    row.get_by_role("link", name=number).click()
    expect(b.get_by_test_id("ticket-number")).to_have_text(number)
    handoff = open_details(b, "#handoff")
    handoff.locator("select[name=to_person]").select_option(str(cast.c.pk))
    handoff.locator("textarea[name=reason]").fill("信令问题在无线侧，请陈晨接手。")
    b.get_by_test_id("propose-handoff").click()

    # Proposed, not accepted: 李博 stays the owner, and the banner says who it waits for.
    banner = b.get_by_test_id("pending-handoff")
    expect(banner).to_contain_text("陈晨")
    expect(banner).to_contain_text("信令问题在无线侧，请陈晨接手。")
    expect(b.get_by_test_id("owner-name")).to_have_text("李博")
    expect(b.get_by_test_id("accept-handoff")).to_have_count(0)  # only the target accepts
    expect(b.locator("#handoff")).to_have_count(0)  # no second hand-off while one is pending
    assert Ticket.objects.get(pk=ticket.pk).owner == cast.b

    # The customer still sees 李博 meanwhile, and not the internal reason.
    customer.reload()
    expect(customer.get_by_test_id("owner-name")).to_have_text("李博")
    expect(customer.get_by_test_id("timeline")).not_to_contain_text("信令问题在无线侧")

    # engineer.c sees one hand-off waiting (badge) and accepts it from the tab.
    c = login(open_page(), "engineer.c")
    c.goto("/queue/")
    expect(c.get_by_test_id("handoff-count")).to_have_text("1")
    c.get_by_test_id("tab-handoffs").click()
    expect(c.get_by_test_id("tab-handoffs")).to_have_class(re.compile(r"\bactive\b"))
    waiting = c.get_by_test_id("handoff-row").filter(has_text=number)
    expect(waiting).to_contain_text("李博")  # from whom
    expect(waiting).to_contain_text("信令问题在无线侧，请陈晨接手。")  # why
    waiting.locator("form[action$='/accept/'] button").click()

    # Accepted: c lands on the ticket, which is now his; the banner is gone.
    expect(c.get_by_test_id("owner-name")).to_have_text("陈晨")
    expect(c.get_by_test_id("ticket-number")).to_have_text(number)
    expect(c.get_by_test_id("pending-handoff")).to_have_count(0)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.owner == cast.c
    assert fresh.handoff_count == 1
    c.goto("/queue/")
    expect(c.get_by_test_id("handoff-count")).to_have_count(0)
    expect(c.get_by_test_id("ticket-row").filter(has_text=number)).to_contain_text("陈晨")

    # The customer's page, reloaded, names the new owner with his phone.
    customer.reload()
    expect(customer.get_by_test_id("owner-name")).to_have_text("陈晨")
    expect(customer.get_by_test_id("owner-phone")).to_have_text("138-0000-0003")
    expect(customer.get_by_test_id("owner-phone")).to_have_attribute("href", "tel:138-0000-0003")
    accepted = customer.locator("[data-testid=timeline] li[data-kind=handoff_accepted]")
    expect(accepted).to_contain_text("陈晨")
    expect(accepted).to_contain_text("138-0000-0003")
    expect(customer.get_by_test_id("escalation-contacts")).to_contain_text("陈晨")


# ---------------------------------------------------------------- 2. both languages


# Words a reader sees on the staff ticket page, by language. The zh-Hans words are the field's
# own (/work/shared/UI.md): 责任人 for the owner, 转交 for a hand-off, 工单 for a ticket.
TICKET_PAGE = {
    "en": {
        "owner-badge": "Owner (accountable)",
        "timeline-card": "Timeline",
        "handoff": "Hand off to a colleague",
        "escalation-contacts": "Escalation contacts",
    },
    "zh-hans": {
        "owner-badge": "责任人",
        "timeline-card": "时间线",
        "handoff": "转交",
        "escalation-contacts": "升级联系人",
    },
}
WORKBENCH = {
    "en": {"tab-mine": "My tickets", "tab-handoffs": "Hand-offs waiting for me"},
    "zh-hans": {"tab-mine": "工单", "tab-handoffs": "转交"},
}


def _part(page, name):
    if name == "timeline-card":
        return page.locator(".card").filter(has=page.get_by_test_id("timeline"))
    if name == "handoff":
        return page.locator("#handoff summary")
    return page.get_by_test_id(name)


def assert_ticket_page_in(page, lang):
    other = "en" if lang == "zh-hans" else "zh-hans"
    for part, word in TICKET_PAGE[lang].items():
        expect(_part(page, part)).to_contain_text(word)
        expect(_part(page, part)).not_to_contain_text(TICKET_PAGE[other][part])
    expect(page.get_by_test_id("owner-name")).to_have_text("李博")  # data is never translated


def test_ticket_page_in_both_languages(cast, open_request, open_page, zh_catalog):
    ticket = open_request()  # customer.y's request, owned by engineer.b through the matrix
    page = login(open_page(), "engineer.b")  # engineer.b's saved language is zh-hans
    page.goto(f"/t/{ticket.number}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert_ticket_page_in(page, "zh-hans")

    # The EN button: the same page comes back in English, and the choice is remembered.
    page.get_by_test_id("lang-en").click()
    assert_ticket_page_in(page, "en")
    expect(page).to_have_url(re.compile(rf"/t/{re.escape(ticket.number)}/$"))
    expect(page.get_by_test_id("lang-en")).to_have_class(re.compile(r"\bbtn-light\b"))
    cast.b.refresh_from_db()
    assert cast.b.language == "en"
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_ticket_page_in(page, "en")
    page.goto("/queue/")
    for part, word in WORKBENCH["en"].items():
        expect(page.get_by_test_id(part)).to_contain_text(word)

    # The 中文 button, from the workbench this time, and back to the ticket.
    page.get_by_test_id("lang-zh").click()
    for part, word in WORKBENCH["zh-hans"].items():
        expect(page.get_by_test_id(part)).to_contain_text(word)
        expect(page.get_by_test_id(part)).not_to_contain_text(WORKBENCH["en"][part])
    cast.b.refresh_from_db()
    assert cast.b.language == "zh-hans"
    page.goto(f"/t/{ticket.number}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert_ticket_page_in(page, "zh-hans")


# ---------------------------------------------------------------- 3. form errors


def test_handoff_without_reason_shows_error_and_creates_nothing(cast, open_request, open_page):
    ticket = open_request()
    page = login(open_page(), "engineer.b")
    page.goto(f"/t/{ticket.number}/")
    handoff = open_details(page, "#handoff")
    handoff.locator("select[name=to_person]").select_option(str(cast.c.pk))
    page.get_by_test_id("propose-handoff").click()

    # The same page comes back with the form open and the reason marked, nothing pending.
    handoff = page.locator("#handoff")
    expect(handoff).to_have_attribute("open", "")
    expect(handoff.locator("textarea[name=reason]")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(handoff.locator(".invalid-feedback")).to_have_count(1)
    expect(handoff.locator(".invalid-feedback")).to_contain_text("必填")  # in his language
    expect(handoff.locator("select[name=to_person]")).to_have_value(str(cast.c.pk))
    expect(page.get_by_test_id("pending-handoff")).to_have_count(0)
    expect(page.get_by_test_id("owner-name")).to_have_text("李博")
    assert not Handoff.objects.filter(ticket=ticket).exists()

    # Giving the reason then works.
    handoff.locator("textarea[name=reason]").fill("无线侧问题。")
    page.get_by_test_id("propose-handoff").click()
    expect(page.get_by_test_id("pending-handoff")).to_contain_text("陈晨")
    assert Handoff.objects.filter(ticket=ticket, to_person=cast.c).count() == 1


def test_portal_request_without_title_shows_error_and_creates_nothing(cast, open_page):
    page = login(open_page(), "customer.y")
    page.goto("/portal/new/")
    form = page.locator("main form")
    form.locator("select[name=product]").select_option(str(cast.products.core.pk))
    form.locator("select[name=region]").select_option(str(cast.regions.lakeside.pk))
    form.locator("textarea[name=customer_voice]").fill("网管登录不上。")
    page.get_by_test_id("submit-request").click()

    title = page.locator("main form input[name=title]")
    expect(title).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("main form .invalid-feedback")).to_have_count(1)
    expect(page.locator("main form .invalid-feedback")).to_contain_text("必填")
    # What the customer typed is kept.
    expect(page.locator("main form textarea[name=customer_voice]")).to_have_value("网管登录不上。")
    expect(page.get_by_test_id("owner-name")).to_have_count(0)
    assert not Ticket.objects.exists()


# ---------------------------------------------------------------- regressions
# Each reproduces a bug found while these tests were written: messages translated at import
# time, the POST-only action URL left in the address bar after a form error, and <html lang>
# not following the language switch.


def test_action_message_in_the_readers_language(cast, open_request, open_page, zh_catalog):
    ticket = open_request()
    page = login(open_page(), "engineer.b")
    page.goto(f"/t/{ticket.number}/")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("owner-badge")).to_contain_text("Owner (accountable)")
    handoff = open_details(page, "#handoff")
    handoff.locator("select[name=to_person]").select_option(str(cast.c.pk))
    handoff.locator("textarea[name=reason]").fill("Radio side.")
    page.get_by_test_id("propose-handoff").click()
    expect(page.get_by_test_id("pending-handoff")).to_be_visible()
    expect(page.locator("main .alert-success")).to_contain_text("Hand-off proposed", timeout=2000)


def test_reload_after_a_form_error_shows_the_ticket(cast, open_request, open_page):
    ticket = open_request()
    page = login(open_page(), "engineer.b")
    page.goto(f"/t/{ticket.number}/")
    open_details(page, "#handoff")
    page.get_by_test_id("propose-handoff").click()
    expect(page.locator("#handoff .invalid-feedback").first).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("owner-name")).to_have_text("李博", timeout=2000)


def test_language_switch_updates_html_lang(cast, open_request, open_page):
    ticket = open_request()
    page = login(open_page(), "engineer.b")
    page.goto(f"/t/{ticket.number}/")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("owner-badge")).to_contain_text("Owner (accountable)")
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=2000)


# ---------------------------------------------------------------- refusals are never silent


def test_stale_status_change_is_refused_on_the_page(cast, open_request, open_page):
    ticket = open_request()
    services.acknowledge(actor=cast.b, ticket=ticket)
    page = login(open_page(), "engineer.b")
    page.goto(f"/t/{ticket.number}/")
    section = open_details(page, "#status")
    # Meanwhile the ticket moves on elsewhere: the version the page holds is stale.
    fresh = Ticket.objects.get(pk=ticket.pk)
    services.edit_ticket(
        actor=cast.b, ticket=fresh, version=fresh.version, changes={"status": "in_progress"}
    )
    section.locator("select[name=status]").select_option("waiting_customer")
    section.locator("button").click()

    expect(page.locator("main .alert-danger")).to_contain_text("他人已修改了该工单")
    expect(page).to_have_url(re.compile(rf"/t/{re.escape(ticket.number)}/$"))
    expect(page.get_by_test_id("owner-name")).to_have_text("李博")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS


def test_failed_htmx_requests_show_a_message_and_keep_the_page(cast, open_request, open_page):
    ticket = open_request()
    page = login(open_page(), "engineer.b")
    page.goto(f"/t/{ticket.number}/")
    settled(page)
    alert = page.get_by_test_id("request-error")
    expect(alert).to_be_hidden()
    # The server breaks (an empty 500): the page stays, with what was typed, and says so.
    page.route("**/call/", lambda route: route.fulfill(status=500, body=""))
    call = open_details(page, "#call")
    call.locator("textarea[name=note]").fill("客户未接听。")
    call.locator("button").click()
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("服务器未能完成此操作")
    expect(call.locator("textarea[name=note]")).to_have_value("客户未接听。")
    # No answer at all (the network is down): another message, same page.
    page.unroute("**/call/")
    page.route("**/call/", lambda route: route.abort())
    call.locator("button").click()
    expect(alert).to_contain_text("无法连接 CareDesk")
    expect(call.locator("textarea[name=note]")).to_have_value("客户未接听。")
    assert not ticket.timeline.filter(kind="call").exists()
    # A whole error page for the hand-off form's slot: the message, not a page in a page.
    page.route(
        "**/handoff-form/",
        lambda route: route.fulfill(status=404, body="<!doctype html><html><body><nav>x</nav>"),
    )
    handoff = open_details(page, "#handoff")
    expect(alert).to_contain_text("该内容已不存在")
    expect(handoff.locator("nav")).to_have_count(0)


def test_internal_note_and_public_reply_are_chosen_by_button(cast, open_request, open_page):
    ticket = open_request()
    page = login(open_page(), "engineer.b")
    page.goto(f"/t/{ticket.number}/")
    box = page.locator("#comment")
    box.locator("textarea[name=body]").fill("备件还没到，先别告诉客户。")
    box.get_by_test_id("save-note").click()
    note = page.get_by_test_id("timeline").locator("li.internal")
    expect(note).to_contain_text("备件还没到，先别告诉客户。")
    page.locator("#comment textarea[name=body]").fill("工程师明天上午到站。")
    page.locator("#comment").get_by_test_id("send-reply").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("工程师明天上午到站。")

    customer = login(open_page(), "customer.y")
    customer.goto(f"/t/{ticket.number}/")
    expect(customer.get_by_test_id("timeline")).to_contain_text("工程师明天上午到站。")
    expect(customer.get_by_test_id("timeline")).not_to_contain_text("备件还没到")


# ---------------------------------------------------------------- signing out


def test_back_after_sign_out_shows_no_ticket(cast, open_request, open_page):
    ticket = open_request()
    page = login(open_page(), "engineer.b")
    page.goto("/queue/")
    row = page.get_by_test_id("ticket-row").filter(has_text=ticket.number)
    row.get_by_role("link", name=ticket.number).click()  # a boosted visit, as people go
    expect(page.get_by_test_id("owner-phone")).to_have_text(cast.b.phone)
    settled(page)
    page.locator("nav form[action='/logout/'] button").click()
    expect(page.locator("#id_username")).to_be_visible()

    page.go_back()
    expect(page.locator("#id_username")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    expect(page.locator("body")).not_to_contain_text(cast.b.phone)
    expect(page.locator("body")).not_to_contain_text(ticket.title)
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None


# ---------------------------------------------------------------- two-step verification


def app_code(secret_text: str, *, steps: int = 0) -> str:
    """The code an authenticator app shows for the key the page printed, `steps` later."""
    raw = secret_text.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    maker = TOTP(key)
    maker.time = time.time() + steps * 30
    return f"{maker.token():06d}"


def test_set_up_two_step_then_sign_in_with_password_and_code(cast, open_page, zh_catalog):
    page = login(open_page(), "engineer.b")
    page.get_by_test_id("my-two-step").click()
    page.get_by_test_id("totp-start").click()
    qr = page.get_by_test_id("totp-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # drawn here, allowed by the CSP
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.locator("#id_code_confirm").fill(app_code(secret))
    page.get_by_test_id("totp-confirm").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    expect(page.get_by_test_id("two-step-state")).to_have_text("已开启")

    settled(page)
    page.locator("nav form[action='/logout/'] button").click()
    # Wait for the sign-in page to be swapped in and settled: typing while the old body is
    # still being replaced sent both strings into one field.
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator("#id_username")).to_be_visible()
    settled(page)
    page.locator("#id_username").fill("engineer.b")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    expect(page.locator("#id_username")).to_have_value("engineer.b")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_code")).to_be_visible()
    expect(page.get_by_test_id("whoami")).to_have_count(0)  # nobody signed in yet
    page.locator("#id_code").fill("000000")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("code-error")).to_be_visible()
    # The step after the one that confirmed the set-up: a code is accepted only once.
    page.locator("#id_code").fill(app_code(secret, steps=1))
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_contain_text(cast.b.name)


# ---------------------------------------------------------------- the API's documentation


def test_api_docs_render_with_the_internet_blocked(live_server, open_page):
    page = open_page()
    outside = []

    def only_local(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto("/api/v1/docs")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("CareDesk API")
    operations = page.locator("#swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    expect(page.locator("#swagger-ui .opblock-summary-path").first).to_contain_text("/api/v1/")
    # Swagger UI draws the tags lazily, as they scroll into view: every tag of the document is
    # known to it, and scrolling draws the next ones.
    assert page.evaluate("() => window.ui.specSelectors.taggedOperations().size") > 10
    drawn = page.locator("#swagger-ui .opblock-tag")
    before = drawn.count()
    # To the foot of what is drawn (a tag of many operations is taller than one wheel turn).
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.mouse.wheel(0, 600)
    expect(drawn).not_to_have_count(before)
    assert outside == []


# ---------------------------------------------------------------- 4. a phone

PHONE = {"width": 390, "height": 844}


def in_first_screen(page, locator):
    """The element is shown and lies wholly inside the viewport as the page opens."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    height = page.evaluate("window.innerHeight")
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, box


def no_sideways_scroll(page):
    widths = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth,"
        " Math.max(0, ...[...document.querySelectorAll('main *')].map("
        "e => e.getBoundingClientRect().right))]"
    )
    scroll_width, inner_width, rightmost = widths
    assert scroll_width <= inner_width, widths
    assert rightmost <= inner_width + 1, widths  # nothing laid out past the edge either


def test_ticket_page_and_queue_at_phone_width(cast, open_request, open_page):
    from caredesk.escalation import demo

    demo.setup(cast.world)  # SLA policies: the tickets get clocks
    ticket = open_request(severity="P1", title="核心网信令中断，全省用户无法上网")
    for i in range(4):
        open_request(severity="P3", title=f"基站板卡温度告警 {i}")
    page = login(open_page(), "engineer.b")  # the name in the bar shows on wide screens only
    page.set_viewport_size(PHONE)

    page.goto(f"/t/{ticket.number}/")
    header = page.get_by_test_id("ticket-header")
    in_first_screen(page, page.get_by_test_id("owner-name"))
    in_first_screen(page, header.get_by_test_id("status"))
    in_first_screen(page, page.get_by_test_id("nearest-clock"))
    expect(page.get_by_test_id("nearest-clock")).to_contain_text("确认受理")  # 15 min for P1
    in_first_screen(page, page.get_by_test_id("acknowledge"))
    in_first_screen(page, page.get_by_test_id("go-reply"))
    in_first_screen(page, page.locator("#handoff summary"))
    in_first_screen(page, page.locator("#call summary"))
    # The escalation contacts (the whole ladder) come after the actions and the timeline.
    contacts = page.get_by_test_id("escalation-contacts").bounding_box()
    assert contacts["y"] > page.get_by_test_id("actions").bounding_box()["y"]
    no_sideways_scroll(page)

    page.goto("/queue/")
    rows = page.get_by_test_id("ticket-row")
    expect(rows).to_have_count(5)
    first = rows.first
    expect(first).to_contain_text(ticket.number)  # the P1 with 15 minutes is the most urgent
    in_first_screen(page, first.get_by_test_id("row-owner"))
    in_first_screen(page, first.get_by_test_id("status"))
    in_first_screen(page, first.get_by_test_id("row-clock"))
    no_sideways_scroll(page)
