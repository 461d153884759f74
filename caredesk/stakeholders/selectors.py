"""Reading stakeholder maps: the entries of one map, and who is covered for one request."""

import copy

from django.db.models import QuerySet

from caredesk.directory import refdata
from caredesk.directory.models import Organisation, Person

from .models import Stakeholder


def map_of(organisation: Organisation) -> QuerySet[Stakeholder]:
    return (
        Stakeholder.objects.filter(organisation=organisation)
        .select_related("person", "person__organisation")
        .prefetch_related("products", "regions")
        .order_by("person__display_name", "person__username")
    )


def _entries_by_organisation() -> dict[int, list[Stakeholder]]:
    by_org: dict[int, list[Stakeholder]] = {}
    for row in Stakeholder.objects.prefetch_related("products", "regions").order_by("pk"):
        by_org.setdefault(row.organisation_id, []).append(row)
    return by_org


def covering_entries(
    *, customer_org_id: int, product_id: int, region_id: int, site: str, subscription=None
) -> list[Stakeholder]:
    """The cached map entries covering a request (as `covering`, without reading the people:
    no query, for readers that score many tickets at once). Treat them as read-only."""
    lineage = refdata.lineage(customer_org_id)
    maps = refdata.get("stakeholder-maps", _entries_by_organisation)
    return [
        row
        for org_id in lineage
        for row in maps.get(org_id, ())
        if (org_id == customer_org_id or row.include_branches)
        and (subscription is None or subscription in row.subscriptions)
        and row.covers(product_id=product_id, region_id=region_id, site=site)
    ]


def covering(
    *,
    customer_org: Organisation,
    product_id: int,
    region_id: int,
    site: str,
    subscription: str | None = None,
) -> list[Stakeholder]:
    """Entries whose scope covers a request of `customer_org` for this product, region and
    site: the organisation's own map, and the maps above it whose entries include branches.
    With `subscription`, only entries subscribed to that event kind; only active people.

    The maps come from the process's cached copy (caredesk.directory.refdata); the people
    are read fresh, in one query, and only when some entry covers the request."""
    candidates = covering_entries(
        customer_org_id=customer_org.pk,
        product_id=product_id,
        region_id=region_id,
        site=site,
        subscription=subscription,
    )
    if not candidates:
        return []
    people = Person.objects.select_related("organisation").in_bulk(
        {row.person_id for row in candidates}
    )
    found = []
    for row in sorted(candidates, key=lambda r: r.pk):
        person = people.get(row.person_id)
        if person is not None and person.is_active:
            mine = copy.copy(row)  # the person is this request's, not the cached copy's
            mine.person = person
            found.append(mine)
    return found
