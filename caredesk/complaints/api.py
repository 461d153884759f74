"""/api/v1 complaints: register, list (by deadline, with filters, by cursor), read, and each
step of the closed loop — acknowledge, extend, call back, root cause, corrective actions,
respond (and approve), withdraw, close, reopen — and the taxonomy. Parse, look up what the
caller may see, call a verb, return the fresh complaint."""

from django.http import JsonResponse
from ninja import Query, Router, Schema
from ninja import Status as Answer
from ninja.responses import NinjaJSONEncoder
from pydantic import Field

from caredesk.apikit import IdParam, error_responses
from caredesk.directory.models import Person
from caredesk.errors import NotFound, PermissionDenied, ValidationFailed
from caredesk.tickets.models import Ticket

from . import policy, selectors, services
from .models import Category, Complaint, CorrectiveAction
from .schemas import (
    ActionIn,
    CallBackIn,
    CategoryOut,
    ComplaintAnswerIn,
    ComplaintCloseIn,
    ComplaintNoteIn,
    ComplaintOut,
    ComplaintPage,
    ComplaintReopenIn,
    ComplaintVerifyIn,
    ComplaintVersionIn,
    ExtendIn,
    LookupOut,
    OpenIn,
    RespondIn,
    RootCauseIn,
    SeverityIn,
    StatusFilter,
    WithdrawIn,
)

router = Router(tags=["complaints"])


# ---------------------------------------------------------------- shaping


def _person(p: Person) -> dict:
    return {"id": p.pk, "name": p.name, "phone": p.phone}


def category_out(c: Category) -> dict:
    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "name_en": c.name_en,
        "parent": c.parent.code if c.parent_id else None,
    }


def complaint_out(reader: Person, c: Complaint) -> dict:
    """The complaint as its reader's audience may read it: customers get no internal part
    and no internal timeline entries."""
    staff = policy.sees_internal(reader)
    internal = None
    if staff:
        internal = {
            "root_cause": category_out(c.root_cause) if c.root_cause_id else None,
            "findings": c.root_cause_note,
            "actions": [
                {
                    "id": a.pk,
                    "description": a.description,
                    "owner": _person(a.owner),
                    "due_at": a.due_at,
                    "verified_at": a.verified_at,
                    "verification": a.verification,
                    "effective": a.effective,
                }
                for a in c.actions.select_related("owner").order_by("due_at", "id")
            ],
            "registered_by": _person(c.registered_by),
            "response_draft": c.response if c.response_sent_at is None else "",
        }
    return {
        "id": c.pk,
        "number": c.number,
        "status": c.status,
        "source": c.source,
        "source_ref": c.source_ref,
        "channel": c.channel,
        "customer_org": c.customer_org_id,
        "complainant": c.complainant_name,
        "complainant_phone": c.complainant_phone,
        "received_at": c.received_at,
        "words": c.words,
        "remedy_sought": c.remedy_sought,
        "severity": c.severity,
        "impact": c.impact,
        "category": category_out(c.category),
        "subcategory": category_out(c.subcategory) if c.subcategory_id else None,
        "handler": _person(c.handler),
        "tickets": [
            {"id": t.pk, "number": t.number, "title": t.title} for t in selectors.tickets_of(c)
        ],
        "deadlines": {
            "acknowledge": c.acknowledge_due,
            "callback": c.callback_due,
            "resolve": c.resolve_due,
            "next": c.next_due,
            "overdue": sorted(c.overdue),
        },
        "response": c.response if c.response_sent_at else "",
        "response_sent_at": c.response_sent_at,
        "withdrawn_at": c.withdrawn_at,
        "withdrawn_by": c.withdrawn_name or None,
        "closed_at": c.closed_at,
        "closure": c.closure,
        "recourse_told": c.recourse_told,
        "extensions": [
            {
                "deadline": e.deadline,
                "old_due": e.old_due,
                "new_due": e.new_due,
                "reason": e.reason,
                "asked_by": e.asked_by.name,
                "asked_at": e.asked_at,
            }
            for e in c.extensions.select_related("asked_by").order_by("asked_at", "id")
        ],
        "callbacks": [
            {
                "at": b.at,
                "by": b.by.name,
                "reached": b.reached,
                "satisfied": b.satisfied,
                "after_response": b.after_response,
                "note": b.note,
            }
            for b in c.callbacks.select_related("by").order_by("at", "id")
        ],
        "timeline": [
            {
                "kind": e.kind,
                "at": e.at,
                "actor": e.actor.name if e.actor_id else None,
                "body": e.body,
                "internal": e.internal,
                "data": e.data,
            }
            for e in selectors.timeline_for(reader, c)
        ],
        "version": c.version,
        "internal": internal,
    }


def row_out(c: Complaint) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "status": c.status,
        "severity": c.severity,
        "category": c.category.code,
        "customer_org": c.customer_org_id,
        "complainant": c.complainant_name,
        "handler": _person(c.handler),
        "received_at": c.received_at,
        "next_due": c.next_due,
        "overdue": sorted(c.overdue),
    }


def _complaint(request, complaint_id: int) -> Complaint:
    return selectors.complaint_for(request.auth, complaint_id)


def _fresh(request, complaint_id: int) -> dict:
    return complaint_out(request.auth, _complaint(request, complaint_id))


def _category(code: str | None, field: str) -> Category | None:
    if code is None:
        return None
    found = Category.objects.filter(code=code, active=True).first()
    if found is None:
        raise ValidationFailed(fields={field: "No such category."})
    return found


def _person_named(pk: int | None, field: str) -> Person | None:
    if pk is None:
        return None
    found = Person.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise ValidationFailed(fields={field: "No such person."})
    return found


def _tickets(ids: list[int]) -> list[Ticket]:
    found = Ticket.objects.select_related("customer_org", "owner").in_bulk(ids)
    if len(found) != len(set(ids)):
        raise ValidationFailed(fields={"tickets": "No such ticket."})
    return [found[pk] for pk in dict.fromkeys(ids)]


# ---------------------------------------------------------------- endpoints


class ComplaintListQuery(Schema):
    scope: str = Field("all", pattern="^(mine|all)$", description="mine: those I handle")
    status: StatusFilter = "open"
    category: str = Field("", max_length=40)
    severity: SeverityIn | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


@router.get("/complaints", response={200: ComplaintPage, **error_responses()})
def list_complaints(request, query: Query[ComplaintListQuery]):
    """Complaints the caller may see: open ones nearest deadline first, by cursor."""
    rows = selectors.queue(
        request.auth,
        scope=query.scope,
        status=query.status,
        category=query.category,
        severity=query.severity or "",
        after=selectors.parse_cursor(query.cursor, query.status),
        limit=query.limit + 1,
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = selectors.cursor_of(rows[-1], query.status) if more else None
    body = {"items": [row_out(c) for c in rows], "next_cursor": next_cursor}
    return JsonResponse(body, encoder=NinjaJSONEncoder, json_dumps_params={"ensure_ascii": False})


@router.post("/complaints", response={201: ComplaintOut, **error_responses(403, 404, 409)})
def create_complaint(request, payload: OpenIn):
    """Register a complaint about one or more tickets (the first is its main one). The
    handler defaults to the customer's service manager; never the registering hotline agent."""
    tickets = _tickets(payload.tickets)
    complainant = _person_named(payload.complainant, "complainant")
    complaint = services.open_complaint(
        actor=request.auth,
        source=payload.source,
        source_ref=payload.source_ref,
        tickets=tickets,
        channel=payload.channel or "",
        complainant=complainant,
        complainant_name=payload.complainant_name,
        complainant_phone=payload.complainant_phone,
        received_at=payload.received_at,
        words=payload.words,
        remedy_sought=payload.remedy_sought,
        severity=payload.severity,
        impact=payload.impact,
        category=_category(payload.category, "category"),
        subcategory=_category(payload.subcategory, "subcategory"),
        handler=_person_named(payload.handler, "handler"),
    )
    return Answer(201, _fresh(request, complaint.pk))


@router.get("/complaints/{complaint_id}", response={200: ComplaintOut, **error_responses(404)})
def get_complaint(request, complaint_id: IdParam):
    return _fresh(request, complaint_id)


WRITE = {200: ComplaintOut, **error_responses(403, 404, 409)}


@router.post("/complaints/{complaint_id}/acknowledge", response=WRITE)
def acknowledge(request, complaint_id: IdParam, payload: ComplaintVersionIn | None = None):
    p = payload or ComplaintVersionIn()
    services.acknowledge(
        actor=request.auth, complaint=_complaint(request, complaint_id), version=p.version
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/extend", response=WRITE)
def extend(request, complaint_id: IdParam, payload: ExtendIn):
    """Extend a deadline before it passes (409 `extension_too_late` after), with a reason the
    complainant is told."""
    services.extend_deadline(
        actor=request.auth,
        complaint=_complaint(request, complaint_id),
        deadline=payload.deadline,
        until=payload.until,
        reason=payload.reason,
        version=payload.version,
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/callback", response=WRITE)
def callback(request, complaint_id: IdParam, payload: CallBackIn):
    """A call-back: reached or not; after the response, satisfied or not."""
    services.record_callback(
        actor=request.auth,
        complaint=_complaint(request, complaint_id),
        reached=payload.reached,
        satisfied=payload.satisfied,
        note=payload.note,
        version=payload.version,
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/root-cause", response=WRITE)
def root_cause(request, complaint_id: IdParam, payload: RootCauseIn):
    services.record_root_cause(
        actor=request.auth,
        complaint=_complaint(request, complaint_id),
        cause=_category(payload.cause, "cause"),
        note=payload.note,
        version=payload.version,
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/notes", response=WRITE)
def note(request, complaint_id: IdParam, payload: ComplaintNoteIn):
    """An investigation note: internal, never shown to the customer."""
    services.add_note(
        actor=request.auth, complaint=_complaint(request, complaint_id), body=payload.body
    )
    return _fresh(request, complaint_id)


@router.post(
    "/complaints/{complaint_id}/actions",
    response={201: ComplaintOut, **error_responses(403, 404, 409)},
)
def add_action(request, complaint_id: IdParam, payload: ActionIn):
    """A corrective action: what, who (owner), by when."""
    services.add_action(
        actor=request.auth,
        complaint=_complaint(request, complaint_id),
        description=payload.description,
        owner=_person_named(payload.owner, "owner"),
        due_at=payload.due_at,
    )
    return Answer(201, _fresh(request, complaint_id))


@router.post("/complaints/{complaint_id}/actions/{action_id}/verify", response=WRITE)
def verify_action(request, complaint_id: IdParam, action_id: IdParam, payload: ComplaintVerifyIn):
    complaint = _complaint(request, complaint_id)
    action = CorrectiveAction.objects.filter(pk=action_id, complaint=complaint).first()
    if action is None:
        raise NotFound()
    services.verify_action(
        actor=request.auth,
        action=action,
        effective=payload.effective,
        verification=payload.verification,
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/respond", response=WRITE)
def respond(request, complaint_id: IdParam, payload: RespondIn):
    """The response to the complainant; when severity is high it waits for the handler's
    manager to approve it (`/approve`) before it is sent."""
    services.respond(
        actor=request.auth,
        complaint=_complaint(request, complaint_id),
        text=payload.text,
        version=payload.version,
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/approve", response=WRITE)
def approve(request, complaint_id: IdParam, payload: ComplaintVersionIn | None = None):
    p = payload or ComplaintVersionIn()
    services.approve_response(
        actor=request.auth, complaint=_complaint(request, complaint_id), version=p.version
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/withdraw", response=WRITE)
def withdraw(request, complaint_id: IdParam, payload: WithdrawIn):
    """The complainant withdraws (撤诉): the time and who recorded it are kept."""
    services.withdraw(
        actor=request.auth,
        complaint=_complaint(request, complaint_id),
        note=payload.note,
        withdrawn_name=payload.withdrawn_name,
        version=payload.version,
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/close", response=WRITE)
def close(request, complaint_id: IdParam, payload: ComplaintCloseIn):
    """Close on the complainant's confirmation (a satisfied call-back) or their recorded
    refusal with the recourse told; otherwise 409 `closure_needs_answer`."""
    services.close(
        actor=request.auth,
        complaint=_complaint(request, complaint_id),
        outcome=payload.outcome,
        note=payload.note,
        recourse=payload.recourse,
        version=payload.version,
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/answer", response=WRITE)
def answer(request, complaint_id: IdParam, payload: ComplaintAnswerIn):
    """The complainant's own answer to the sent response (customer portal or API): accepted
    closes the complaint as confirmed; not accepted, with a comment, sends it back to work.
    Only the complainant; 409 when no response waits for an answer."""
    services.answer_response(
        actor=request.auth,
        complaint=_complaint(request, complaint_id),
        accepted=payload.accepted,
        comment=payload.comment,
        version=payload.version,
    )
    return _fresh(request, complaint_id)


@router.post("/complaints/{complaint_id}/reopen", response=WRITE)
def reopen(request, complaint_id: IdParam, payload: ComplaintReopenIn):
    services.reopen(
        actor=request.auth,
        complaint=_complaint(request, complaint_id),
        reason=payload.reason,
        version=payload.version,
    )
    return _fresh(request, complaint_id)


@router.get("/complaint-categories", response={200: list[CategoryOut], **error_responses()})
def complaint_categories(request):
    """The typical-problem taxonomy: categories and their sub-categories (admins extend it)."""
    return [category_out(c) for c in selectors.categories()]


class LookupQuery(Schema):
    q: str = Field(min_length=1, max_length=40, description="A phone number or ticket number")


@router.get("/complaint-lookup", response={200: LookupOut, **error_responses(403)})
def complaint_lookup(request, query: Query[LookupQuery]):
    """The hotline's search from a call: the caller's phone finds the contacts with it and
    their organisations' open tickets; a ticket number finds that ticket (only tickets the
    caller may see). For those who register complaints."""
    if not policy.can_register(request.auth):
        raise PermissionDenied()
    found = selectors.registration_search(request.auth, query.q)
    return {
        "contacts": [
            {"id": p.pk, "name": p.name, "phone": p.phone, "organisation": p.organisation_id}
            for p in found["contacts"]
        ],
        "tickets": [
            {
                "id": t.pk,
                "number": t.number,
                "title": t.title,
                "customer_org": t.customer_org_id,
                "owner": _person(t.owner),
                "status": t.status,
            }
            for t in found["tickets"]
        ],
    }
