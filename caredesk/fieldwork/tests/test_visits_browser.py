"""A site visit recorded from a phone (390 px wide) in a real Chromium: planned from the ticket
page, set off and arrived with one big button each, refused at the door when leaving
unresolved without a next step, then left with one — and the customer confirming the report
on the portal from her phone."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caredesk.fieldwork.models import Visit, VisitStatus
from caredesk.notify.models import Message
from caredesk.web.tests.test_browser import (  # noqa: F401  (fixtures)
    PHONE,
    browser,
    in_first_screen,
    login,
    no_sideways_scroll,
    open_details,
    open_page,
    settled,
    zh_catalog,
)

pytestmark = pytest.mark.browser


def big(page, locator):
    """A button one can hit with a thumb, whole on the screen."""
    in_first_screen(page, locator)
    assert locator.bounding_box()["height"] >= 44


def test_recording_a_visit_at_phone_width(cast, open_request, open_page, zh_catalog):  # noqa: F811
    ticket = open_request()  # customer.y's request; engineer.b owns it (core × Lakeside)
    page = login(open_page(), "engineer.b")
    page.set_viewport_size(PHONE)

    # Planned from the ticket page: the form comes when its section is opened.
    page.goto(f"/t/{ticket.number}/")
    plan = open_details(page, "#visit-plan")
    expect(plan.locator("select[name=engineer]")).to_have_value(str(cast.b.pk))
    soon = timezone.localtime() + dt.timedelta(hours=1)
    plan.locator("input[name=planned_at]").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    plan.locator("textarea[name=purpose]").fill("检查OTN板卡和尾纤")
    page.get_by_test_id("plan-visit").click()

    # The visit page: one big button for each step.
    expect(page.get_by_test_id("visit-status")).to_have_text("已安排")
    expect(page).to_have_url(re.compile(r"/visits/\d+/$"))
    visit = Visit.objects.get(ticket=ticket)
    big(page, page.get_by_test_id("visit-travel"))
    big(page, page.get_by_test_id("visit-arrive"))
    no_sideways_scroll(page)
    page.get_by_test_id("visit-travel").click()
    expect(page.get_by_test_id("visit-status")).to_have_text("在途")
    page.get_by_test_id("visit-arrive").click()
    expect(page.get_by_test_id("visit-status")).to_have_text("已到站")
    expect(page.get_by_test_id("arrived-at")).not_to_have_text("—")

    # Leaving unresolved with only the work done: refused, every missing field named.
    form = page.get_by_test_id("leave-form")
    expect(form).to_be_visible()
    no_sideways_scroll(page)
    form.get_by_test_id("result-unresolved").click()
    form.locator("textarea[name=work_done]").fill("排查到五点，未找到根因。")
    page.get_by_test_id("visit-leave").click()
    alert = page.locator("main .alert-danger").first
    expect(alert).to_contain_text("后续计划")
    expect(alert).to_contain_text("负责人")
    expect(alert).to_contain_text("完成时限")
    expect(alert).to_contain_text("给客户的说明")
    form = page.get_by_test_id("leave-form")
    for name in ("next_step", "customer_message"):
        expect(form.locator(f"textarea[name={name}]")).to_have_class(re.compile(r"is-invalid"))
    expect(form.locator("select[name=next_step_owner]")).to_have_class(re.compile(r"is-invalid"))
    expect(form.locator("textarea[name=work_done]")).to_have_value("排查到五点，未找到根因。")
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.ON_SITE
    no_sideways_scroll(page)

    # With the next step, who and by when, and a word to the customer: left.
    form.locator("textarea[name=next_step]").fill("带光功率计复查全段光路")
    form.locator("select[name=next_step_owner]").select_option(str(cast.c.pk))
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    form.locator("input[name=next_step_due]").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    form.locator("textarea[name=customer_message]").fill("今天未找到根因，明天上午再来。")
    page.get_by_test_id("visit-leave").click()
    report = page.get_by_test_id("visit-report")
    expect(report).to_contain_text("带光功率计复查全段光路")
    expect(report.get_by_test_id("next-step")).to_contain_text(cast.c.name)
    expect(page.get_by_test_id("visit-result")).to_have_text("未解决")
    no_sideways_scroll(page)
    left = Visit.objects.get(pk=visit.pk)
    assert left.status == VisitStatus.LEFT and left.next_step_owner == cast.c
    assert Message.objects.filter(template="visit_left", recipient=cast.y).exists()

    # The customer reads the report on her phone and confirms it.
    customer = login(open_page(), "customer.y")
    customer.set_viewport_size(PHONE)
    customer.goto(f"/t/{ticket.number}/")
    visit_report = customer.get_by_test_id("visit-report")
    expect(visit_report).to_contain_text("今天未找到根因，明天上午再来。")
    customer.get_by_test_id("visit-confirm").click()
    expect(customer.get_by_test_id("visit-confirmed")).to_contain_text(cast.y.name)
    no_sideways_scroll(customer)
    confirmed = Visit.objects.get(pk=visit.pk)
    assert confirmed.confirmed_by == cast.y and confirmed.confirmed_at is not None
