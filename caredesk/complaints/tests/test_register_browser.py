"""Registering a hotline complaint in a real Chromium, as hotline.h takes a 400 call: the
caller's phone finds the contact and the open ticket, one short form, and the complaint page
names the customer's service manager as its handler — not the agent. The customer then sees
on the portal that the complaint is registered and who handles it."""

import re

import pytest
from playwright.sync_api import expect

from caredesk.complaints.models import Category, Complaint
from caredesk.web.tests.test_browser import (  # noqa: F401  (fixtures)
    browser,
    login,
    open_page,
    zh_catalog,
)

pytestmark = pytest.mark.browser


def test_hotline_agent_registers_a_complaint_from_a_call(
    cast,
    open_request,
    calendars,
    open_page,  # noqa: F811
    zh_catalog,  # noqa: F811
):
    ticket = open_request()  # customer.y's request, owned by engineer.b
    page = login(open_page(), "hotline.h")
    page.goto("/complaints/new/")
    page.get_by_test_id("lookup-q").fill(cast.y.phone)
    page.get_by_test_id("lookup-go").click()
    expect(page.get_by_test_id("found-ticket")).to_contain_text(ticket.number)
    form = page.get_by_test_id("register-form")
    expect(form.locator("input[name=tickets]")).to_have_value(ticket.number)
    expect(form.locator("select[name=complainant]")).to_have_value(str(cast.y.pk))
    # By value: the option's label is the category's name in the page's language.
    buck_passing = Category.objects.get(code="buck_passing")
    form.locator("select[name=category]").select_option(value=str(buck_passing.pk))
    form.locator("textarea[name=words]").fill("打了三个电话，每个人都让我找别人。")
    form.locator("textarea[name=remedy_sought]").fill("指定一个负责人跟到底。")
    page.get_by_test_id("register-submit").click()

    expect(page).to_have_url(re.compile(r"/complaints/CP-\d{4}-\d{6}/$"))
    expect(page.get_by_test_id("complaint-handler")).to_contain_text(cast.a.name)
    expect(page.get_by_test_id("words")).to_have_text("打了三个电话，每个人都让我找别人。")
    expect(page.get_by_test_id("remedy")).to_have_text("指定一个负责人跟到底。")
    complaint = Complaint.objects.get()
    assert complaint.registered_by == cast.h and complaint.handler == cast.a
    # The agent only registers: no step button for him.
    expect(page.get_by_test_id("do-acknowledge")).to_have_count(0)

    customer = login(open_page(), "customer.y")
    customer.goto(f"/t/{ticket.number}/")
    banner = customer.get_by_test_id("complaint-banner")
    expect(banner).to_contain_text(complaint.number)
    expect(banner).to_contain_text(cast.a.name)
