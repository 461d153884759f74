"""/api/v1/risk: the at-risk tickets the caller may see (highest score first, with reasons and
the latest alert) and the acknowledgement of an alert with what was done. Staff only: for a
customer neither exists (404)."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from caredesk.apikit import IdParam, error_responses
from caredesk.errors import NotFound

from . import policy, selectors, services
from .labels import told
from .models import RiskAlert

router = Router(tags=["early warning"])


class RiskQuery(Schema):
    min_score: int = Field(1, ge=0, le=100, description="Only tickets scoring at least this")
    limit: int = Field(selectors.LIST_LIMIT, ge=1, le=selectors.LIST_LIMIT)


class RPersonOut(Schema):
    id: int
    name: str
    phone: str


class ReasonOut(Schema):
    signal: str
    label: str
    points: float
    detail: str
    words: list[str]


class AlertOut(Schema):
    id: int
    ticket: int
    score: int
    reasons: list[ReasonOut]
    raised_at: datetime
    manager: RPersonOut | None
    escalated_to: RPersonOut | None
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: RPersonOut | None
    action_taken: str
    lead_minutes: float | None
    version: int


class RTicketOut(Schema):
    id: int
    number: str
    title: str
    severity: str
    status: str
    customer_name: str
    owner: RPersonOut


class AtRiskOut(Schema):
    ticket: RTicketOut
    score: int
    above_threshold: bool
    reasons: list[ReasonOut]
    computed_at: datetime
    alert: AlertOut | None


class AcknowledgeIn(Schema):
    action_taken: str = Field(
        ...,
        min_length=1,
        max_length=services.ACTION_LIMIT,
        description="What was done (called the customer, …)",
    )
    version: int | None = Field(None, description="The alert's version; 409 when stale")


def _person(p) -> dict | None:
    return None if p is None else {"id": p.pk, "name": p.name, "phone": p.phone or ""}


def alert_out(a: RiskAlert) -> dict:
    return {
        "id": a.pk,
        "ticket": a.ticket_id,
        "score": a.score,
        "reasons": told(a.reasons),
        "raised_at": a.raised_at,
        "manager": _person(a.manager),
        "escalated_to": _person(a.escalated_to),
        "escalated_at": a.escalated_at,
        "acknowledged_at": a.acknowledged_at,
        "acknowledged_by": _person(a.acknowledged_by),
        "action_taken": a.action_taken,
        "lead_minutes": a.lead_minutes,
        "version": a.version,
    }


def _row_out(r: selectors.AtRisk) -> dict:
    t = r.ticket
    return {
        "ticket": {
            "id": t.pk,
            "number": t.number,
            "title": t.title,
            "severity": t.severity,
            "status": t.status,
            "customer_name": t.customer_org.name,
            "owner": _person(t.owner),
        },
        "score": r.score,
        "above_threshold": r.above,
        "reasons": r.reasons,
        "computed_at": r.computed_at,
        "alert": alert_out(r.alert) if r.alert else None,
    }


@router.get("/risk", response={200: list[AtRiskOut], **error_responses(404)})
def at_risk(request, q: Query[RiskQuery]):
    """The open tickets the caller may see, by risk score (highest first), each with its
    reasons (every signal's points and the words that triggered it) and its latest alert."""
    if not policy.may_use(request.auth):
        raise NotFound()
    rows = selectors.at_risk(request.auth, min_score=q.min_score, limit=q.limit)
    return [_row_out(r) for r in rows]


@router.post(
    "/risk/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **error_responses(403, 404, 409)},
)
def acknowledge(request, alert_id: IdParam, payload: AcknowledgeIn):
    """The alert answered, with what was done: its service manager, whoever it went up to, or
    a manager of the ticket's office (403 for other readers); 409 when answered already or
    `version` is stale."""
    alert = selectors.alert_for(request.auth, alert_id)
    done = services.acknowledge(
        actor=request.auth, alert=alert, action_taken=payload.action_taken, version=payload.version
    )
    return alert_out(selectors.alert_for(request.auth, done.pk))
