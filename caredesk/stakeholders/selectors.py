"""Reading stakeholder maps: the entries of one map, and who is covered for one request."""

from django.db.models import Q, QuerySet

from caredesk.directory.models import Organisation

from .models import Stakeholder


def map_of(organisation: Organisation) -> QuerySet[Stakeholder]:
    return (
        Stakeholder.objects.filter(organisation=organisation)
        .select_related("person", "person__organisation")
        .prefetch_related("products", "regions")
        .order_by("person__display_name", "person__username")
    )


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
    With `subscription`, only entries subscribed to that event kind."""
    lineage = customer_org.lineage_ids()
    rows = (
        Stakeholder.objects.filter(
            Q(organisation_id=customer_org.pk)
            | Q(organisation_id__in=lineage[1:], include_branches=True),
            person__is_active=True,
        )
        .select_related("person", "person__organisation")
        .prefetch_related("products", "regions")
        .order_by("pk")
    )
    return [
        row
        for row in rows
        if (subscription is None or subscription in row.subscriptions)
        and row.covers(product_id=product_id, region_id=region_id, site=site)
    ]
