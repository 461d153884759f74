"""Who sees a complaint: the customer's own organisation (a province its branches'), never the
internal notes; a partner only a complaint about work handed to him now; the hotline what it
registered; an outsider nothing (404)."""

from urllib.parse import urlencode

import pytest

from caredesk.complaints import selectors, services
from caredesk.errors import NotFound
from caredesk.tickets import services as ticket_services


@pytest.fixture
def noted(cast, register):
    complaint = register()
    services.acknowledge(actor=cast.a, complaint=complaint)
    services.add_note(actor=cast.a, complaint=complaint, body="内部：李博当天在外地，手机没电")
    return complaint


def test_customer_sees_own_organisation_only_and_never_internal_notes(cast, noted, api):
    for person in (cast.y, cast.x):  # the branch contact and the province above it
        body = api(person).get(f"/complaints/{noted.pk}").json()
        assert body["number"] == noted.number
        assert body["internal"] is None
        assert all(not e["internal"] for e in body["timeline"])
        assert "手机没电" not in str(body)
        rows = api(person).get("/complaints").json()["items"]
        assert [r["id"] for r in rows] == [noted.pk]
    staff = api(cast.b).get(f"/complaints/{noted.pk}").json()
    assert any("手机没电" in e["body"] for e in staff["timeline"] if e["internal"])
    for outsider in (cast.z, cast.o):  # the other branch, another operator
        assert api(outsider).get(f"/complaints/{noted.pk}").status_code == 404
        assert api(outsider).get("/complaints").json()["items"] == []
        with pytest.raises(NotFound):
            selectors.complaint_for(outsider, noted.pk)


def test_partner_sees_only_complaints_about_work_handed_to_him(cast, register, open_request, api):
    ticket = open_request()
    complaint = register(ticket=ticket)
    assert api(cast.d).get(f"/complaints/{complaint.pk}").status_code == 404
    handoff = ticket_services.propose_handoff(
        actor=ticket.owner, ticket=ticket, to_person=cast.d, reason="现场"
    )
    # Proposed is not handed to him yet.
    assert api(cast.d).get(f"/complaints/{complaint.pk}").status_code == 404
    ticket_services.accept_handoff(actor=cast.d, handoff=handoff)
    assert api(cast.d).get(f"/complaints/{complaint.pk}").status_code == 200
    assert [r["id"] for r in api(cast.d).get("/complaints").json()["items"]] == [complaint.pk]
    ticket.refresh_from_db()
    back = ticket_services.propose_handoff(
        actor=cast.d, ticket=ticket, to_person=cast.c, reason="转回"
    )
    ticket_services.accept_handoff(actor=cast.c, handoff=back)
    assert api(cast.d).get(f"/complaints/{complaint.pk}").status_code == 404


def test_hotline_sees_what_it_registered_and_cannot_handle_it(cast, register, api):
    complaint = register()
    assert api(cast.h).get(f"/complaints/{complaint.pk}").status_code == 200
    answer = api(cast.h).post(f"/complaints/{complaint.pk}/acknowledge")
    assert answer.status_code == 403
    other = register(actor=cast.b)
    assert api(cast.h).get(f"/complaints/{other.pk}").status_code == 404


def test_api_register_and_stale_version(cast, open_request, calendars, api):
    ticket = open_request()
    answer = api(cast.h).post(
        "/complaints",
        {
            "source": "hotline",
            "tickets": [ticket.pk],
            "complainant": cast.y.pk,
            "words": "电话打不通",
            "remedy_sought": "给一个能找到人的号码",
            "severity": "medium",
            "impact": "branch",
            "category": "unreachable",
            "subcategory": "unreachable_phone_off",
        },
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["handler"]["id"] == cast.a.pk and body["status"] == "received"
    stale = api(cast.a).post(
        f"/complaints/{body['id']}/acknowledge", {"version": body["version"] + 1}
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    ok = api(cast.a).post(f"/complaints/{body['id']}/acknowledge", {"version": body["version"]})
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    bad_sub = api(cast.h).post(
        "/complaints",
        {
            "source": "hotline",
            "tickets": [ticket.pk],
            "complainant_name": "刘",
            "words": "x",
            "remedy_sought": "y",
            "severity": "low",
            "impact": "one_site",
            "category": "attitude",
            "subcategory": "unreachable_phone_off",
        },
    )
    assert bad_sub.status_code == 422
    assert "subcategory" in bad_sub.json()["error"]["fields"]


def test_registration_search_finds_the_callers_open_tickets(cast, open_request, api):
    ticket = open_request()
    found = api(cast.h).get("/complaint-lookup?q=" + cast.y.phone).json()
    assert [c["id"] for c in found["contacts"]] == [cast.y.pk]
    assert ticket.pk in [t["id"] for t in found["tickets"]]
    by_number = api(cast.h).get(f"/complaint-lookup?q={ticket.number}").json()
    assert [t["id"] for t in by_number["tickets"]] == [ticket.pk]
    assert api(cast.y).get("/complaint-lookup?q=" + cast.y.phone).status_code == 403
    assert api(cast.d).get(f"/complaint-lookup?q={ticket.number}").status_code == 403


def test_registration_search_finds_the_caller_however_the_number_is_spelled(
    cast, open_request, api
):
    ticket = open_request()
    for spelled in ("+86 137 0000 0102", "0086-13700000102", "13700000102"):
        found = api(cast.h).get("/complaint-lookup?" + urlencode({"q": spelled})).json()
        assert [c["id"] for c in found["contacts"]] == [cast.y.pk], spelled
        assert ticket.pk in [t["id"] for t in found["tickets"]], spelled
    unknown = api(cast.h).get("/complaint-lookup?" + urlencode({"q": "+86 139 9999 9999"})).json()
    assert unknown["contacts"] == []
    assert api(cast.o).get("/complaint-lookup?q=" + cast.y.phone).status_code in (403, 404)
