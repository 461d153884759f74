"""/api/v1 learning cases: the library (tags, words), one case, generate a draft from a closed
complaint or ticket, edit a draft, publish it. Parse, look up what the caller may read, call a
verb, return the fresh case. A published case refuses edits with 409 `case_published`."""

from datetime import datetime

from ninja import Query, Router, Schema
from ninja import Status as Answer
from pydantic import Field

from caredesk.apikit import Id, IdParam, Version, error_responses
from caredesk.complaints.models import Category, Complaint
from caredesk.directory.models import Person, Product
from caredesk.errors import NotFound, ValidationFailed
from caredesk.tickets.models import Ticket

from . import policy, replay, selectors, services
from .models import LearningCase
from .services import Limits

router = Router(tags=["learning cases"])


class TagOut(Schema):
    kind: str
    code: str
    name: str


class ReplayOut(Schema):
    at: str
    actor: str
    what: str


class CaseRow(Schema):
    id: int
    status: str
    title: str
    tags: list[TagOut]
    occurred_at: datetime
    published_at: datetime | None


class CaseOut(CaseRow):
    customer_voice: str
    event_replay: list[ReplayOut]
    analysis: str
    lessons: str
    actions: list[str]
    version: int
    can_edit: bool


class CasePage(Schema):
    items: list[CaseRow]
    next_page: int | None


class GenerateIn(Schema):
    complaint: Id | None = None
    ticket: Id | None = None


class EditIn(Schema):
    version: Version
    title: str | None = Field(None, max_length=Limits.TITLE)
    customer_voice: str | None = Field(None, max_length=Limits.TEXT)
    analysis: str | None = Field(None, max_length=Limits.TEXT)
    lessons: str | None = Field(None, max_length=Limits.TEXT)
    actions: list[str] | None = Field(None, max_length=Limits.ACTIONS)
    category: str | None = Field(None, max_length=40)
    root_cause: str | None = Field(None, max_length=40)
    product: str | None = Field(None, max_length=40)


class PublishIn(Schema):
    version: Version | None = None


class CaseListQuery(Schema):
    q: str = Field("", max_length=200)
    category: str = Field("", max_length=40)
    root_cause: str = Field("", max_length=40)
    product: str = Field("", max_length=40)
    status: str = Field("", pattern="^(|draft|published)$")
    page: int = Field(1, ge=1, le=1000)
    limit: int = Field(50, ge=1, le=100)


def tags_out(c: LearningCase) -> list[dict]:
    return [
        {"kind": kind, "code": tag.code, "name": tag.local_name}
        for kind, tag in (
            ("category", c.category),
            ("root_cause", c.root_cause),
            ("product", c.product),
        )
        if tag is not None
    ]


def row_out(c: LearningCase) -> dict:
    return {
        "id": c.pk,
        "status": c.status,
        "title": c.title,
        "tags": tags_out(c),
        "occurred_at": c.occurred_at,
        "published_at": c.published_at,
    }


def case_out(reader: Person, c: LearningCase) -> dict:
    return {
        **row_out(c),
        "customer_voice": c.customer_voice,
        "event_replay": [replay.told(i) for i in c.replay],
        "analysis": c.analysis,
        "lessons": c.lessons,
        "actions": list(c.actions),
        "version": c.version,
        "can_edit": not c.is_published and policy.can_write(reader, c),
    }


@router.get("/cases", response={200: CasePage, **error_responses()})
def list_cases(request, query: Query[CaseListQuery]):
    """The cases the caller may read (staff of the office), newest story first."""
    found = selectors.library(
        request.auth,
        q=query.q,
        category=query.category,
        root_cause=query.root_cause,
        product=query.product,
        status=query.status,
    )
    start = (query.page - 1) * query.limit
    rows = list(found[start : start + query.limit + 1])
    more = len(rows) > query.limit
    return {
        "items": [row_out(c) for c in rows[: query.limit]],
        "next_page": query.page + 1 if more else None,
    }


@router.get("/cases/{case_id}", response={200: CaseOut, **error_responses(404)})
def get_case(request, case_id: IdParam):
    return case_out(request.auth, selectors.case_for(request.auth, case_id))


@router.post("/cases", response={201: CaseOut, **error_responses(403, 404, 409)})
def generate_case(request, payload: GenerateIn):
    """A draft case from a closed complaint or a closed ticket (name one)."""
    if (payload.complaint is None) == (payload.ticket is None):
        raise ValidationFailed(fields={"complaint": "Name a complaint or a ticket, not both."})
    complaint = ticket = None
    if payload.complaint is not None:
        complaint = Complaint.objects.filter(pk=payload.complaint).first()
        if complaint is None:
            raise NotFound()
    else:
        ticket = Ticket.objects.filter(pk=payload.ticket).first()
        if ticket is None:
            raise NotFound()
    case = services.generate_case(actor=request.auth, complaint=complaint, ticket=ticket)
    return Answer(201, case_out(request.auth, selectors.case_for(request.auth, case.pk)))


def _tag(model, code: str | None, field: str):
    if code is None or code == "":
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise ValidationFailed(fields={field: f"No {field} {code!r}."})
    return found


WRITE = {200: CaseOut, **error_responses(403, 404, 409)}


@router.patch("/cases/{case_id}", response=WRITE)
def edit_case(request, case_id: IdParam, payload: EditIn):
    """Change a draft (only the fields given; a tag given as "" or null is removed)."""
    case = selectors.case_for(request.auth, case_id)
    given = payload.model_dump(exclude_unset=True)
    given.pop("version", None)
    changes = {}
    for field, value in given.items():
        if field in ("category", "root_cause"):
            changes[field] = _tag(Category, value, field)
        elif field == "product":
            changes[field] = _tag(Product, value, field)
        elif value is not None:
            changes[field] = value
    services.edit_case(actor=request.auth, case=case, version=payload.version, changes=changes)
    return case_out(request.auth, selectors.case_for(request.auth, case_id))


@router.post("/cases/{case_id}/publish", response=WRITE)
def publish_case(request, case_id: IdParam, payload: PublishIn | None = None):
    """Publish a draft; from then on it is read-only."""
    case = selectors.case_for(request.auth, case_id)
    services.publish_case(actor=request.auth, case=case, version=(payload or PublishIn()).version)
    return case_out(request.auth, selectors.case_for(request.auth, case_id))
