"""The whole escalation ladder for the customer (seed case 2's remedy): role assignments by
customer (inherited by branches), region and product name who stands on each rung, and the
contacts card, the API and the escalation chain all read them."""

import pytest

from caredesk.directory.models import Person, Role, RoleAssignment
from caredesk.escalation import engine
from caredesk.tickets import selectors

LADDER = ["owner", "backup", "service_manager", "product_leader", "spm", "account_head"]


def _contacts(api, person, ticket) -> list[dict]:
    res = api(person).get(f"/tickets/{ticket.pk}")
    assert res.status_code == 200
    return res.json()["escalation_contacts"]


def test_branch_customer_gets_the_whole_ladder_from_the_province(cast, api, open_request):
    ticket = open_request()  # customer.y's Lakeside branch; the province holds SPM and head
    ladder = [c for c in _contacts(api, cast.y, ticket) if c["role"] != "next_escalation"]
    assert [c["role"] for c in ladder] == LADDER
    by_role = {c["role"]: c["person"] for c in ladder}
    assert by_role["product_leader"] == {
        "id": cast.p.pk,
        "name": cast.p.name,
        "phone": cast.p.phone,
    }
    assert by_role["spm"]["id"] == cast.s.pk and by_role["spm"]["phone"] == cast.s.phone
    assert by_role["account_head"]["id"] == cast.w.pk
    assert by_role["owner"]["id"] == cast.b.pk and by_role["backup"]["id"] == cast.c.pk


def test_the_nearest_assignment_wins_and_stays_with_its_branch(cast, api, open_request):
    branch_head = Person.objects.create(
        username="head.lake",
        display_name="湖滨客户经理",
        role=Role.ACCOUNT_HEAD,
        organisation=cast.orgs.office,
        phone="138-0000-0077",
    )
    RoleAssignment.objects.create(
        role="account_head", person=branch_head, customer_org=cast.orgs.lakeside
    )
    lake = open_request()
    hill = open_request(actor=cast.z, customer_org=cast.orgs.hillside, region="hillside")
    assert {c["role"]: c["person"]["id"] for c in _contacts(api, cast.y, lake)}[
        "account_head"
    ] == branch_head.pk
    assert {c["role"]: c["person"]["id"] for c in _contacts(api, cast.z, hill)}[
        "account_head"
    ] == cast.w.pk


def test_product_leader_is_the_one_of_the_tickets_product(cast, open_request):
    radio_leader = Person.objects.create(
        username="leader.radio",
        display_name="无线负责人",
        role=Role.PRODUCT_LEADER,
        organisation=cast.orgs.office,
        phone="138-0000-0088",
    )
    RoleAssignment.objects.filter(role="product_leader", product=cast.products.wireless).update(
        person=radio_leader
    )
    from caredesk.directory import refdata

    refdata.bump()  # a bulk update sends no signal
    core = open_request()
    radio = open_request(product="wireless")
    assert selectors.ladder_holder(core, "product_leader") == cast.p
    assert selectors.ladder_holder(radio, "product_leader") == radio_leader


def test_one_person_on_two_rungs_is_listed_once_with_both(cast, api, open_request):
    RoleAssignment.objects.create(
        role="account_head", person=cast.a, customer_org=cast.orgs.lakeside
    )
    ticket = open_request()
    contacts = [c for c in _contacts(api, cast.y, ticket) if c["role"] != "next_escalation"]
    ids = [c["person"]["id"] for c in contacts]
    assert len(ids) == len(set(ids))
    manager = next(c for c in contacts if c["person"]["id"] == cast.a.pk)
    assert manager["role"] == "service_manager"
    assert manager["roles"] == ["service_manager", "account_head"]


def test_escalation_targets_read_the_assignments(cast, open_request):
    other_spm = Person.objects.create(
        username="spm.lake",
        display_name="湖滨SPM",
        role=Role.SPM,
        organisation=cast.orgs.office,
        phone="138-0000-0099",
    )
    RoleAssignment.objects.create(role="spm", person=other_spm, customer_org=cast.orgs.lakeside)
    ticket = open_request()
    # Not the first SPM of the office (spm.s), but the one assigned to this branch.
    assert engine.resolve_target(ticket, "spm", run=None, now=None) == other_spm


def test_admin_assigns_roles_through_the_api_and_others_may_not(cast, api):
    body = {"role": "spm", "person": cast.c.pk, "customer_org": cast.orgs.hillside.pk}
    assert api(cast.a).post("/role-assignments", body).status_code == 403
    res = api(cast.admin).post("/role-assignments", body)
    assert res.status_code == 201, res.content
    made = res.json()
    assert made["person"] == cast.c.pk and made["customer_org"] == cast.orgs.hillside.pk
    assert api(cast.admin).post("/role-assignments", body).status_code == 409
    listed = api(cast.b).get("/role-assignments").json()
    assert made["id"] in {a["id"] for a in listed}
    assert api(cast.y).get("/role-assignments").status_code == 403
    assert api(cast.admin).delete(f"/role-assignments/{made['id']}").status_code == 204
    assert not RoleAssignment.objects.filter(pk=made["id"]).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "spm", "person": 0}, "person"),
        ({"role": "boss", "person": 1}, "role"),
    ],
)
def test_bad_assignments_are_refused_with_the_field(cast, api, body, field):
    res = api(cast.admin).post("/role-assignments", body)
    assert res.status_code == 422
    assert field in res.json()["error"]["fields"]


def test_a_customer_cannot_be_put_on_the_ladder(cast, api):
    res = api(cast.admin).post("/role-assignments", {"role": "spm", "person": cast.y.pk})
    assert res.status_code == 422
    assert "person" in res.json()["error"]["fields"]
    assert not RoleAssignment.objects.filter(person=cast.y).exists()


def test_admin_page_adds_and_removes_an_assignment(cast, client):
    client.force_login(cast.admin)
    client.cookies["django_language"] = "en"
    page = client.get("/directory/roles/")
    assert page.status_code == 200
    assert cast.s.name in page.content.decode()
    res = client.post(
        "/directory/roles/add/",
        {"role": "spm", "person": cast.c.pk, "customer_org": cast.orgs.hillside.pk},
    )
    assert res.status_code == 302
    made = RoleAssignment.objects.get(person=cast.c, role="spm")
    refused = client.post("/directory/roles/add/", {"role": "spm", "person": cast.y.pk})
    assert refused.status_code == 422  # a customer contact is not among the choices
    assert client.post(f"/directory/roles/{made.pk}/remove/").status_code == 302
    assert not RoleAssignment.objects.filter(pk=made.pk).exists()
