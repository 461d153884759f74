"""The link: answered once by one POST, refused the second time, after expiry and when tampered
with; opening it (GET) records nothing; a low score opens a follow-up."""

import json

import pytest
from django.apps import apps
from django.test import Client

from caredesk.events import EventKind
from caredesk.notify.models import Message
from caredesk.satisfaction.models import Answer, FollowUp, Survey, Tally

from .conftest import DAY, token_of

GOOD = {
    "responsiveness": 5,
    "attitude": 4,
    "technical_skill": 5,
    "communication": 4,
    "solved": True,
    "comment": "工程师很专业 👍",
}


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m.__module__.startswith("caredesk.")
    }


@pytest.fixture
def sent(cast, closed_ticket, at):
    """customer.y's ticket closed, a day passed: the survey is sent; its token."""
    closed_ticket()
    at(DAY + 1)
    return token_of(cast.y)


def _post(token, body, client=None):
    return (client or Client()).post(
        f"/api/v1/surveys/{token}", json.dumps(body), content_type="application/json"
    )


def test_a_link_is_answered_once_and_refused_the_second_time(sent):
    res = _post(sent, GOOD)
    assert res.status_code == 201, res.content
    assert res["Referrer-Policy"] == "no-referrer"
    answer = Answer.objects.get()
    assert (answer.responsiveness, answer.solved, answer.comment) == (5, True, GOOD["comment"])
    assert Survey.objects.get().answered_at is not None
    before = _counts()
    again = _post(sent, {**GOOD, "responsiveness": 1, "solved": False})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "survey_already_answered"
    assert _counts() == before
    assert Answer.objects.get().responsiveness == 5
    assert Tally.objects.get().answered == 1


def test_opening_the_link_records_nothing(sent):
    before = _counts()
    survey = Survey.objects.get()
    for _ in range(3):
        res = Client().get(f"/api/v1/surveys/{sent}")
        assert res.status_code == 200
        assert res.json()["state"] == "open"
        assert res["Referrer-Policy"] == "no-referrer"
        page = Client().get(f"/s/{sent}/")
        assert page.status_code == 200
        assert page["Referrer-Policy"] == "no-referrer"
    assert _counts() == before
    survey_after = Survey.objects.get()
    assert (survey_after.answered_at, survey_after.version) == (None, survey.version)


def test_an_expired_link_is_refused_and_records_nothing(sent, at, settings):
    at(DAY + 1 + (settings.SURVEY_LINK_DAYS * DAY) + 1)
    before = _counts()
    res = _post(sent, GOOD)
    assert res.status_code == 410
    assert res.json()["error"]["code"] == "survey_expired"
    assert _counts() == before
    assert Client().get(f"/api/v1/surveys/{sent}").json()["state"] == "expired"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
        lambda t: ("x" if t[0] != "x" else "y") + t[1:],  # the random part
        lambda t: t.split(":")[0],  # the signature cut off
        lambda t: t + "0",
    ],
)
def test_a_tampered_link_is_refused(sent, tamper):
    bad = tamper(sent)
    before = _counts()
    assert Client().get(f"/api/v1/surveys/{bad}").status_code == 404
    res = _post(bad, GOOD)
    assert res.status_code == 404
    assert res.json()["error"]["code"] == "survey_link_invalid"
    assert Client().get(f"/s/{bad}/").status_code == 404
    assert _counts() == before
    assert _post(sent, GOOD).status_code == 201  # the real link still works


def test_bad_scores_are_refused_with_nothing_written(sent):
    before = _counts()
    for wrong in (
        {**GOOD, "attitude": 0},
        {**GOOD, "attitude": 6},
        {**GOOD, "attitude": "5"},
        {**GOOD, "solved": "yes"},
        {k: v for k, v in GOOD.items() if k != "communication"},
        {**GOOD, "comment": "a\x00b"},
    ):
        res = _post(sent, wrong)
        assert res.status_code == 422, (wrong, res.content)
    assert _counts() == before


def test_a_high_score_opens_no_follow_up(sent):
    _post(sent, GOOD)
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("low", [{"attitude": 2}, {"communication": 1}, {"solved": False}], ids=str)
def test_a_low_score_opens_a_follow_up_for_the_service_manager(cast, sent, low):
    res = _post(sent, {**GOOD, **low})
    assert res.status_code == 201
    follow_up = FollowUp.objects.get()
    assert follow_up.manager == cast.a and follow_up.is_open
    told = Message.objects.get(template="survey_low_score")
    assert told.recipient == cast.a
    assert Tally.objects.get().low == 1


def test_a_low_score_publishes_its_event(sent, cast):
    from caredesk import events

    seen = []
    events.subscribe(seen.append)
    try:
        _post(sent, {**GOOD, "technical_skill": 1})
    finally:
        events._subscribers.remove(seen.append)
    low = [e for e in seen if e.kind == EventKind.SURVEY_LOW_SCORE]
    assert len(low) == 1
    survey = Survey.objects.get()
    assert low[0].data == {
        "survey_id": survey.pk,
        "ticket_id": survey.ticket_id,
        "contact_id": cast.y.pk,
        "follow_up_id": FollowUp.objects.get().pk,
    }


def test_the_public_page_speaks_the_contacts_language(cast, open_request):
    from .factories import sent_survey

    _s, zh = sent_survey(open_request(), cast.y)
    _s, en = sent_survey(open_request(actor=cast.o, customer_org=cast.orgs.other), cast.o)
    browser = Client()
    browser.cookies["django_language"] = "en"  # whatever the browser last chose
    assert "您对本次服务满意吗？" in browser.get(f"/s/{zh}/").content.decode()
    assert "How did we do?" in Client().get(f"/s/{en}/").content.decode()


def test_a_second_answer_on_the_page_is_refused_with_its_reason(sent):
    form = {"responsiveness": "4", "attitude": "4", "technical_skill": "4"}
    form |= {"communication": "4", "solved": "yes", "comment": ""}
    first = Client().post(f"/s/{sent}/", form)
    assert first.status_code == 200 and "谢谢！您的评价已记录。" in first.content.decode()
    before = _counts()
    again = Client().post(f"/s/{sent}/", {**form, "solved": "no"})
    assert again.status_code == 409
    assert "此调查已提交过" in again.content.decode()
    assert _counts() == before


def test_an_expired_link_shows_so_on_its_page_and_refuses_the_form(sent, at, settings):
    at(DAY + 1 + settings.SURVEY_LINK_DAYS * DAY + 1)
    page = Client().get(f"/s/{sent}/")
    assert page.status_code == 200 and 'data-testid="survey-expired"' in page.content.decode()
    form = {d: "3" for d in ("responsiveness", "attitude", "technical_skill", "communication")}
    before = _counts()
    res = Client().post(f"/s/{sent}/", {**form, "solved": "yes"})
    assert res.status_code == 410 and "此调查链接已过期" in res.content.decode()
    assert _counts() == before
