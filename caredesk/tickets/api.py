"""/api/v1 tickets and hand-offs: parse, look up what the caller may see, call a verb."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from ninja.responses import NinjaJSONEncoder
from pydantic import StrictBool

from caredesk.apikit import (
    Id,
    IdOrCode,
    IdParam,
    Version,
    error_responses,
    omittable,
    reference,
)
from caredesk.directory import refdata
from caredesk.directory.models import Person, Product, Region
from caredesk.errors import NotFound, ValidationFailed
from caredesk.escalation import selectors as escalation_selectors

from . import policy, rules, selectors, services, sorting
from .models import CallDirection, CallOutcome, Channel, Ticket
from .rules import Limits

router = Router(tags=["tickets"])

SeverityIn = Literal["P1", "P2", "P3", "P4"]
ChannelIn = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
SortIn = Literal[sorting.SORT_NAMES]  # type: ignore[valid-type]


# ---------------------------------------------------------------- schemas


class PersonRef(Schema):
    id: int
    name: str
    phone: str


class Ref(Schema):
    id: int
    name: str


class CodeRef(Ref):
    code: str


class ConclusionOut(Schema):
    version: int
    text: str
    reason: str
    author: Ref
    at: datetime


class HandoffOut(Schema):
    id: int
    ticket: int
    status: str
    from_person: PersonRef
    to_person: PersonRef
    reason: str
    response_reason: str
    created_at: datetime
    decided_at: datetime | None


class TicketOut(Schema):
    id: int
    number: str
    status: str
    severity: str
    channel: str
    title: str
    customer_voice: str
    site: str
    customer_org: Ref
    product: CodeRef
    region: CodeRef
    owner: PersonRef
    owner_since: datetime
    requester: Ref | None
    version: int
    handoff_count: int
    resolution_note: str
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    breached: bool = Field(description="A running SLA clock of the ticket is past its target")
    next_due_at: datetime | None = Field(
        description="The earliest projected end of its running SLA clocks (null: none runs)"
    )


class TimelineOut(Schema):
    id: int
    kind: str
    at: datetime
    actor: Ref | None
    public: bool
    body: str
    data: dict


class ContactOut(Schema):
    role: str = Field(
        description="The first rung of the ladder the person stands on: owner, backup, "
        "service_manager, product_leader, spm, account_head — or next_escalation"
    )
    roles: list[str] = Field(description="Every rung the person holds for this ticket")
    person: PersonRef


class TicketDetailOut(TicketOut):
    timeline: list[TimelineOut]
    pending_handoff: HandoffOut | None
    conclusion: ConclusionOut | None
    escalation_contacts: list[ContactOut]


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class TicketIn(Schema):
    customer_org: Id
    product: IdOrCode
    region: IdOrCode
    severity: SeverityIn
    title: str = Field(min_length=1, max_length=Limits.TITLE)
    customer_voice: str = Field(min_length=1, max_length=Limits.TEXT)
    channel: ChannelIn = "api"
    site: str = Field("", max_length=Limits.SITE)
    requester: Id | None = None


class TicketPatch(Schema):
    """The fields to change; a field left out stays as it is (none of them takes null)."""

    version: Version
    title: str = omittable(min_length=1, max_length=Limits.TITLE)
    severity: SeverityIn = omittable()
    product: IdOrCode = omittable()
    region: IdOrCode = omittable()
    site: str = omittable(max_length=Limits.SITE)
    status: Literal[tuple(rules.MANUAL_STATUSES)] = omittable()  # type: ignore[valid-type]


class VersionIn(Schema):
    version: Version | None = None


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=Limits.TEXT)
    public: StrictBool = True


class CommentOut(Schema):
    id: int
    ticket_version: int


class CallIn(Schema):
    direction: Literal[tuple(CallDirection.values)] = "outbound"  # type: ignore[valid-type]
    outcome: Literal[tuple(CallOutcome.values)]  # type: ignore[valid-type]
    party: str = Field("", max_length=Limits.PARTY)
    note: str = Field("", max_length=Limits.NOTE)


class ConclusionIn(Schema):
    text: str = Field(min_length=1, max_length=Limits.TEXT)
    reason: str = Field("", max_length=Limits.REASON)
    version: Version | None = None


class ResolveIn(Schema):
    note: str = Field(min_length=1, max_length=Limits.TEXT)
    version: Version | None = None


class ConfirmIn(Schema):
    note: str = Field("", max_length=Limits.NOTE)


class ReopenIn(Schema):
    reason: str = Field(min_length=1, max_length=Limits.TEXT)


class DeclineIn(Schema):
    reason: str = Field(min_length=1, max_length=Limits.REASON)


class HandoffIn(Schema):
    to_person: Id
    reason: str = Field(min_length=1, max_length=Limits.REASON)
    version: Version | None = None


class HandoffCreated(Schema):
    id: int
    status: str
    ticket: int


# ---------------------------------------------------------------- shaping


def person_ref(p: Person) -> dict:
    return {"id": p.pk, "name": p.name, "phone": p.phone}


def ticket_out(t: Ticket) -> dict:
    return {
        "id": t.pk,
        "number": t.number,
        "status": t.status,
        "severity": t.severity,
        "channel": t.channel,
        "title": t.title,
        "customer_voice": t.customer_voice,
        "site": t.site,
        "customer_org": {"id": t.customer_org_id, "name": t.customer_org.name},
        "product": {"id": t.product_id, "code": t.product.code, "name": t.product.name},
        "region": {"id": t.region_id, "code": t.region.code, "name": t.region.name},
        "owner": person_ref(t.owner),
        "owner_since": t.owner_since,
        "requester": {"id": t.requester_id, "name": t.requester.name} if t.requester_id else None,
        "version": t.version,
        "handoff_count": t.handoff_count,
        "resolution_note": t.resolution_note,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "acknowledged_at": t.acknowledged_at,
        "resolved_at": t.resolved_at,
        "closed_at": t.closed_at,
        "breached": t.breached,
        "next_due_at": t.next_due_at,
    }


def handoff_out(h) -> dict:
    return {
        "id": h.pk,
        "ticket": h.ticket_id,
        "status": h.status,
        "from_person": person_ref(h.from_person),
        "to_person": person_ref(h.to_person),
        "reason": h.reason,
        "response_reason": h.response_reason,
        "created_at": h.created_at,
        "decided_at": h.decided_at,
    }


def detail_out(person: Person, t: Ticket) -> dict:
    """The ticket as its reader's audience may read it (policy.sees_internal): a customer's
    answer carries no internal entry and no pending hand-off, as the portal shows neither."""
    staff = policy.sees_internal(person)
    pending = selectors.pending_handoff(t) if staff else None
    conclusion = selectors.conclusions_of(t).first()
    return {
        **ticket_out(t),
        "timeline": [
            {
                "id": e.pk,
                "kind": e.kind,
                "at": e.at,
                "actor": {"id": e.actor_id, "name": e.actor.name} if e.actor_id else None,
                "public": e.public,
                "body": e.body,
                "data": e.data,
            }
            for e in selectors.timeline_for(person, t)
        ],
        "pending_handoff": handoff_out(pending) if pending else None,
        "conclusion": (
            {
                "version": conclusion.version,
                "text": conclusion.text,
                "reason": conclusion.reason,
                "author": {"id": conclusion.author_id, "name": conclusion.author.name},
                "at": conclusion.at,
            }
            if conclusion
            else None
        ),
        "escalation_contacts": _contacts(t),
    }


def _contacts(t: Ticket) -> list[dict]:
    """The customer's escalation ladder, each person once with every rung they hold (and
    "escalated_to": the highest level called so far) — then whom escalation reaches next,
    also when already listed under another rung."""
    card = escalation_selectors.contacts_card(t)
    contacts = [
        {"role": c.role, "roles": list(c.roles), "person": person_ref(c.person)}
        for c in card
        if c.role != "next"
    ]
    contacts += [
        {"role": "next_escalation", "roles": ["next_escalation"], "person": person_ref(c.person)}
        for c in card
        if c.next
    ]
    return contacts


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return selectors.ticket_for(request.auth, ticket_id=ticket_id)


# ---------------------------------------------------------------- endpoints


@router.post("/tickets", response={201: TicketOut, **error_responses(403, 409)})
def create_ticket(request, payload: TicketIn):
    """Open a ticket. It has an owner from the first instant (matrix or first contact)."""
    customer = refdata.organisation(payload.customer_org)
    if customer is None:
        raise ValidationFailed(fields={"customer_org": "No such customer organisation."})
    requester = None
    if payload.requester is not None:
        requester = Person.objects.filter(pk=payload.requester).first()
        if requester is None:
            raise ValidationFailed(fields={"requester": "No such person."})
    ticket = services.open_ticket(
        actor=request.auth,
        customer_org=customer,
        product=reference(Product, payload.product, "product"),
        region=reference(Region, payload.region, "region"),
        severity=payload.severity,
        title=payload.title,
        customer_voice=payload.customer_voice,
        channel=payload.channel,
        site=payload.site,
        requester=requester,
    )
    if not policy.can_view(request.auth, ticket):  # e.g. routed away from a partner engineer
        raise NotFound()
    return Answer(201, ticket_out(ticket))


class ListQuery(Schema):
    status: str | None = None
    owner: IdParam | None = None
    customer_org: IdParam | None = None
    product: IdParam | None = None
    severity: SeverityIn | None = None
    q: str | None = Field(None, max_length=200)
    sort: SortIn = Field(
        "newest",
        description="newest (by id, the default) or oldest; for open tickets only (status=open"
        " or one open status) also urgency (breached clocks first, then the nearest due time,"
        " then severity), severity, status or updated. Search results come newest first.",
    )
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


@router.get("/tickets", response={200: TicketPage, **error_responses()})
def list_tickets(request, query: Query[ListQuery]):
    """Tickets the caller may see, in `sort` order (newest first by default), by cursor
    (`next_cursor` → `?cursor=`, with the same filters and sort)."""
    filters = selectors.TicketFilters(
        status=query.status,
        owner=query.owner,
        customer_org=query.customer_org,
        product=query.product,
        severity=query.severity,
        q=query.q,
    )
    rows, next_cursor = selectors.ticket_page(
        request.auth, filters, query.cursor, query.limit, sort=query.sort
    )
    # Built here to the declared schema (TicketPage) and sent as is: validating a page of
    # rows we just made would cost more than the query.
    body = {"items": [ticket_out(t) for t in rows], "next_cursor": next_cursor}
    return JsonResponse(body, encoder=NinjaJSONEncoder, json_dumps_params={"ensure_ascii": False})


@router.get("/tickets/{ticket_id}", response={200: TicketDetailOut, **error_responses(404)})
def get_ticket(request, ticket_id: IdParam):
    return detail_out(request.auth, _ticket(request, ticket_id))


def _fresh_detail(request, ticket_id: int) -> dict:
    return detail_out(request.auth, _ticket(request, ticket_id))


@router.patch(
    "/tickets/{ticket_id}", response={200: TicketDetailOut, **error_responses(403, 404, 409)}
)
def patch_ticket(request, ticket_id: IdParam, payload: TicketPatch):
    """Edit details. `version` must be the one you read; a stale one answers 409."""
    ticket = _ticket(request, ticket_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "product" in changes:
        changes["product"] = reference(Product, changes["product"], "product")
    if "region" in changes:
        changes["region"] = reference(Region, changes["region"], "region")
    services.edit_ticket(actor=request.auth, ticket=ticket, version=version, changes=changes)
    return _fresh_detail(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/acknowledge",
    response={200: TicketDetailOut, **error_responses(403, 404, 409)},
)
def acknowledge(request, ticket_id: IdParam, payload: VersionIn | None = None):
    services.acknowledge(
        actor=request.auth,
        ticket=_ticket(request, ticket_id),
        version=payload.version if payload else None,
    )
    return _fresh_detail(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/comments", response={201: CommentOut, **error_responses(403, 404)}
)
def add_comment(request, ticket_id: IdParam, payload: CommentIn):
    entry = services.add_comment(
        actor=request.auth,
        ticket=_ticket(request, ticket_id),
        body=payload.body,
        public=payload.public,
    )
    return Answer(201, {"id": entry.pk, "ticket_version": entry.ticket.version})


@router.post("/tickets/{ticket_id}/calls", response={201: CommentOut, **error_responses(403, 404)})
def log_call(request, ticket_id: IdParam, payload: CallIn):
    entry = services.log_call(
        actor=request.auth,
        ticket=_ticket(request, ticket_id),
        direction=payload.direction,
        outcome=payload.outcome,
        party=payload.party,
        note=payload.note,
    )
    return Answer(201, {"id": entry.pk, "ticket_version": entry.ticket.version})


@router.post(
    "/tickets/{ticket_id}/conclusion",
    response={201: ConclusionOut, **error_responses(403, 404, 409)},
)
def set_conclusion(request, ticket_id: IdParam, payload: ConclusionIn):
    c = services.set_conclusion(
        actor=request.auth,
        ticket=_ticket(request, ticket_id),
        text=payload.text,
        reason=payload.reason,
        version=payload.version,
    )
    return Answer(
        201,
        {
            "version": c.version,
            "text": c.text,
            "reason": c.reason,
            "author": {"id": c.author_id, "name": c.author.name},
            "at": c.at,
        },
    )


@router.post(
    "/tickets/{ticket_id}/resolve",
    response={200: TicketDetailOut, **error_responses(403, 404, 409)},
)
def resolve(request, ticket_id: IdParam, payload: ResolveIn):
    services.resolve(
        actor=request.auth,
        ticket=_ticket(request, ticket_id),
        note=payload.note,
        version=payload.version,
    )
    return _fresh_detail(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/confirm",
    response={200: TicketDetailOut, **error_responses(403, 404, 409)},
)
def confirm(request, ticket_id: IdParam, payload: ConfirmIn | None = None):
    services.confirm_closure(
        actor=request.auth, ticket=_ticket(request, ticket_id), note=payload.note if payload else ""
    )
    return _fresh_detail(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/reopen",
    response={200: TicketDetailOut, **error_responses(403, 404, 409)},
)
def reopen(request, ticket_id: IdParam, payload: ReopenIn):
    services.reopen(actor=request.auth, ticket=_ticket(request, ticket_id), reason=payload.reason)
    return _fresh_detail(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/handoffs",
    response={201: HandoffCreated, **error_responses(403, 404, 409)},
)
def propose_handoff(request, ticket_id: IdParam, payload: HandoffIn):
    """Propose a new owner. The current owner stays accountable until the hand-off is accepted."""
    target = Person.objects.filter(pk=payload.to_person).first()
    if target is None:
        raise ValidationFailed(fields={"to_person": "No such person."})
    h = services.propose_handoff(
        actor=request.auth,
        ticket=_ticket(request, ticket_id),
        to_person=target,
        reason=payload.reason,
        version=payload.version,
    )
    return Answer(201, {"id": h.pk, "status": h.status, "ticket": h.ticket_id})


@router.get("/handoffs", response={200: list[HandoffOut], **error_responses()})
def my_handoffs(request):
    """Hand-offs waiting for the caller to accept or decline."""
    return [handoff_out(h) for h in selectors.handoffs_waiting_for(request.auth)]


@router.post(
    "/handoffs/{handoff_id}/accept", response={200: HandoffOut, **error_responses(403, 404, 409)}
)
def accept_handoff(request, handoff_id: IdParam):
    h = services.accept_handoff(
        actor=request.auth, handoff=selectors.handoff_for(request.auth, handoff_id)
    )
    return handoff_out(h)


@router.post(
    "/handoffs/{handoff_id}/decline", response={200: HandoffOut, **error_responses(403, 404, 409)}
)
def decline_handoff(request, handoff_id: IdParam, payload: DeclineIn):
    h = services.decline_handoff(
        actor=request.auth,
        handoff=selectors.handoff_for(request.auth, handoff_id),
        reason=payload.reason,
    )
    return handoff_out(h)


@router.post(
    "/handoffs/{handoff_id}/cancel", response={200: HandoffOut, **error_responses(403, 404, 409)}
)
def cancel_handoff(request, handoff_id: IdParam):
    h = services.cancel_handoff(
        actor=request.auth, handoff=selectors.handoff_for(request.auth, handoff_id)
    )
    return handoff_out(h)
