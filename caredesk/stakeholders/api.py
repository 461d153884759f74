"""/api/v1 stakeholder maps: read a customer's map, add, change and remove entries."""

from ninja import Field, Router, Schema
from ninja import Status as Answer
from pydantic import StrictBool

from caredesk.apikit import Id, IdParam, error_responses
from caredesk.directory.models import Organisation, Person, Product, Region
from caredesk.errors import NotFound, ValidationFailed

from . import policy, selectors, services
from .models import ContactChannel, Stakeholder, Subscription

router = Router(tags=["stakeholders"])


class StakeholderOut(Schema):
    id: int
    organisation: int
    person: int
    person_name: str
    channel: str
    include_branches: bool
    products: list[int]
    regions: list[int]
    sites: list[str]
    subscriptions: list[str]
    note: str


class StakeholderIn(Schema):
    person: Id
    channel: ContactChannel = ContactChannel.EMAIL
    include_branches: StrictBool = False
    products: list[Id] = []
    regions: list[Id] = []
    sites: list[str] = Field([], max_length=50)
    subscriptions: list[Subscription] | None = None
    note: str = Field("", max_length=200)


class StakeholderPatch(Schema):
    channel: ContactChannel | None = None
    include_branches: StrictBool | None = None
    products: list[Id] | None = None
    regions: list[Id] | None = None
    sites: list[str] | None = Field(None, max_length=50)
    subscriptions: list[Subscription] | None = None
    note: str | None = Field(None, max_length=200)


def stakeholder_out(s: Stakeholder) -> dict:
    return {
        "id": s.pk,
        "organisation": s.organisation_id,
        "person": s.person_id,
        "person_name": s.person.name,
        "channel": s.channel,
        "include_branches": s.include_branches,
        "products": sorted(p.pk for p in s.products.all()),
        "regions": sorted(r.pk for r in s.regions.all()),
        "sites": s.sites,
        "subscriptions": s.subscriptions,
        "note": s.note,
    }


def _visible_org(person: Person, org_id: int) -> Organisation:
    org = Organisation.objects.filter(pk=org_id).first()
    if org is None or not policy.can_view_map(person, org):
        raise NotFound()
    return org


def _visible_entry(person: Person, entry_id: int) -> Stakeholder:
    entry = Stakeholder.objects.select_related("organisation", "person").filter(pk=entry_id).first()
    if entry is None or not policy.can_view_map(person, entry.organisation):
        raise NotFound()
    return entry


def _refs(model, ids: list[int], field: str) -> list:
    found = list(model.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationFailed(fields={field: f"Unknown {field} id."})
    return found


@router.get(
    "/customers/{org_id}/stakeholders",
    response={200: list[StakeholderOut], **error_responses(404)},
)
def stakeholder_map(request, org_id: IdParam):
    return [stakeholder_out(s) for s in selectors.map_of(_visible_org(request.auth, org_id))]


@router.post(
    "/customers/{org_id}/stakeholders",
    response={201: StakeholderOut, **error_responses(403, 404, 409)},
)
def add_stakeholder(request, org_id: IdParam, payload: StakeholderIn):
    org = _visible_org(request.auth, org_id)
    person = Person.objects.filter(pk=payload.person).first()
    if person is None:
        raise ValidationFailed(fields={"person": "Unknown person id."})
    entry = services.add_stakeholder(
        actor=request.auth,
        organisation=org,
        person=person,
        channel=payload.channel,
        include_branches=payload.include_branches,
        products=_refs(Product, payload.products, "products"),
        regions=_refs(Region, payload.regions, "regions"),
        sites=payload.sites,
        subscriptions=payload.subscriptions,
        note=payload.note,
    )
    return Answer(201, stakeholder_out(entry))


@router.patch(
    "/stakeholders/{entry_id}", response={200: StakeholderOut, **error_responses(403, 404)}
)
def change_stakeholder(request, entry_id: IdParam, payload: StakeholderPatch):
    entry = _visible_entry(request.auth, entry_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("products") is not None:
        changes["products"] = _refs(Product, changes["products"], "products")
    if changes.get("regions") is not None:
        changes["regions"] = _refs(Region, changes["regions"], "regions")
    changes = {k: v for k, v in changes.items() if v is not None}
    entry = services.update_stakeholder(actor=request.auth, stakeholder=entry, changes=changes)
    return stakeholder_out(entry)


@router.delete("/stakeholders/{entry_id}", response={204: None, **error_responses(403, 404)})
def remove_stakeholder(request, entry_id: IdParam):
    services.remove_stakeholder(
        actor=request.auth, stakeholder=_visible_entry(request.auth, entry_id)
    )
    return Answer(204, None)
