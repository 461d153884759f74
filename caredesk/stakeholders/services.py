"""Writing stakeholder maps. Each change is checked, audited and made in one transaction."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import Organisation, OrgKind, Person, Product, Region
from caredesk.errors import Conflict, PermissionDenied, ValidationFailed

from . import policy
from .models import DEFAULT_SUBSCRIPTIONS, ContactChannel, Stakeholder, Subscription

MAX_SITES = 50


def _check_editor(actor: Person) -> None:
    if not policy.can_edit_map(actor):
        raise PermissionDenied(_("Only administrators and service managers edit stakeholder maps."))


def _clean_sites(sites: Iterable[str] | None) -> list[str]:
    cleaned = []
    for site in sites or []:
        text = str(site).strip()
        if len(text) > 200:
            raise ValidationFailed(
                fields={"sites": str(_("At most %(n)d characters.") % {"n": 200})}
            )
        if text and text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > MAX_SITES:
        raise ValidationFailed(fields={"sites": str(_("Too many sites."))})
    return cleaned


def _clean(values: dict[str, Any], organisation: Organisation) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if organisation.kind != OrgKind.CUSTOMER:
        errors["organisation"] = str(_("Choose a customer organisation."))
    person = values.get("person")
    if person is not None:
        if not person.is_active:
            errors["person"] = str(_("This person is no longer active."))
        elif person.is_customer and not (
            person.organisation_id in organisation.lineage_ids()
            or person.organisation_id in organisation.subtree_ids()
        ):
            errors["person"] = str(_("A customer contact joins the map of their own operator."))
    if "channel" in values and values["channel"] not in ContactChannel.values:
        errors["channel"] = str(_("Unknown channel."))
    if "subscriptions" in values:
        subs = list(dict.fromkeys(values["subscriptions"] or []))
        unknown = [s for s in subs if s not in Subscription.values]
        if unknown:
            errors["subscriptions"] = str(_("Unknown event kind: %(k)s") % {"k": unknown[0]})
        values["subscriptions"] = subs
    if "note" in values:
        values["note"] = (values["note"] or "").strip()
        if len(values["note"]) > 200:
            errors["note"] = str(_("At most %(n)d characters.") % {"n": 200})
    if errors:
        raise ValidationFailed(fields=errors)
    if "sites" in values:
        values["sites"] = _clean_sites(values["sites"])
    return values


def _snapshot(entry: Stakeholder) -> dict[str, Any]:
    return {
        "organisation": entry.organisation_id,
        "person": entry.person_id,
        "channel": entry.channel,
        "include_branches": entry.include_branches,
        "products": sorted(p.pk for p in entry.products.all()),
        "regions": sorted(r.pk for r in entry.regions.all()),
        "sites": entry.sites,
        "subscriptions": entry.subscriptions,
        "note": entry.note,
    }


@transaction.atomic
def add_stakeholder(
    *,
    actor: Person,
    organisation: Organisation,
    person: Person,
    channel: str = ContactChannel.EMAIL,
    include_branches: bool = False,
    products: Iterable[Product] = (),
    regions: Iterable[Region] = (),
    sites: Iterable[str] = (),
    subscriptions: Iterable[str] | None = None,
    note: str = "",
) -> Stakeholder:
    """Put a person on a customer's map. Without subscriptions they hear the default kinds."""
    _check_editor(actor)
    values = _clean(
        {
            "person": person,
            "channel": channel,
            "sites": list(sites),
            "subscriptions": list(
                DEFAULT_SUBSCRIPTIONS if subscriptions is None else subscriptions
            ),
            "note": note,
        },
        organisation,
    )
    now = clock.now()
    try:
        with transaction.atomic():
            entry = Stakeholder.objects.create(
                organisation=organisation,
                include_branches=include_branches,
                created_at=now,
                updated_at=now,
                **values,
            )
    except IntegrityError as exc:
        raise Conflict(_("This person is already on the map.")) from exc
    entry.products.set(list(products))
    entry.regions.set(list(regions))
    audit.record(actor=actor, action="stakeholder.add", obj=entry, after=_snapshot(entry))
    return entry


EDITABLE = frozenset(
    {"channel", "include_branches", "products", "regions", "sites", "subscriptions", "note"}
)


@transaction.atomic
def update_stakeholder(
    *, actor: Person, stakeholder: Stakeholder, changes: dict[str, Any]
) -> Stakeholder:
    """Change an entry's channel, scope or subscriptions (the person and map stay)."""
    _check_editor(actor)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationFailed(
            fields={f: str(_("This field cannot be changed.")) for f in sorted(unknown)}
        )
    entry = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    before = _snapshot(entry)
    values = _clean(dict(changes), entry.organisation)
    for field in ("channel", "include_branches", "sites", "subscriptions", "note"):
        if field in values:
            setattr(entry, field, values[field])
    entry.updated_at = clock.now()
    entry.save()
    if "products" in values:
        entry.products.set(list(values["products"]))
    if "regions" in values:
        entry.regions.set(list(values["regions"]))
    audit.record(
        actor=actor, action="stakeholder.update", obj=entry, before=before, after=_snapshot(entry)
    )
    return entry


@transaction.atomic
def remove_stakeholder(*, actor: Person, stakeholder: Stakeholder) -> None:
    _check_editor(actor)
    audit.record(
        actor=actor, action="stakeholder.remove", obj=stakeholder, before=_snapshot(stakeholder)
    )
    stakeholder.delete()
