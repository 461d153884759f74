"""The stakeholder map: who is covered for a request, and who may change the map."""

import pytest

from caredesk.audit.models import AuditRecord
from caredesk.errors import Conflict, PermissionDenied, ValidationFailed
from caredesk.stakeholders import selectors, services


def _covered(cast, org, product="core", region="lakeside", site="", subscription=None):
    rows = selectors.covering(
        customer_org=org,
        product_id=getattr(cast.products, product).pk,
        region_id=getattr(cast.regions, region).pk,
        site=site,
        subscription=subscription,
    )
    return {r.person.username for r in rows}


def test_province_entry_with_branches_covers_both_branches(cast):
    services.add_stakeholder(
        actor=cast.admin, organisation=cast.orgs.province, person=cast.x, include_branches=True
    )
    services.add_stakeholder(actor=cast.admin, organisation=cast.orgs.lakeside, person=cast.y)
    assert _covered(cast, cast.orgs.lakeside) == {"customer.x", "customer.y"}
    assert _covered(cast, cast.orgs.hillside) == {"customer.x"}
    assert _covered(cast, cast.orgs.province) == {"customer.x"}
    assert _covered(cast, cast.orgs.other) == set()


def test_province_entry_without_branches_covers_only_province_requests(cast):
    services.add_stakeholder(actor=cast.admin, organisation=cast.orgs.province, person=cast.x)
    assert _covered(cast, cast.orgs.lakeside) == set()
    assert _covered(cast, cast.orgs.province) == {"customer.x"}


def test_scope_narrows_by_product_region_site_and_subscription(cast):
    services.add_stakeholder(
        actor=cast.admin,
        organisation=cast.orgs.lakeside,
        person=cast.y,
        products=[cast.products.transport],
        regions=[cast.regions.lakeside],
        sites=["OTN-07", " OTN-07 ", ""],
        subscriptions=["resolved"],
    )
    assert _covered(cast, cast.orgs.lakeside, "transport", site="机房 otn-07") == {"customer.y"}
    assert _covered(cast, cast.orgs.lakeside, "core", site="OTN-07") == set()
    assert _covered(cast, cast.orgs.lakeside, "transport", "hillside", "OTN-07") == set()
    assert _covered(cast, cast.orgs.lakeside, "transport", site="OTN-08") == set()
    kwargs = {"product": "transport", "site": "OTN-07"}
    assert _covered(cast, cast.orgs.lakeside, subscription="opened", **kwargs) == set()
    assert _covered(cast, cast.orgs.lakeside, subscription="resolved", **kwargs) == {"customer.y"}


def test_changes_are_audited_with_before_and_after(cast):
    entry = services.add_stakeholder(actor=cast.a, organisation=cast.orgs.lakeside, person=cast.y)
    services.update_stakeholder(
        actor=cast.a, stakeholder=entry, changes={"channel": "sms", "sites": ["A1"]}
    )
    services.remove_stakeholder(actor=cast.a, stakeholder=entry)
    actions = list(
        AuditRecord.objects.filter(action__startswith="stakeholder.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["stakeholder.add", "stakeholder.update", "stakeholder.remove"]
    update = AuditRecord.objects.get(action="stakeholder.update")
    assert update.before["channel"] == "email" and update.after["channel"] == "sms"
    assert update.after["sites"] == ["A1"]


def test_only_account_people_edit_the_map(cast):
    with pytest.raises(PermissionDenied):
        services.add_stakeholder(actor=cast.b, organisation=cast.orgs.lakeside, person=cast.y)
    with pytest.raises(PermissionDenied):
        services.add_stakeholder(actor=cast.y, organisation=cast.orgs.lakeside, person=cast.y)


def test_bad_entries_are_refused_with_field_errors(cast):
    with pytest.raises(ValidationFailed) as err:
        services.add_stakeholder(actor=cast.admin, organisation=cast.orgs.lakeside, person=cast.o)
    assert "person" in err.value.fields  # another operator's contact
    with pytest.raises(ValidationFailed) as err:
        services.add_stakeholder(actor=cast.admin, organisation=cast.orgs.office, person=cast.a)
    assert "organisation" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        services.add_stakeholder(
            actor=cast.admin,
            organisation=cast.orgs.lakeside,
            person=cast.y,
            channel="pigeon",
            subscriptions=["gossip"],
        )
    assert set(err.value.fields) == {"channel", "subscriptions"}
    services.add_stakeholder(actor=cast.admin, organisation=cast.orgs.lakeside, person=cast.y)
    with pytest.raises(Conflict):
        services.add_stakeholder(actor=cast.admin, organisation=cast.orgs.lakeside, person=cast.y)


def test_scope_change_and_deactivation_are_seen_by_the_next_event(cast):
    """The maps are cached per process: a scope change (many-to-many too) drops the copy, and
    people are always read fresh."""
    entry = services.add_stakeholder(
        actor=cast.admin,
        organisation=cast.orgs.lakeside,
        person=cast.y,
        products=[cast.products.core],
    )
    assert _covered(cast, cast.orgs.lakeside, "transport") == set()
    services.update_stakeholder(
        actor=cast.admin, stakeholder=entry, changes={"products": [cast.products.transport]}
    )
    assert _covered(cast, cast.orgs.lakeside, "transport") == {"customer.y"}
    cast.y.is_active = False
    cast.y.save(update_fields=["is_active"])  # not reference data: no token change needed
    assert _covered(cast, cast.orgs.lakeside, "transport") == set()
