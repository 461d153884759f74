"""Two answers to one survey sent at the same moment: exactly one is recorded."""

import threading

import pytest
from django.db import connection, connections

from caredesk.conftest import build_cast
from caredesk.satisfaction.models import Answer, Survey
from caredesk.satisfaction.services import SurveyAlreadyAnswered, answer_survey
from caredesk.tickets import services as ticket_services

from .factories import sent_survey

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level races need PostgreSQL"),
]


def test_concurrent_answers_exactly_one_wins():
    cast = build_cast()
    ticket = ticket_services.open_ticket(
        actor=cast.y,
        customer_org=cast.orgs.lakeside,
        product=cast.products.core,
        region=cast.regions.lakeside,
        severity="P3",
        channel="portal",
        title="t",
        customer_voice="v",
    )
    _survey, token = sent_survey(ticket, cast.y)
    barrier = threading.Barrier(4)
    results = [None] * 4

    def run(i):
        try:
            barrier.wait()
            results[i] = answer_survey(
                token=token,
                responsiveness=i + 1,
                attitude=3,
                technical_skill=3,
                communication=3,
                solved=True,
            )
        except Exception as exc:  # the outcome under test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    won = [r for r in results if isinstance(r, Answer)]
    lost = [r for r in results if isinstance(r, SurveyAlreadyAnswered)]
    assert len(won) == 1 and len(lost) == 3, results
    assert Answer.objects.count() == 1
    assert Answer.objects.get().responsiveness == won[0].responsiveness
    assert Survey.objects.get().version == 2
