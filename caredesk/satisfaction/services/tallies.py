"""The running tally per office and month (models.Tally), kept in the transaction that sends or
answers a survey. An answer counts in the month its survey was sent, so a month's response rate
is the share of that month's surveys answered."""

import datetime as dt

from django.db.models import F
from django.utils import timezone

from ..models import DIMENSIONS, Answer, Survey, Tally


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def _add(survey: Survey, **amounts: int) -> None:
    month = month_of(survey.sent_at)
    # An UPDATE that adds, so concurrent answers never lose a count; the row is made first
    # when the office has none for the month (ignore_conflicts: a racing maker wins, fine).
    changes = {name: F(name) + n for name, n in amounts.items()}
    if not Tally.objects.filter(office_id=survey.office_id, month=month).update(**changes):
        Tally.objects.bulk_create(
            [Tally(office_id=survey.office_id, month=month)], ignore_conflicts=True
        )
        Tally.objects.filter(office_id=survey.office_id, month=month).update(**changes)


def count_sent(survey: Survey) -> None:
    _add(survey, sent=1)


def count_answer(survey: Survey, answer: Answer) -> None:
    _add(
        survey,
        answered=1,
        low=int(answer.low),
        solved=int(answer.solved),
        **{d: getattr(answer, d) for d in DIMENSIONS},
    )
