"""The REST API: the seed's rules through HTTP, and clear errors for bad input."""

import pytest

from caredesk.tickets.models import Ticket


def new_ticket_body(cast, **extra):
    body = {
        "customer_org": cast.orgs.lakeside.pk,
        "product": "core",
        "region": "lakeside",
        "severity": "P2",
        "title": "Calls drop in the north cluster",
        "customer_voice": "每隔几分钟掉话一次，用户投诉很多。",
        "channel": "api",
    }
    body.update(extra)
    return body


@pytest.fixture
def created(cast, api):
    res = api(cast.y).post("/tickets", new_ticket_body(cast))
    assert res.status_code == 201, res.content
    return res.json()


def test_new_ticket_has_an_owner_with_phone(cast, created):
    assert created["number"].startswith("CD-")
    assert created["status"] == "new"
    assert created["owner"] == {"id": cast.b.pk, "name": cast.b.name, "phone": cast.b.phone}
    assert created["version"] == 1


def test_handoff_leaves_owner_until_accepted_then_changes(cast, api, created):
    tid = created["id"]
    res = api(cast.b).post(f"/tickets/{tid}/handoffs", {"to_person": cast.c.pk, "reason": "radio"})
    assert res.status_code == 201
    handoff = res.json()
    assert handoff["status"] == "pending"
    detail = api(cast.y).get(f"/tickets/{tid}").json()
    assert detail["owner"]["id"] == cast.b.pk
    assert api(cast.b).get(f"/tickets/{tid}").json()["pending_handoff"]["id"] == handoff["id"]
    assert [h["id"] for h in api(cast.c).get("/handoffs").json()] == [handoff["id"]]
    res = api(cast.c).post(f"/handoffs/{handoff['id']}/accept")
    assert res.status_code == 200
    assert res.json()["status"] == "accepted"
    detail = api(cast.y).get(f"/tickets/{tid}").json()
    assert detail["owner"] == {"id": cast.c.pk, "name": cast.c.name, "phone": cast.c.phone}
    assert detail["pending_handoff"] is None


def test_declined_handoff_keeps_owner(cast, api, created):
    tid = created["id"]
    hid = api(cast.b).post(f"/tickets/{tid}/handoffs", {"to_person": cast.c.pk, "reason": "r"})
    hid = hid.json()["id"]
    res = api(cast.c).post(f"/handoffs/{hid}/decline", {"reason": "It is core, not radio."})
    assert res.status_code == 200
    assert res.json()["status"] == "declined"
    assert api(cast.y).get(f"/tickets/{tid}").json()["owner"]["id"] == cast.b.pk
    again = api(cast.c).post(f"/handoffs/{hid}/accept")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "handoff_not_pending"


def test_handoff_to_customer_is_422(cast, api, created):
    res = api(cast.b).post(
        f"/tickets/{created['id']}/handoffs", {"to_person": cast.y.pk, "reason": "r"}
    )
    assert res.status_code == 422
    assert "to_person" in res.json()["error"]["fields"]


def test_stale_version_gets_409(cast, api, created):
    tid = created["id"]
    ok = api(cast.b).patch(f"/tickets/{tid}", {"version": 1, "title": "Drops in north cluster"})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = api(cast.b).patch(f"/tickets/{tid}", {"version": 1, "severity": "P1"})
    assert stale.status_code == 409
    err = stale.json()["error"]
    assert err["code"] == "stale_version"
    assert err["fields"]["version"] == "2"
    assert Ticket.objects.get(pk=tid).severity == "P2"


def test_customer_cannot_read_another_customers_ticket(cast, api):
    other = (
        api(cast.o).post("/tickets", new_ticket_body(cast, customer_org=cast.orgs.other.pk)).json()
    )
    res = api(cast.y).get(f"/tickets/{other['id']}")
    assert res.status_code == 404
    err = res.json()["error"]
    assert (err["code"], err["fields"]) == ("not_found", {})
    assert err["message"]
    listed = api(cast.y).get("/tickets").json()["items"]
    assert other["id"] not in [t["id"] for t in listed]


def test_full_lifecycle_through_the_api(cast, api, created):
    tid = created["id"]
    assert api(cast.b).post(f"/tickets/{tid}/acknowledge").json()["status"] == "acknowledged"
    assert (
        api(cast.b).post(f"/tickets/{tid}/comments", {"body": "Checking logs"}).status_code == 201
    )
    call = {"direction": "outbound", "outcome": "voicemail", "party": "杨越"}
    assert api(cast.b).post(f"/tickets/{tid}/calls", call).status_code == 201
    conclusion = api(cast.b).post(f"/tickets/{tid}/conclusion", {"text": "Faulty board."})
    assert conclusion.status_code == 201
    assert conclusion.json()["version"] == 1
    assert api(cast.b).post(f"/tickets/{tid}/resolve", {"note": ""}).status_code == 422
    resolved = api(cast.b).post(f"/tickets/{tid}/resolve", {"note": "Board replaced."})
    assert resolved.json()["status"] == "resolved"
    assert api(cast.b).post(f"/tickets/{tid}/confirm").status_code == 403
    assert (
        api(cast.y).post(f"/tickets/{tid}/reopen", {"reason": "Still dropping"}).json()["status"]
        == "reopened"
    )
    detail = api(cast.y).get(f"/tickets/{tid}").json()
    kinds = [e["kind"] for e in detail["timeline"]]
    # The customer's timeline leaves out calls (internal); staff see them.
    assert "call" not in kinds
    assert "call" in [e["kind"] for e in api(cast.b).get(f"/tickets/{tid}").json()["timeline"]]
    assert detail["conclusion"]["text"] == "Faulty board."
    roles = [c["role"] for c in detail["escalation_contacts"]]
    assert roles[0] == "owner"
    assert "service_manager" in roles


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"severity": "P9"}, "severity"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"customer_voice": ""}, "customer_voice"),
        ({"product": "no-such-product"}, "product"),
        ({"region": 99999}, "region"),
        ({"customer_org": 99999}, "customer_org"),
        ({"channel": "fax"}, "channel"),
        ({"requester": -1}, "requester"),
    ],
)
def test_bad_ticket_input_is_422_with_the_field(cast, api, body, field):
    before = Ticket.objects.count()
    res = api(cast.y).post("/tickets", new_ticket_body(cast, **body))
    assert res.status_code == 422, res.content
    err = res.json()["error"]
    assert err["code"] == "validation_failed"
    assert field in err["fields"]
    assert Ticket.objects.count() == before


def test_malformed_json_is_400(cast, api):
    res = api(cast.y).client.post("/api/v1/tickets", data="{bad", content_type="application/json")
    assert res.status_code == 400
    assert res.json()["error"]["code"] == "bad_request"


def test_missing_or_wrong_token_is_401(cast, client):
    assert client.get("/api/v1/tickets").status_code == 401
    res = client.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer nope")
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "unauthenticated"


def test_session_login_works_for_the_browser(cast, client):
    client.force_login(cast.y)
    res = client.get("/api/v1/me")
    assert res.status_code == 200
    assert res.json()["username"] == "customer.y"


def test_list_filters_and_cursor_pagination(cast, api):
    ids = [
        api(cast.y).post("/tickets", new_ticket_body(cast, severity=s)).json()["id"]
        for s in ("P1", "P2", "P3", "P1", "P2")
    ]
    page1 = api(cast.b).get("/tickets?limit=2").json()
    page2 = api(cast.b).get(f"/tickets?limit=2&cursor={page1['next_cursor']}").json()
    page3 = api(cast.b).get(f"/tickets?limit=2&cursor={page2['next_cursor']}").json()
    seen = [t["id"] for t in page1["items"] + page2["items"] + page3["items"]]
    assert seen == sorted(ids, reverse=True)
    assert page3["next_cursor"] is None
    p1 = api(cast.b).get("/tickets?severity=P1").json()["items"]
    assert sorted(t["id"] for t in p1) == sorted([ids[0], ids[3]])
    mine = api(cast.b).get(f"/tickets?owner={cast.b.pk}&status=new").json()["items"]
    assert len(mine) == 5
    assert api(cast.b).get("/tickets?cursor=garbage!").status_code == 422
    assert api(cast.b).get("/tickets?limit=0").status_code == 422


def test_search_by_number_and_words(cast, api, created):
    by_number = api(cast.b).get(f"/tickets?q={created['number']}").json()["items"]
    assert [t["id"] for t in by_number] == [created["id"]]
    by_words = api(cast.b).get("/tickets?q=掉话").json()["items"]
    assert [t["id"] for t in by_words] == [created["id"]]


def test_openapi_document_is_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/tickets" in spec["paths"]
    responses = spec["paths"]["/api/v1/tickets/{ticket_id}"]["patch"]["responses"]
    assert {"409", "422", "404"} <= set(responses)
    assert client.get("/api/v1/docs").status_code == 200
    # The addresses too: /api/openapi.json and /api/docs.
    assert client.get("/api/openapi.json").json()["paths"] == spec["paths"]
    assert client.get("/api/docs", follow=True).status_code == 200


def test_createtoken_command_prints_a_working_token(cast, client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("createtoken", "engineer.b", stdout=out)
    token = out.getvalue().strip()
    res = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert res.json()["username"] == "engineer.b"


def test_admin_writes_the_matrix_others_cannot(cast, api):
    body = {
        "product": cast.products.transport.pk,
        "region": cast.regions.hillside.pk,
        "primary": cast.d.pk,
        "backup": cast.c.pk,
    }
    assert api(cast.b).post("/responsibilities", body).status_code == 403
    res = api(cast.admin).post("/responsibilities", body)
    assert res.status_code == 201
    assert api(cast.admin).post("/responsibilities", body).status_code == 409
    bad = {**body, "product": cast.products.core.pk, "primary": cast.y.pk}
    assert api(cast.admin).post("/responsibilities", bad).status_code == 422


def test_patch_fields_are_left_out_not_nulled_and_openapi_says_so(cast, api, client, created):
    url = f"/tickets/{created['id']}"
    res = api(cast.b).patch(url, {"version": created["version"], "site": None})
    assert res.status_code == 422 and "site" in res.json()["error"]["fields"]
    res = api(cast.b).patch(url, {"version": created["version"], "site": "North hub"})
    assert res.status_code == 200 and res.json()["site"] == "North hub"
    patch = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["TicketPatch"]
    for name, field in patch["properties"].items():
        assert "null" not in str(field) and "default" not in field, name
