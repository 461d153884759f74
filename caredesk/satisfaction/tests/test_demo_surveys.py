"""The demo's surveys: answered ones with low scores and their follow-ups, and customer.y's
unanswered one, whose printed link opens the form and takes one answer."""

import pytest
from django.test import Client

from caredesk.demo.surveys import demo_link
from caredesk.demo.world import load_demo
from caredesk.satisfaction.models import FollowUp, Survey


@pytest.mark.django_db
def test_the_demo_has_low_scores_with_follow_ups_and_a_link_to_answer():
    assert load_demo()
    assert Survey.objects.filter(answered_at__isnull=False).count() == 3
    assert Survey.objects.filter(answer__low=True).count() == 2
    assert sorted(FollowUp.objects.values_list("status", flat=True)) == ["closed", "open"]
    link = demo_link()
    path = link.removeprefix("http://127.0.0.1:8000")
    page = Client().get(path)
    assert page.status_code == 200 and 'data-testid="survey-form"' in page.content.decode()
    answer = {"responsiveness": "5", "attitude": "5", "technical_skill": "4"}
    res = Client().post(path, {**answer, "communication": "5", "solved": "yes", "comment": ""})
    assert res.status_code == 200 and 'data-testid="survey-thanks"' in res.content.decode()
    assert demo_link() is None
    assert not load_demo()  # a second load changes nothing
