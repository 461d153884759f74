"""Answering a survey from its link, and the follow-up a low score opens.

One POST records the answer; nothing else does (opening the link only reads it: mail scanners
open every link). The answer is taken by a conditional UPDATE of the survey — still unanswered,
link not expired — so of two answers sent at once exactly one wins and the other is refused
with nothing written; the answer's own key (the survey) makes a second answer impossible in the
database too. In the same transaction: the answer, its office's tally, the audit record, and
for a low score (≤ 2 on any dimension, or "not solved") a follow-up for the customer's service
manager, the outbox message telling them and the survey.low_score event.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caredesk import clock, events
from caredesk.audit import services as audit
from caredesk.directory.models import Person, Role
from caredesk.errors import Conflict, DomainError
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind
from caredesk.inputs import text_problem
from caredesk.notify import outbox
from caredesk.tickets import selectors as ticket_selectors
from caredesk.tickets.rules import Limits

from .. import selectors
from ..models import DIMENSIONS, LOW_SCORE, Answer, FollowUp, Survey
from .tallies import count_answer


class SurveyAlreadyAnswered(Conflict):
    code = "survey_already_answered"
    default_message = _("This survey has already been answered. Thank you — nothing was changed.")


class SurveyExpired(DomainError):
    code = "survey_expired"
    status = 410
    default_message = _("This survey link has expired. Nothing was recorded.")


def _scores(values: dict[str, object]) -> dict[str, int]:
    problems, scores = {}, {}
    for d in DIMENSIONS:
        value = values.get(d)
        if type(value) is not int or not 1 <= value <= 5:
            problems[d] = str(_("Choose a score from 1 to 5."))
        else:
            scores[d] = value
    if problems:
        raise Invalid(fields=problems)
    return scores


def is_low(scores: dict[str, int], solved: bool) -> bool:
    return not solved or any(v <= LOW_SCORE for v in scores.values())


@transaction.atomic
def answer_survey(
    *,
    token: str,
    responsiveness: int,
    attitude: int,
    technical_skill: int,
    communication: int,
    solved: bool,
    comment: str = "",
) -> Answer:
    """Record the one answer of the survey the link names. Refused — nothing written — when
    the link is not one we sent (404), has expired (410) or was answered already (409)."""
    survey = selectors.survey_for_token(token)
    scores = _scores(
        {
            "responsiveness": responsiveness,
            "attitude": attitude,
            "technical_skill": technical_skill,
            "communication": communication,
        }
    )
    if type(solved) is not bool:
        raise Invalid(fields={"solved": str(_("Say whether the problem was solved."))})
    comment = (comment or "").strip()
    if problem := text_problem(comment, required=False, max_length=Limits.TEXT):
        raise Invalid(fields={"comment": problem})
    now = clock.now()
    taken = Survey.objects.filter(
        pk=survey.pk, answered_at__isnull=True, expires_at__gt=now
    ).update(answered_at=now, version=F("version") + 1)
    if not taken:
        survey.refresh_from_db(fields=["answered_at", "expires_at"])
        raise SurveyAlreadyAnswered() if survey.answered_at else SurveyExpired()
    survey.answered_at = now
    low = is_low(scores, solved)
    answer = Answer.objects.create(
        survey=survey, solved=solved, comment=comment, low=low, answered_at=now, **scores
    )
    count_answer(survey, answer)
    audit.record(
        actor=None,
        action="survey.answer",
        obj=survey,
        after={**scores, "solved": solved, "comment": comment, "low": low},
    )
    if low:
        _open_follow_up(survey, answer, now)
    return answer


def manager_for(survey: Survey) -> Person | None:
    """Who follows a low score up: the customer's service manager for the ticket (the ladder's
    rung: assigned for the customer, else the region's); for a complaint with no ticket, the
    complaint's handler; else the first service manager of the survey's office."""
    if survey.ticket_id is not None:
        found = ticket_selectors.ladder_holder(survey.ticket, Role.SERVICE_MANAGER)
        if found is not None:
            return found
    if survey.engineer is not None and survey.engineer.is_active and survey.complaint_id:
        return survey.engineer
    return (
        Person.objects.filter(
            organisation_id=survey.office_id, role=Role.SERVICE_MANAGER, is_active=True
        )
        .order_by("pk")
        .first()
    )


def _open_follow_up(survey: Survey, answer: Answer, now) -> FollowUp | None:
    manager = manager_for(survey)
    if manager is None:
        return None
    follow_up = FollowUp.objects.create(survey=survey, manager=manager, opened_at=now)
    ticket = survey.ticket
    outbox.enqueue_many(
        [
            outbox.prepare(
                channel="email",
                recipient=manager,
                template="survey_low_score",
                key=f"survey:{survey.pk}:follow-up",
                context={
                    "about": survey.subject_kind,
                    "number": ticket.number if ticket else "",
                    "title": ticket.title if ticket else "",
                    "customer": survey.customer_org.name,
                    "contact_name": survey.contact.name,
                    "contact_phone": survey.contact.phone,
                    "scores": answer.scores,
                    "solved": answer.solved,
                    "comment": answer.comment,
                    "answered": timezone.localtime(answer.answered_at).strftime("%Y-%m-%d %H:%M"),
                    "url": f"{settings.SITE_URL}/surveys/follow-ups/",
                },
                language=manager.language,
                topic=f"ticket:{ticket.pk}" if ticket else f"complaint:{survey.complaint_id}",
            )
        ]
    )
    audit.record(
        actor=None,
        action="survey.follow_up.open",
        obj=follow_up,
        after={"survey": survey.pk, "manager": manager.pk},
    )
    events.publish(
        events.Event(
            kind=EventKind.SURVEY_LOW_SCORE,
            ticket_id=survey.ticket_id or 0,
            actor_id=None,
            at=now,
            data={
                "survey_id": survey.pk,
                "ticket_id": survey.ticket_id,
                "contact_id": survey.contact_id,
                "follow_up_id": follow_up.pk,
            },
        )
    )
    return follow_up
