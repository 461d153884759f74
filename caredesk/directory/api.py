"""/api/v1 directory: who am I, people, organisations, products, regions, the matrix."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja import Status as Answer

from caredesk.apikit import Id, IdParam, error_responses
from caredesk.errors import NotFound, PermissionDenied, ValidationFailed
from caredesk.tickets import policy as tickets_policy

from . import policy, services, tokens
from .models import (
    ApiToken,
    LadderRole,
    Organisation,
    OrgKind,
    Person,
    Product,
    Region,
    Responsibility,
    Role,
    RoleAssignment,
    Team,
)

router = Router(tags=["directory"])


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    parent: int | None


class PersonOut(Schema):
    id: int
    username: str
    name: str
    role: str
    organisation: int | None
    phone: str
    email: str
    language: str


class ProductOut(Schema):
    id: int
    code: str
    name: str
    name_en: str


class RegionOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    office: int
    service_manager: int | None


class ResponsibilityOut(Schema):
    id: int
    product: int
    region: int
    primary: int
    backup: int | None
    team: int | None


class OrgIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: OrgKind
    parent: Id | None = None


class ProductIn(Schema):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200, description="Shown in the English interface")


class RegionIn(Schema):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200, description="Shown in the English interface")
    office: Id
    service_manager: Id | None = None


class ResponsibilityIn(Schema):
    product: Id
    region: Id
    primary: Id
    backup: Id | None = None
    team: Id | None = None


def person_out(p: Person) -> dict:
    return {
        "id": p.pk,
        "username": p.username,
        "name": p.name,
        "role": p.role,
        "organisation": p.organisation_id,
        "phone": p.phone,
        "email": p.email,
        "language": p.language,
    }


def _ref(model, pk, field, **extra):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, **extra).first()
    if obj is None:
        raise ValidationFailed(fields={field: f"No {field} with id {pk}."})
    return obj


@router.get("/me", response={200: PersonOut, **error_responses()})
def me(request):
    return person_out(request.auth)


@router.get("/people", response={200: list[PersonOut], **error_responses()})
def people(request, role: Role | None = None, organisation: IdParam | None = None):
    worked = tickets_policy.current_customers(request.auth)
    qs = policy.visible_people(request.auth, worked_customers=worked)
    if role:
        qs = qs.filter(role=role)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    return [person_out(p) for p in qs.order_by("username")[:1000]]


@router.get("/organisations", response={200: list[OrgOut], **error_responses()})
def organisations(request):
    return [
        {"id": o.pk, "name": o.name, "kind": o.kind, "parent": o.parent_id}
        for o in policy.visible_organisations(request.auth)
    ]


@router.post("/organisations", response={201: OrgOut, **error_responses(403, 409)})
def create_organisation(request, payload: OrgIn):
    o = services.create_reference(
        actor=request.auth,
        model=Organisation,
        values={
            "name": payload.name,
            "kind": payload.kind,
            "parent": _ref(Organisation, payload.parent, "parent"),
        },
    )
    return Answer(201, {"id": o.pk, "name": o.name, "kind": o.kind, "parent": o.parent_id})


@router.get("/products", response={200: list[ProductOut], **error_responses()})
def products(request):
    return list(Product.objects.values("id", "code", "name", "name_en"))


@router.post("/products", response={201: ProductOut, **error_responses(403, 409)})
def create_product(request, payload: ProductIn):
    p = services.create_reference(actor=request.auth, model=Product, values=payload.dict())
    return Answer(201, {"id": p.pk, "code": p.code, "name": p.name, "name_en": p.name_en})


def region_out(r: Region) -> dict:
    return {
        "id": r.pk,
        "code": r.code,
        "name": r.name,
        "name_en": r.name_en,
        "office": r.office_id,
        "service_manager": r.service_manager_id,
    }


@router.get("/regions", response={200: list[RegionOut], **error_responses()})
def regions(request):
    return [region_out(r) for r in Region.objects.all()]


@router.post("/regions", response={201: RegionOut, **error_responses(403, 409)})
def create_region(request, payload: RegionIn):
    r = services.create_reference(
        actor=request.auth,
        model=Region,
        values={
            "code": payload.code,
            "name": payload.name,
            "name_en": payload.name_en,
            "office": _ref(Organisation, payload.office, "office"),
            "service_manager": _ref(Person, payload.service_manager, "service_manager"),
        },
    )
    return Answer(201, region_out(r))


def cell_out(c: Responsibility) -> dict:
    return {
        "id": c.pk,
        "product": c.product_id,
        "region": c.region_id,
        "primary": c.primary_id,
        "backup": c.backup_id,
        "team": c.team_id,
    }


@router.get("/responsibilities", response={200: list[ResponsibilityOut], **error_responses()})
def responsibilities(request):
    return [cell_out(c) for c in Responsibility.objects.order_by("product_id", "region_id")]


def _cell_values(payload: ResponsibilityIn) -> dict:
    return {
        "product": _ref(Product, payload.product, "product"),
        "region": _ref(Region, payload.region, "region"),
        "primary": _ref(Person, payload.primary, "primary"),
        "backup": _ref(Person, payload.backup, "backup"),
        "team": _ref(Team, payload.team, "team"),
    }


@router.post("/responsibilities", response={201: ResponsibilityOut, **error_responses(403, 409)})
def create_responsibility(request, payload: ResponsibilityIn):
    c = services.create_reference(
        actor=request.auth, model=Responsibility, values=_cell_values(payload)
    )
    return Answer(201, cell_out(c))


@router.put(
    "/responsibilities/{cell_id}",
    response={200: ResponsibilityOut, **error_responses(403, 404, 409)},
)
def update_responsibility(request, cell_id: IdParam, payload: ResponsibilityIn):
    cell = get_object_or_404(Responsibility, pk=cell_id)
    c = services.update_reference(actor=request.auth, obj=cell, values=_cell_values(payload))
    return cell_out(c)


@router.delete("/responsibilities/{cell_id}", response={204: None, **error_responses(403, 404)})
def delete_responsibility(request, cell_id: IdParam):
    services.delete_reference(actor=request.auth, obj=get_object_or_404(Responsibility, pk=cell_id))
    return Answer(204, None)


# ---------------------------------------------------------------- role assignments


class RoleAssignmentOut(Schema):
    id: int
    role: str
    person: int
    person_name: str
    customer_org: int | None
    region: int | None
    product: int | None


class RoleAssignmentIn(Schema):
    role: LadderRole
    person: Id
    customer_org: Id | None = Field(None, description="Also covers its branches; empty: any")
    region: Id | None = Field(None, description="Empty: any region")
    product: Id | None = Field(None, description="Empty: any product")


def assignment_out(a: RoleAssignment) -> dict:
    return {
        "id": a.pk,
        "role": a.role,
        "person": a.person_id,
        "person_name": a.person.name,
        "customer_org": a.customer_org_id,
        "region": a.region_id,
        "product": a.product_id,
    }


def _may_read_assignments(request) -> None:
    if not policy.can_read_assignments(request.auth):
        raise PermissionDenied()


@router.get("/role-assignments", response={200: list[RoleAssignmentOut], **error_responses(403)})
def role_assignments(request):
    """Who holds which rung of the escalation ladder, for which customer, region and product."""
    _may_read_assignments(request)
    qs = RoleAssignment.objects.select_related("person").order_by("role", "id")
    return [assignment_out(a) for a in qs]


@router.post("/role-assignments", response={201: RoleAssignmentOut, **error_responses(403, 409)})
def create_role_assignment(request, payload: RoleAssignmentIn):
    a = services.create_reference(
        actor=request.auth,
        model=RoleAssignment,
        values={
            "role": payload.role,
            "person": _ref(Person, payload.person, "person"),
            "customer_org": _ref(Organisation, payload.customer_org, "customer_org"),
            "region": _ref(Region, payload.region, "region"),
            "product": _ref(Product, payload.product, "product"),
        },
    )
    return Answer(201, assignment_out(a))


@router.delete(
    "/role-assignments/{assignment_id}", response={204: None, **error_responses(403, 404)}
)
def delete_role_assignment(request, assignment_id: IdParam):
    _may_read_assignments(request)
    found = RoleAssignment.objects.filter(pk=assignment_id).first()
    if found is None:
        raise NotFound()
    services.delete_reference(actor=request.auth, obj=found)
    return Answer(204, None)


# ---------------------------------------------------------------- API tokens


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    person: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    key: str = Field(description="The token itself: shown this once, never again")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="What the token is for")
    expires_in_days: int | None = Field(
        90, ge=1, le=tokens.MAX_DAYS, description="Empty (null): never — administrators only"
    )
    person: Id | None = Field(None, description="Whose token (administrators); default: yours")


def token_out(t: ApiToken) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "person": t.person_id,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
    }


@router.get("/tokens", response={200: list[TokenOut], **error_responses()})
def list_tokens(request):
    """Your API tokens (an administrator's: everyone's), newest first."""
    return [token_out(t) for t in tokens.tokens_visible_to(request.auth)[:500]]


@router.post("/tokens", response={201: TokenCreated, **error_responses(404)})
def create_token(request, payload: TokenIn):
    """A new token. Its value is in this answer only; CareDesk keeps just its hash."""
    person = request.auth
    if payload.person is not None and payload.person != request.auth.pk:
        person = Person.objects.filter(pk=payload.person).first()
        if person is None:
            raise ValidationFailed(fields={"person": "No such person."})
    made = tokens.create_token(
        actor=request.auth,
        person=person,
        name=payload.name,
        expires_in_days=payload.expires_in_days,
    )
    return Answer(201, {**token_out(made.token), "key": made.key})


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **error_responses(404, 409)})
def revoke_token(request, token_id: IdParam):
    """The token stops working at once."""
    token = tokens.token_for(request.auth, token_id)
    return token_out(tokens.revoke_token(actor=request.auth, token=token))
