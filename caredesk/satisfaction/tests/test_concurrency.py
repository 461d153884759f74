"""Four answers to one survey sent at the same moment: exactly one is recorded."""

import pytest
from django.db import connection

from caredesk.satisfaction.models import Answer, Survey
from caredesk.satisfaction.services import SurveyAlreadyAnswered, answer_survey
from caredesk.tickets.tests.test_concurrency import race, world  # noqa: F401  (fixture)

from .factories import sent_survey

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level races need PostgreSQL"),
]


def test_concurrent_answers_exactly_one_wins(world):  # noqa: F811
    cast, ticket = world
    _survey, token = sent_survey(ticket, cast.y)

    def answer(score):
        return lambda: answer_survey(
            token=token,
            responsiveness=score,
            attitude=3,
            technical_skill=3,
            communication=3,
            solved=True,
        )

    results = race(*(answer(score) for score in (1, 2, 3, 4)))
    won = [r for r in results if isinstance(r, Answer)]
    lost = [r for r in results if isinstance(r, SurveyAlreadyAnswered)]
    assert len(won) == 1 and len(lost) == 3, results
    assert Answer.objects.count() == 1
    assert Answer.objects.get().responsiveness == won[0].responsiveness
    assert Survey.objects.get().version == 2
