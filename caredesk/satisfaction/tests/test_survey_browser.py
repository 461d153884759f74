"""A customer answers a survey from the mailed link on a phone in a real Chromium — nothing
counted by opening it, one tap per score, one Send; the link is spent after that — and the
service manager closes the follow-up the low score opened."""

import pytest
from playwright.sync_api import expect

from caredesk.satisfaction.models import Answer, FollowUp, Survey
from caredesk.web.tests.test_browser import (  # noqa: F401  (fixtures)
    PHONE,
    browser,
    login,
    no_sideways_scroll,
    open_page,
    zh_catalog,
)

from .factories import link_path, sent_survey

pytestmark = pytest.mark.browser


def test_answering_a_survey_from_its_link_on_a_phone(cast, open_request, open_page, zh_catalog):  # noqa: F811
    survey, token = sent_survey(open_request(), cast.y)
    page = open_page()
    page.set_viewport_size(PHONE)
    opened = page.goto(link_path(token))
    assert opened.headers["referrer-policy"] == "no-referrer"
    expect(page.get_by_test_id("survey-form")).to_be_visible()
    expect(page.locator("h1")).to_have_text("您对本次服务满意吗？")
    no_sideways_scroll(page)
    page.reload()  # a mail scanner, or the customer opening it twice: nothing is counted
    assert Survey.objects.get(pk=survey.pk).answered_at is None
    assert not Answer.objects.exists()

    for name, score in (("responsiveness", 2), ("attitude", 4), ("technical_skill", 4)):
        page.get_by_test_id(f"score-{name}").locator("label").nth(score - 1).click()
    page.get_by_test_id("survey-submit").click()  # communication and solved not chosen yet
    assert not Answer.objects.exists()
    page.get_by_test_id("score-communication").locator("label").nth(2).click()
    page.get_by_test_id("score-solved").locator("label").nth(1).click()  # not solved
    page.locator("textarea[name=comment]").fill("等了两天才有人回电话。")
    page.get_by_test_id("survey-submit").click()

    expect(page.get_by_test_id("survey-thanks")).to_be_visible()
    answer = Answer.objects.get()
    assert (answer.responsiveness, answer.communication, answer.solved) == (2, 3, False)
    page.goto(link_path(token))
    expect(page.get_by_test_id("survey-answered")).to_be_visible()
    expect(page.get_by_test_id("survey-form")).to_have_count(0)

    manager = login(open_page(), "manager.a")
    manager.goto("/surveys/follow-ups/")
    card = manager.get_by_test_id("follow-up")
    expect(card).to_contain_text("等了两天才有人回电话。")
    card.locator("input[name=note]").fill("已致电杨越致歉，安排回访。")
    card.get_by_role("button", name="关闭回访").click()
    expect(manager.locator("main .alert-success")).to_contain_text("回访已关闭")
    assert FollowUp.objects.get().status == "closed"
