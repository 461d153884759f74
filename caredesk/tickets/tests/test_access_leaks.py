"""The leaks found by probing from outside: access follows current work, each audience reads
only what is meant for it, and a partner cannot open tickets for any operator."""

import pytest

from caredesk.tickets import services
from caredesk.tickets.models import Ticket

from .test_api import new_ticket_body

LEAK_PHONE = "139-5555-0101"


@pytest.fixture
def handed(cast, open_request):
    """A Lakeside ticket owned by engineer.b, with a hand-off to partner.d pending."""
    ticket = open_request()
    handoff = services.propose_handoff(
        actor=cast.b, ticket=ticket, to_person=cast.d, reason="需要代维上站 (internal)"
    )
    return ticket, handoff


def _reads(api, person, ticket) -> dict[str, int]:
    client = api(person)
    listed = {i["id"] for i in client.get("/tickets?status=").json()["items"]}
    return {
        "get": client.get(f"/tickets/{ticket.pk}").status_code,
        "comment": client.post(
            f"/tickets/{ticket.pk}/comments", {"body": "note", "public": False}
        ).status_code,
        "call": client.post(
            f"/tickets/{ticket.pk}/calls", {"direction": "outbound", "outcome": "answered"}
        ).status_code,
        "listed": ticket.pk in listed,
    }


def test_pending_handoff_lets_the_partner_work(cast, api, client, handed):
    ticket, _ = handed
    assert _reads(api, cast.d, ticket) == {"get": 200, "comment": 201, "call": 201, "listed": True}
    client.force_login(cast.d)
    assert client.get(f"/t/{ticket.number}/").status_code == 200


@pytest.mark.parametrize("ending", ["decline", "cancel"])
def test_partner_loses_the_ticket_when_the_handoff_ends_unaccepted(
    cast, api, client, handed, ending
):
    ticket, handoff = handed
    if ending == "decline":
        services.decline_handoff(actor=cast.d, handoff=handoff, reason="not my area")
    else:
        services.cancel_handoff(actor=cast.b, handoff=handoff)
    assert _reads(api, cast.d, ticket) == {"get": 404, "comment": 404, "call": 404, "listed": False}
    client.force_login(cast.d)
    assert client.get(f"/t/{ticket.number}/").status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).owner_id == cast.b.pk


def test_partner_keeps_the_ticket_while_owning_it_and_loses_it_after_passing_it_on(
    cast, api, handed
):
    ticket, handoff = handed
    services.accept_handoff(actor=cast.d, handoff=handoff)
    assert api(cast.d).get(f"/tickets/{ticket.pk}").status_code == 200
    onward = services.propose_handoff(
        actor=cast.d, ticket=Ticket.objects.get(pk=ticket.pk), to_person=cast.c, reason="back"
    )
    services.accept_handoff(actor=cast.c, handoff=onward)
    # An accepted hand-off of the past is no current work.
    assert api(cast.d).get(f"/tickets/{ticket.pk}").status_code == 404


def test_partner_sees_staff_and_only_the_contacts_of_customers_he_works_for(
    cast, api, open_request
):
    def usernames():
        res = api(cast.d).get("/people")
        assert res.status_code == 200
        return {p["username"] for p in res.json()}

    idle = usernames()
    assert {"engineer.b", "manager.a"} <= idle
    assert not idle & {"customer.x", "customer.y", "customer.z", "customer.o"}
    ticket = open_request()  # Lakeside's, customer.y's branch
    services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.d, reason="on site")
    working = usernames()
    assert "customer.y" in working
    assert not working & {"customer.x", "customer.z", "customer.o"}  # not the other operator's
    # Staff of the office still find every contact.
    staff = {p["username"] for p in api(cast.b).get("/people").json()}
    assert {"customer.y", "customer.o"} <= staff


def test_partner_reads_no_stakeholder_map(cast, api, client):
    for org in (cast.orgs.province, cast.orgs.lakeside, cast.orgs.other):
        res = api(cast.d).get(f"/customers/{org.pk}/stakeholders")
        assert res.status_code == 404, org
        assert res.json()["error"]["code"] == "not_found"
    assert api(cast.a).get(f"/customers/{cast.orgs.province.pk}/stakeholders").status_code == 200
    client.force_login(cast.d)
    assert client.get(f"/customers/{cast.orgs.province.pk}/stakeholders/").status_code == 404
    listing = client.get("/customers/").content.decode()
    assert cast.orgs.province.name not in listing and cast.orgs.other.name not in listing


def test_customer_detail_carries_no_pending_handoff(cast, api, handed):
    ticket, _ = handed
    cast.d.phone = LEAK_PHONE
    cast.d.save()
    res = api(cast.y).get(f"/tickets/{ticket.pk}")
    assert res.status_code == 200
    body = res.json()
    assert body["pending_handoff"] is None
    raw = res.content.decode()
    assert LEAK_PHONE not in raw and "internal" not in raw
    assert all(e["public"] for e in body["timeline"])
    # Staff still read it.
    staff = api(cast.b).get(f"/tickets/{ticket.pk}").json()
    assert staff["pending_handoff"]["to_person"]["phone"] == LEAK_PHONE


def test_partner_cannot_open_a_ticket_for_an_operator_he_has_no_work_for(cast, api, open_request):
    res = api(cast.d).post("/tickets", new_ticket_body(cast, customer_org=cast.orgs.other.pk))
    assert res.status_code == 403
    assert res.json()["error"]["code"] == "forbidden"
    res = api(cast.d).post("/tickets", new_ticket_body(cast))
    assert res.status_code == 403  # no work at Lakeside yet either
    assert not Ticket.objects.filter(created_by=cast.d).exists()
    ticket = open_request()
    services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.d, reason="on site")
    res = api(cast.d).post("/tickets", new_ticket_body(cast, title="Second fault on site"))
    assert res.status_code == 201, res.content
    assert res.json()["owner"]["id"] == cast.d.pk
    res = api(cast.d).post("/tickets", new_ticket_body(cast, customer_org=cast.orgs.other.pk))
    assert res.status_code == 403
