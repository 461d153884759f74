"""/api/v1 site visits: a ticket's visits, planning one, and its steps on site — set off,
arrive, leave (with the next step when unresolved), cancel — and the customer's confirmation
of the report. Parse, look up what the caller may see, call a verb, return the fresh visit."""

from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema
from ninja import Status as Answer

from caredesk.apikit import Id, IdParam, Version, error_responses
from caredesk.directory.models import Person
from caredesk.errors import ValidationFailed
from caredesk.tickets import selectors as ticket_selectors
from caredesk.tickets.rules import Limits

from .models import Visit, VisitResult
from .visits import policy, selectors, services

router = Router(tags=["site visits"])

ResultIn = Literal[tuple(VisitResult.values)]  # type: ignore[valid-type]


# ---------------------------------------------------------------- schemas


class VisitPersonOut(Schema):
    id: int
    name: str
    phone: str


class NextStepOut(Schema):
    what: str
    owner: VisitPersonOut
    due_at: datetime


class ConfirmationOut(Schema):
    name: str = Field(description="The customer's name as it was when they confirmed")
    at: datetime


class CorrectionOut(Schema):
    stated_at: datetime = Field(description="The time the engineer gave for the step")
    recorded_at: datetime = Field(description="When it was entered, by the server's clock")
    reason: str


class VisitInternalOut(Schema):
    planned_by: VisitPersonOut
    corrections: dict[str, CorrectionOut] = Field(
        description="Steps (travel, arrived, left) whose time was stated by hand"
    )
    cancel_reason: str


class VisitOut(Schema):
    id: int
    ticket: int
    ticket_number: str
    status: str = Field(description="planned, travelling, on_site, left or cancelled")
    engineer: VisitPersonOut
    planned_at: datetime
    purpose: str
    travel_started_at: datetime | None
    arrived_at: datetime | None = Field(description="Check-in (到站)")
    left_at: datetime | None = Field(description="Check-out (离站)")
    result: str | None = Field(description="resolved, unresolved or needs_parts, once left")
    work_done: str
    next_step: NextStepOut | None = Field(description="Set when left unresolved or needing parts")
    customer_message: str
    stated_times: list[str] = Field(description="Steps whose time the engineer stated by hand")
    confirmation: ConfirmationOut | None = Field(description="The customer's, of the report")
    version: int
    internal: VisitInternalOut | None = Field(description="For staff; null for customers")


class PlanIn(Schema):
    engineer: Id
    planned_at: datetime
    purpose: str = Field(min_length=1, max_length=Limits.REASON)


class VisitStepIn(Schema):
    at: datetime | None = Field(
        None, description="The time of the step when not now (the server's clock), with reason"
    )
    reason: str = Field("", max_length=Limits.REASON)
    version: Version | None = None


class LeaveIn(VisitStepIn):
    result: ResultIn
    work_done: str = Field(min_length=1, max_length=Limits.TEXT)
    next_step: str = Field(
        "", max_length=Limits.REASON, description="Required unless the result is resolved"
    )
    next_step_owner: Id | None = Field(None, description="Required unless resolved")
    next_step_due: datetime | None = Field(None, description="Required unless resolved")
    customer_message: str = Field(
        "", max_length=Limits.TEXT, description="Required unless resolved; sent to the customer"
    )


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=Limits.REASON)
    version: Version | None = None


# ---------------------------------------------------------------- shaping


def _person(p: Person) -> dict:
    return {"id": p.pk, "name": p.name, "phone": p.phone}


def visit_out(reader: Person, v: Visit) -> dict:
    """The visit as its reader's audience may read it: customers get no internal part."""
    internal = None
    if policy.sees_internal(reader):
        internal = {
            "planned_by": _person(v.planned_by),
            "corrections": v.corrections,
            "cancel_reason": v.cancel_reason,
        }
    return {
        "id": v.pk,
        "ticket": v.ticket_id,
        "ticket_number": v.ticket.number,
        "status": v.status,
        "engineer": _person(v.engineer),
        "planned_at": v.planned_at,
        "purpose": v.purpose,
        "travel_started_at": v.travel_started_at,
        "arrived_at": v.arrived_at,
        "left_at": v.left_at,
        "result": v.result or None,
        "work_done": v.work_done,
        "next_step": (
            {"what": v.next_step, "owner": _person(v.next_step_owner), "due_at": v.next_step_due}
            if v.next_step_owner_id
            else None
        ),
        "customer_message": v.customer_message,
        "stated_times": sorted(v.corrections),
        "confirmation": (
            {"name": v.confirmed_name, "at": v.confirmed_at} if v.confirmed_at else None
        ),
        "version": v.version,
        "internal": internal,
    }


def _visit(request, visit_id: int) -> Visit:
    return selectors.visit_for(request.auth, visit_id)


def _fresh(request, visit_id: int) -> dict:
    return visit_out(request.auth, _visit(request, visit_id))


def _person_named(pk: int | None, field: str) -> Person | None:
    if pk is None:
        return None
    found = Person.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(fields={field: "No such person."})
    return found


# ---------------------------------------------------------------- endpoints


@router.get("/tickets/{ticket_id}/visits", response={200: list[VisitOut], **error_responses(404)})
def ticket_visits(request, ticket_id: IdParam):
    """The ticket's site visits, latest planned first (whoever may see the ticket)."""
    ticket = ticket_selectors.ticket_for(request.auth, ticket_id=ticket_id)
    return [visit_out(request.auth, v) for v in selectors.visits_of(ticket)]


@router.post(
    "/tickets/{ticket_id}/visits",
    response={201: VisitOut, **error_responses(403, 404, 409)},
)
def plan_visit(request, ticket_id: IdParam, payload: PlanIn):
    """Plan a visit: the engineer (staff of the office, or the partner engineer who owns the
    ticket), when, what for. The owner or the service manager plans; the customer is told."""
    ticket = ticket_selectors.ticket_for(request.auth, ticket_id=ticket_id)
    visit = services.plan_visit(
        actor=request.auth,
        ticket=ticket,
        engineer=_person_named(payload.engineer, "engineer"),
        planned_at=payload.planned_at,
        purpose=payload.purpose,
    )
    return Answer(201, _fresh(request, visit.pk))


@router.get("/visits/{visit_id}", response={200: VisitOut, **error_responses(404)})
def get_visit(request, visit_id: IdParam):
    return _fresh(request, visit_id)


def _timed_step(request, visit_id: int, payload: VisitStepIn | None, verb) -> dict:
    p = payload or VisitStepIn()
    verb(
        actor=request.auth,
        visit=_visit(request, visit_id),
        at=p.at,
        reason=p.reason,
        version=p.version,
    )
    return _fresh(request, visit_id)


@router.post(
    "/visits/{visit_id}/travel", response={200: VisitOut, **error_responses(403, 404, 409)}
)
def start_travel(request, visit_id: IdParam, payload: VisitStepIn | None = None):
    """The engineer sets off (now by the server's clock, or `at` with a `reason`)."""
    return _timed_step(request, visit_id, payload, services.start_travel)


@router.post(
    "/visits/{visit_id}/arrive", response={200: VisitOut, **error_responses(403, 404, 409)}
)
def arrive(request, visit_id: IdParam, payload: VisitStepIn | None = None):
    """Check-in (到站): now by the server's clock, or `at` with a `reason`."""
    return _timed_step(request, visit_id, payload, services.arrive)


@router.post("/visits/{visit_id}/leave", response={200: VisitOut, **error_responses(403, 404, 409)})
def leave(request, visit_id: IdParam, payload: LeaveIn):
    """Check-out (离站) with the work done and the result. Unresolved or needing parts needs
    next_step, next_step_owner, next_step_due and customer_message: a 422
    (`next_step_required`) names each one missing. The customer is sent the report."""
    services.leave_site(
        actor=request.auth,
        visit=_visit(request, visit_id),
        result=payload.result,
        work_done=payload.work_done,
        next_step=payload.next_step,
        next_step_owner=_person_named(payload.next_step_owner, "next_step_owner"),
        next_step_due=payload.next_step_due,
        customer_message=payload.customer_message,
        at=payload.at,
        reason=payload.reason,
        version=payload.version,
    )
    return _fresh(request, visit_id)


@router.post(
    "/visits/{visit_id}/cancel", response={200: VisitOut, **error_responses(403, 404, 409)}
)
def cancel(request, visit_id: IdParam, payload: CancelIn):
    services.cancel_visit(
        actor=request.auth,
        visit=_visit(request, visit_id),
        reason=payload.reason,
        version=payload.version,
    )
    return _fresh(request, visit_id)


@router.post(
    "/visits/{visit_id}/confirm", response={200: VisitOut, **error_responses(403, 404, 409)}
)
def confirm(request, visit_id: IdParam):
    """The customer confirms the visit report; their name and the time are kept."""
    services.confirm_report(actor=request.auth, visit=_visit(request, visit_id))
    return _fresh(request, visit_id)
