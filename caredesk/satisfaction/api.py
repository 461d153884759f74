"""/api/v1 operations of satisfaction: a survey by its link (no sign-in: GET reads the
questions, POST answers once), the staff list of surveys with response rates per office, and
the follow-ups low scores open (list, close).

Answers that carry or follow a link say `Referrer-Policy: no-referrer` and `Cache-Control:
no-store`: the token must not travel to another site nor stay in a shared cache."""

from datetime import datetime

from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from pydantic import StrictBool

from caredesk.apikit import IdParam, JsonInt, Version, error_responses
from caredesk.tickets.rules import Limits

from . import policy, selectors, services
from .models import DIMENSIONS, QUESTIONS, FollowUp, Survey

router = Router(tags=["satisfaction"])

Score = JsonInt


# ---------------------------------------------------------------- schemas


class QuestionOut(Schema):
    key: str
    text: str


class SurveyLinkOut(Schema):
    state: str = Field(description="open, answered or expired")
    about: str = Field(description="ticket or complaint")
    ticket_number: str = Field(description="The ticket it is about (may be empty)")
    title: str
    customer: str
    expires_at: datetime
    questions: list[QuestionOut] = Field(description="Each scored 1 (worst) to 5 (best)")


class AnswerIn(Schema):
    responsiveness: Score = Field(ge=1, le=5)
    attitude: Score = Field(ge=1, le=5)
    technical_skill: Score = Field(ge=1, le=5)
    communication: Score = Field(ge=1, le=5)
    solved: StrictBool
    comment: str = Field("", max_length=Limits.TEXT)


class AnsweredOut(Schema):
    state: str
    answered_at: datetime


class ScoresOut(Schema):
    responsiveness: int
    attitude: int
    technical_skill: int
    communication: int
    solved: bool
    comment: str
    low: bool


class SurveyOut(Schema):
    id: int
    about: str
    ticket: int | None
    ticket_number: str
    complaint: int | None
    contact: str
    customer: str
    office: str
    engineer: str
    channel: str
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    answer: ScoresOut | None


class OfficeRateOut(Schema):
    office: int
    name: str
    sent: int
    answered: int
    response_rate: float | None = Field(description="answered ÷ sent; null when none sent")
    low: int
    averages: dict[str, float | None]


class SurveyListOut(Schema):
    items: list[SurveyOut]
    next_cursor: str | None
    response_rates: list[OfficeRateOut]


class SurveyQuery(Schema):
    office: IdParam | None = None
    state: str = Field("", pattern=r"^(|answered|unanswered|low)$")
    about: str = Field("", pattern=r"^(|ticket|complaint)$")
    half: str = Field("", pattern=r"^(|[0-9]{4}H[12])$", description="e.g. 2026H2")
    cursor: str = Field("", max_length=40)


class FollowUpOut(Schema):
    id: int
    status: str = Field(description="open, closed or complaint")
    manager: str
    opened_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    note: str
    complaint_ref: str
    version: int
    survey: SurveyOut


class FollowUpListOut(Schema):
    items: list[FollowUpOut]
    next_cursor: str | None


class FollowUpQuery(Schema):
    status: str = Field("open", pattern=r"^(|open|closed|complaint)$")
    cursor: str = Field("", max_length=40)


class FollowUpCloseIn(Schema):
    note: str = Field(min_length=1, max_length=Limits.NOTE)
    version: Version | None = None


# ---------------------------------------------------------------- shaping


def _private(response: HttpResponse) -> None:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"


def survey_out(s: Survey) -> dict:
    answer = getattr(s, "answer", None) if s.answered_at else None
    return {
        "id": s.pk,
        "about": s.subject_kind,
        "ticket": s.ticket_id,
        "ticket_number": s.ticket.number if s.ticket_id else "",
        "complaint": s.complaint_id,
        "contact": s.contact.name,
        "customer": s.customer_org.name,
        "office": s.office.name,
        "engineer": s.engineer.name if s.engineer_id else "",
        "channel": s.channel,
        "sent_at": s.sent_at,
        "expires_at": s.expires_at,
        "answered_at": s.answered_at,
        "answer": (
            {**answer.scores, "solved": answer.solved, "comment": answer.comment, "low": answer.low}
            if answer
            else None
        ),
    }


def follow_up_out(f: FollowUp) -> dict:
    return {
        "id": f.pk,
        "status": f.status,
        "manager": f.manager.name,
        "opened_at": f.opened_at,
        "closed_at": f.closed_at,
        "closed_by": f.closed_by.name if f.closed_by_id else None,
        "note": f.note,
        "complaint_ref": f.complaint_ref,
        "version": f.version,
        "survey": survey_out(f.survey),
    }


# ---------------------------------------------------------------- the link (no sign-in)


@router.get("/surveys/{token}", auth=None, response={200: SurveyLinkOut, **error_responses(404)})
def survey_by_link(request, token: str, response: HttpResponse):
    """The questions of the survey the link names, and whether it is still open. Reading it
    records nothing (mail scanners open every link); only the POST answers."""
    _private(response)
    s = selectors.survey_for_token(token)
    return {
        "state": selectors.link_state(s),
        "about": s.subject_kind,
        "ticket_number": s.ticket.number if s.ticket_id else "",
        "title": s.ticket.title if s.ticket_id else "",
        "customer": s.customer_org.name,
        "expires_at": s.expires_at,
        "questions": [{"key": d, "text": gettext(QUESTIONS[d])} for d in DIMENSIONS],
    }


@router.post(
    "/surveys/{token}",
    auth=None,
    response={201: AnsweredOut, **error_responses(404, 409, 410)},
)
def answer_by_link(request, token: str, payload: AnswerIn, response: HttpResponse):
    """Answer the survey, once: a second answer is refused (409), so is an expired link (410)
    and one we did not send (404) — nothing is written then."""
    _private(response)
    answer = services.answer_survey(token=token, **payload.dict())
    return Answer(201, {"state": "answered", "answered_at": answer.answered_at})


# ---------------------------------------------------------------- staff


@router.get("/surveys", response={200: SurveyListOut, **error_responses(403)})
def list_surveys(request, q: Query[SurveyQuery]):
    """Surveys sent by the offices the caller may read, newest first, with their answers, and
    the response rate per office (over the half-year when `half` is given). Staff only."""
    policy.check_reads_surveys(request.auth)
    filters = selectors.SurveyFilters(office=q.office, state=q.state, about=q.about, half=q.half)
    rows, cursor = selectors.survey_page(request.auth, filters, q.cursor or None)
    rates = selectors.response_rates(request.auth, half=q.half, office=q.office)
    return {
        "items": [survey_out(s) for s in rows],
        "next_cursor": cursor,
        "response_rates": [
            {
                "office": r.office_id,
                "name": r.name,
                "sent": r.sent,
                "answered": r.answered,
                "response_rate": r.rate,
                "low": r.low,
                "averages": r.averages,
            }
            for r in rates
        ],
    }


@router.get("/survey-follow-ups", response={200: FollowUpListOut, **error_responses(403)})
def list_follow_ups(request, q: Query[FollowUpQuery]):
    """Follow-ups of low scores in the offices the caller may read (open ones by default)."""
    policy.check_reads_surveys(request.auth)
    rows, cursor = selectors.follow_up_page(request.auth, q.status, q.cursor or None)
    return {"items": [follow_up_out(f) for f in rows], "next_cursor": cursor}


@router.post(
    "/survey-follow-ups/{follow_up_id}/close",
    response={200: FollowUpOut, **error_responses(403, 404, 409)},
)
def close_follow_up(request, follow_up_id: IdParam, payload: FollowUpCloseIn):
    """Close an open follow-up with a note of what was done (its service manager, or a
    manager of the office)."""
    follow_up = selectors.follow_up_for(request.auth, follow_up_id)
    services.close_follow_up(
        actor=request.auth, follow_up=follow_up, note=payload.note, version=payload.version
    )
    return follow_up_out(selectors.follow_up_for(request.auth, follow_up_id))
