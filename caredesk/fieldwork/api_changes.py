"""/api/v1 change requests: the list and one change, requesting one, and its workflow — submit,
approve, reject, start, verify, complete, roll back, cancel. Parse, look up what the caller may
see, call a verb, return the fresh change. A stale `version` answers 409."""

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from caredesk.apikit import Id, IdParam, Version, error_responses
from caredesk.directory.models import Organisation, Person, Product, Region
from caredesk.errors import ValidationFailed
from caredesk.tickets.models import Ticket
from caredesk.tickets.rules import Limits

from .changes import policy, selectors, services
from .changes.rules import RISK_QUESTIONS
from .models import ChangeKind, ChangeModel, ChangeRequest, ChangeStatus, ChangeTemplate

router = Router(tags=["change requests"])

KindIn = Literal[tuple(ChangeKind.values)]  # type: ignore[valid-type]
ModelIn = Literal[tuple(ChangeModel.values)]  # type: ignore[valid-type]
StatusIn = Literal[tuple([*ChangeStatus.values, "active"])]  # type: ignore[valid-type]
Text = Field(min_length=1, max_length=Limits.TEXT)
Reason = Field(min_length=1, max_length=Limits.REASON)


# ---------------------------------------------------------------- schemas


class ChangePersonOut(Schema):
    id: int
    name: str
    phone: str


class ElementIn(Schema):
    element: str = Field(min_length=1, max_length=200)
    site: str = Field("", max_length=200)


class ElementOut(Schema):
    element: str
    site: str


class AssessmentIn(Schema):
    service_impact: bool = Field(False, description=str(RISK_QUESTIONS["service_impact"][0]))
    hard_to_undo: bool = Field(False, description=str(RISK_QUESTIONS["hard_to_undo"][0]))
    untried: bool = Field(False, description=str(RISK_QUESTIONS["untried"][0]))


class ApprovalOut(Schema):
    by: ChangePersonOut
    at: datetime


class CheckIn(Schema):
    item: str = Field(min_length=1, max_length=Limits.PARTY)
    ok: bool
    note: str = Field("", max_length=Limits.REASON)


class CheckOut(Schema):
    item: str
    ok: bool
    note: str


class ConflictOut(Schema):
    kind: str = Field(description="overlap (another active change) or blackout")
    number: str | None = Field(None, description="The other change's number (overlap)")
    name: str | None = Field(None, description="The blackout window's name (blackout)")
    elements: list[str] = Field([], description="The elements both changes hold (overlap)")
    starts_at: datetime
    ends_at: datetime


class ChangeTicketRef(Schema):
    id: int
    number: str


class ChangeOut(Schema):
    id: int
    number: str = Field(description="CHG-000123")
    kind: str
    model: str = Field(description="normal, standard (a published template) or emergency")
    status: str
    title: str
    customer_org: int
    customer_name: str
    region: int | None
    product: int | None
    requester: ChangePersonOut
    executor: ChangePersonOut
    plan: str
    rollback_plan: str
    risk: str
    risk_assessment: dict[str, bool]
    window_start: datetime
    window_end: datetime
    elements: list[ElementOut]
    tickets: list[ChangeTicketRef]
    conflicts: list[ConflictOut]
    override_reason: str
    needs_customer_approval: bool
    authorised: bool
    vendor_approval: ApprovalOut | None
    customer_approval: ApprovalOut | None
    authorise_by: datetime | None = Field(description="An emergency change's deadline")
    submitted_at: datetime | None
    started_at: datetime | None
    execution_note: str
    verification: list[CheckOut]
    ended_at: datetime | None
    outcome_note: str
    reject_reason: str
    cancel_reason: str
    version: int


class ChangePage(Schema):
    items: list[ChangeOut]
    next_cursor: str | None


class ChangeIn(Schema):
    customer_org: Id
    kind: KindIn = "other"
    model: ModelIn = "normal"
    template: Id | None = Field(None, description="A published standard template (standard)")
    title: str = Field(min_length=1, max_length=Limits.TITLE)
    plan: str = Field("", max_length=Limits.TEXT, description="May be left to the template")
    rollback_plan: str = Field("", max_length=Limits.TEXT, description="Required for high risk")
    assessment: AssessmentIn = Field(
        default_factory=AssessmentIn, description="The risk comes from these answers"
    )
    window_start: datetime
    window_end: datetime
    elements: list[ElementIn] = Field(min_length=1, max_length=services.MAX_ELEMENTS)
    executor: Id
    tickets: list[Id] = Field([], max_length=50)
    region: Id | None = None
    product: Id | None = None


class ChangeVersionIn(Schema):
    version: Version | None = None


class SubmitIn(ChangeVersionIn):
    override_reason: str = Field(
        "",
        max_length=Limits.REASON,
        description="Required when the window runs into another change or a blackout",
    )


class ChangeNoteIn(ChangeVersionIn):
    note: str = Field("", max_length=Limits.REASON)


class ReasonIn(ChangeVersionIn):
    reason: str = Reason


class ChangeVerifyIn(ChangeVersionIn):
    checklist: list[CheckIn] = Field(min_length=1, max_length=100)
    execution_note: str = Text


class CompleteIn(ChangeVersionIn):
    outcome: Literal["done", "failed"]
    note: str = Field("", max_length=Limits.TEXT, description="Required when failed")


class RollbackIn(ChangeVersionIn):
    note: str = Text


class ChangeListQuery(Schema):
    customer: IdParam | None = Field(None, description="A customer (and its branches)")
    status: StatusIn | None = Field(None, description="A status, or active")
    element: str | None = Field(None, max_length=200)
    ticket: IdParam | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


# ---------------------------------------------------------------- shaping


def _person(p: Person) -> dict:
    return {"id": p.pk, "name": p.name, "phone": p.phone}


def _approval(by: Person | None, at) -> dict | None:
    return {"by": _person(by), "at": at} if by is not None and at is not None else None


def change_out(c: ChangeRequest) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "kind": c.kind,
        "model": c.model,
        "status": c.status,
        "title": c.title,
        "customer_org": c.customer_org_id,
        "customer_name": c.customer_org.name,
        "region": c.region_id,
        "product": c.product_id,
        "requester": _person(c.requester),
        "executor": _person(c.executor),
        "plan": c.plan,
        "rollback_plan": c.rollback_plan,
        "risk": c.risk,
        "risk_assessment": c.risk_assessment,
        "window_start": c.window_start,
        "window_end": c.window_end,
        "elements": [{"element": t.element, "site": t.site} for t in c.targets.all()],
        "tickets": [{"id": t.pk, "number": t.number} for t in c.tickets.all()],
        "conflicts": c.conflicts,
        "override_reason": c.override_reason,
        "needs_customer_approval": c.needs_customer_approval,
        "authorised": c.is_authorised,
        "vendor_approval": _approval(c.vendor_approver, c.vendor_approved_at),
        "customer_approval": _approval(c.customer_approver, c.customer_approved_at),
        "authorise_by": c.authorise_by,
        "submitted_at": c.submitted_at,
        "started_at": c.started_at,
        "execution_note": c.execution_note,
        "verification": c.verification,
        "ended_at": c.ended_at,
        "outcome_note": c.outcome_note,
        "reject_reason": c.reject_reason,
        "cancel_reason": c.cancel_reason,
        "version": c.version,
    }


def _change(request, change_id: int) -> ChangeRequest:
    return selectors.change_for(request.auth, change_id)


def _fresh(request, change_id: int) -> dict:
    return change_out(_change(request, change_id))


def named_row(model, pk: int | None, field: str):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(fields={field: f"No {field} {pk}."})
    return found


def _tickets(ids: list[int]) -> list[Ticket]:
    """The tickets named; one that does not exist is refused in the words of one the caller
    may not see (services), so existence never leaks."""
    found = Ticket.objects.in_bulk(ids)
    if any(pk not in found for pk in ids):
        raise ValidationFailed(fields={"tickets": str(services.UNLINKABLE)})
    return [found[pk] for pk in ids]


# ---------------------------------------------------------------- endpoints


@router.get("/changes", response={200: ChangePage, **error_responses()})
def list_changes(request, query: Query[ChangeListQuery]):
    """The changes the caller may see, newest first, by cursor (`next_cursor` → `?cursor=`)."""
    filters = selectors.ChangeFilters(
        customer_org=query.customer,
        status=query.status,
        element=query.element,
        ticket=query.ticket,
    )
    rows, next_cursor = selectors.change_page(request.auth, filters, query.cursor, query.limit)
    return {"items": [change_out(c) for c in rows], "next_cursor": next_cursor}


@router.post("/changes", response={201: ChangeOut, **error_responses(403, 404, 409)})
def create_change(request, payload: ChangeIn):
    """Request a change (a draft): vendor-office staff, for a customer, its elements and
    window, carried out by an engineer or a partner engineer. The risk comes from the
    assessment; high risk needs `rollback_plan` (422 `rollback_plan_required`)."""
    policy.check_request(request.auth)
    org = named_row(Organisation, payload.customer_org, "customer_org")
    region = named_row(Region, payload.region, "region")
    product = named_row(Product, payload.product, "product")
    change = services.create_change(
        actor=request.auth,
        customer_org=org,
        kind=payload.kind,
        model=payload.model,
        template=named_row(ChangeTemplate, payload.template, "template"),
        title=payload.title,
        plan=payload.plan,
        rollback_plan=payload.rollback_plan,
        assessment=payload.assessment.dict(),
        window_start=payload.window_start,
        window_end=payload.window_end,
        elements=[e.dict() for e in payload.elements],
        executor=named_row(Person, payload.executor, "executor"),
        tickets=_tickets(payload.tickets),
        region=region,
        product=product,
    )
    return Answer(201, _fresh(request, change.pk))


@router.get("/changes/{change_id}", response={200: ChangeOut, **error_responses(404)})
def get_change(request, change_id: IdParam):
    return _fresh(request, change_id)


WRITE = {200: ChangeOut, **error_responses(403, 404, 409)}


def _act(request, change_id: int, verb, payload: ChangeVersionIn, **arguments) -> dict:
    """Call `verb` on the change the caller may see with the body's fields (its version, and
    `arguments` — those that are not the body's own), and answer the fresh change."""
    fields = payload.dict(exclude={"version", *arguments})
    verb(
        actor=request.auth,
        change=_change(request, change_id),
        version=payload.version,
        **fields,
        **arguments,
    )
    return _fresh(request, change_id)


@router.post("/changes/{change_id}/submit", response=WRITE)
def submit(request, change_id: IdParam, payload: SubmitIn | None = None):
    """Send it for approval. A window running into another active change on the same element,
    or a blackout, answers 409 `change_conflicts` naming them, unless `override_reason` says
    why to go ahead. A standard change is approved at once."""
    return _act(request, change_id, services.submit_change, payload or SubmitIn())


@router.post("/changes/{change_id}/approve", response=WRITE)
def approve(request, change_id: IdParam, payload: ChangeNoteIn | None = None):
    """One approval: the office's (product maintenance leader or service manager for the
    change's scope) or, at medium or high risk, the customer's. Never one's own change (403
    `self_approval`)."""
    return _act(request, change_id, services.approve_change, payload or ChangeNoteIn())


@router.post("/changes/{change_id}/reject", response=WRITE)
def reject(request, change_id: IdParam, payload: ReasonIn):
    return _act(request, change_id, services.reject_change, payload)


@router.post("/changes/{change_id}/start", response=WRITE)
def start(request, change_id: IdParam, payload: ChangeVersionIn | None = None):
    """The executor starts it: approved (409 `change_not_approved`), inside its window (409
    `change_outside_window`). Staff may start an emergency change before it is authorised."""
    return _act(request, change_id, services.start_change, payload or ChangeVersionIn())


@router.post("/changes/{change_id}/verify", response=WRITE)
def verify(request, change_id: IdParam, payload: ChangeVerifyIn):
    """The executor records what was done and the verification checklist."""
    checklist = [c.dict() for c in payload.checklist]
    return _act(request, change_id, services.verify_change, payload, checklist=checklist)


@router.post("/changes/{change_id}/complete", response=WRITE)
def complete(request, change_id: IdParam, payload: CompleteIn):
    """Done (every check passed, 422 `verification_incomplete` otherwise) or failed; the
    stakeholders are told."""
    return _act(request, change_id, services.complete_change, payload)


@router.post("/changes/{change_id}/rollback", response=WRITE)
def rollback(request, change_id: IdParam, payload: RollbackIn):
    return _act(request, change_id, services.roll_back_change, payload)


@router.post("/changes/{change_id}/cancel", response=WRITE)
def cancel(request, change_id: IdParam, payload: ReasonIn):
    return _act(request, change_id, services.cancel_change, payload)
