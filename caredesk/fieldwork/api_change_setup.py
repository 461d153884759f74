"""/api/v1 what administrators publish for change requests: standard templates and blackout
windows. Office staff read them (to choose a template, to plan around a blackout)."""

from datetime import datetime

from ninja import Field, Router, Schema
from ninja import Status as Answer

from caredesk.apikit import Id, error_responses
from caredesk.directory.models import Organisation, Role
from caredesk.errors import PermissionDenied
from caredesk.tickets.rules import Limits

from .api_changes import KindIn, named_row
from .changes import setup
from .models import BlackoutWindow, ChangeRisk, ChangeTemplate

router = Router(tags=["change requests"])


class TemplateIn(Schema):
    name: str = Field(min_length=1, max_length=Limits.TITLE)
    kind: KindIn
    plan: str = Field(min_length=1, max_length=Limits.TEXT)
    rollback_plan: str = Field(min_length=1, max_length=Limits.TEXT)
    risk: ChangeRisk = ChangeRisk.LOW
    customer_org: Id | None = Field(None, description="Empty: for every customer")


class TemplateOut(Schema):
    id: int
    name: str
    kind: str
    plan: str
    rollback_plan: str
    risk: str
    customer_org: int | None
    published_at: datetime | None


class BlackoutIn(Schema):
    name: str = Field(min_length=1, max_length=Limits.TITLE)
    starts_at: datetime
    ends_at: datetime
    customer_org: Id | None = Field(None, description="Empty: for every customer")
    reason: str = Field("", max_length=Limits.REASON)


class BlackoutOut(Schema):
    id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    customer_org: int | None
    reason: str


def _check_office(person) -> None:
    if person.role in (Role.CUSTOMER_CONTACT, Role.PARTNER_ENGINEER):
        raise PermissionDenied()


def _template(t: ChangeTemplate) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "kind": t.kind,
        "plan": t.plan,
        "rollback_plan": t.rollback_plan,
        "risk": t.risk,
        "customer_org": t.customer_org_id,
        "published_at": t.published_at,
    }


def _blackout(b: BlackoutWindow) -> dict:
    return {
        "id": b.pk,
        "name": b.name,
        "starts_at": b.starts_at,
        "ends_at": b.ends_at,
        "customer_org": b.customer_org_id,
        "reason": b.reason,
    }


@router.get("/change-templates", response={200: list[TemplateOut], **error_responses(403)})
def templates(request):
    """The published standard templates (office staff)."""
    _check_office(request.auth)
    return [_template(t) for t in ChangeTemplate.objects.filter(published=True).order_by("name")]


@router.post("/change-templates", response={201: TemplateOut, **error_responses(403)})
def publish_template(request, payload: TemplateIn):
    """Publish a standard change (administrators): made from it, a change skips approval."""
    template = setup.publish_template(
        actor=request.auth,
        name=payload.name,
        kind=payload.kind,
        plan=payload.plan,
        rollback_plan=payload.rollback_plan,
        risk=payload.risk,
        customer_org=named_row(Organisation, payload.customer_org, "customer_org"),
    )
    return Answer(201, _template(template))


@router.get("/blackout-windows", response={200: list[BlackoutOut], **error_responses(403)})
def blackouts(request):
    """The declared blackout windows (office staff)."""
    _check_office(request.auth)
    return [_blackout(b) for b in BlackoutWindow.objects.order_by("starts_at", "pk")]


@router.post("/blackout-windows", response={201: BlackoutOut, **error_responses(403)})
def declare_blackout(request, payload: BlackoutIn):
    """Close a period to changes (administrators): a change whose window touches it is flagged
    and goes ahead only with an override reason."""
    blackout = setup.declare_blackout(
        actor=request.auth,
        name=payload.name,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        customer_org=named_row(Organisation, payload.customer_org, "customer_org"),
        reason=payload.reason,
    )
    return Answer(201, _blackout(blackout))
