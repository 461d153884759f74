"""Numbers past what the database holds, cursors naming such ids, moments past the calendar's
edge and booleans for versions: each answers a 4xx with the error shape, never a 500."""

import base64

import pytest

from caredesk.escalation import demo
from caredesk.tests.errorshape import error_of
from caredesk.tickets.models import Ticket

HUGE = 2**63  # one past the largest id SQLite and PostgreSQL hold


def cursor_for(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture
def ticket(open_request):
    return open_request()


@pytest.mark.parametrize(
    "path",
    [
        f"/tickets/{HUGE}",
        f"/tickets/{HUGE}/clocks",
        f"/tickets?owner={HUGE}",
        f"/tickets?customer_org={HUGE}",
        f"/tickets?product={HUGE}",
        f"/tickets?q=calls&owner={HUGE}",
        f"/people?organisation={HUGE}",
        f"/customers/{HUGE}/stakeholders",
        "/tickets?cursor=" + cursor_for(f"t:{HUGE}"),
        "/tickets?q=calls&cursor=" + cursor_for(f"t:{10**30}"),
        "/tickets?cursor=" + cursor_for("t:²"),
        "/tickets?cursor=" + cursor_for("t:-5"),
        "/oncall?product=%C2%B2&region=lakeside",
    ],
)
def test_out_of_range_numbers_in_paths_and_filters_are_422(cast, api, ticket, path):
    error = error_of(api(cast.a).get(path), 422)
    assert error["code"] == "validation_failed"
    assert error["fields"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", f"/handoffs/{HUGE}/accept"),
        ("delete", f"/stakeholders/{HUGE}"),
        ("delete", f"/responsibilities/{HUGE}"),
        ("delete", f"/sla-policies/{HUGE}"),
        ("delete", f"/escalation-policies/{HUGE}"),
    ],
)
def test_out_of_range_ids_of_writes_are_422(cast, api, method, path):
    error = error_of(getattr(api(cast.admin), method)(path), 422)
    assert error["code"] == "validation_failed"


def test_huge_ids_in_bodies_are_422_and_nothing_is_written(cast, api, ticket):
    org = cast.orgs.lakeside.pk
    scope = {"person": cast.y.pk, "products": [HUGE]}
    error = error_of(api(cast.a).post(f"/customers/{org}/stakeholders", scope), 422)
    assert "products.0" in error["fields"]
    body = {
        "customer_org": HUGE,
        "product": "core",
        "region": "lakeside",
        "severity": "P2",
        "title": "t",
        "customer_voice": "v",
    }
    before = Ticket.objects.count()
    assert "customer_org" in error_of(api(cast.y).post("/tickets", body), 422)["fields"]
    assert Ticket.objects.count() == before
    handoff = {"to_person": HUGE, "reason": "radio"}
    res = api(cast.b).post(f"/tickets/{ticket.pk}/handoffs", handoff)
    assert "to_person" in error_of(res, 422)["fields"]
    cell = {"product": HUGE, "region": cast.regions.lakeside.pk, "primary": cast.b.pk}
    assert "product" in error_of(api(cast.admin).post("/responsibilities", cell), 422)["fields"]


def test_sla_targets_past_a_year_are_422(cast, api):
    demo.setup(cast.world)
    from caredesk.escalation.models import Calendar

    body = {
        "name": "huge",
        "severity": "P1",
        "calendar": Calendar.objects.first().pk,
        "respond_minutes": 2**40,
    }
    error = error_of(api(cast.admin).post("/sla-policies", body), 422)
    assert "respond_minutes" in error["fields"]


@pytest.mark.parametrize("field", ["work_start", "work_end"])
def test_calendar_hours_with_a_time_zone_are_422(cast, api, field):
    from caredesk.escalation.models import Calendar

    body = {"name": "Zoned", "work_start": "09:00:00", "work_end": "18:00:00", field: "12:00:00Z"}
    error = error_of(api(cast.admin).post("/calendars", body), 422)
    assert field in error["fields"]
    assert not Calendar.objects.filter(name="Zoned").exists()


@pytest.mark.parametrize(
    "at",
    [
        "9999-12-31T23:59:59-08:00",  # past year 9999 once in UTC
        "9999-12-31T23:59:59%2B08:00",
        "0001-01-01T00:00:00%2B08:00",
        "2026-11-25T09:00:00",  # no time zone
    ],
)
def test_on_call_moment_out_of_range_is_422(cast, api, at):
    demo.setup(cast.world)
    res = api(cast.b).get(f"/oncall?product=core&region=lakeside&at={at}")
    assert "at" in error_of(res, 422)["fields"]


def test_on_call_moment_in_range_answers(cast, api):
    demo.setup(cast.world)
    res = api(cast.b).get("/oncall?product=core&region=lakeside&at=2026-11-24T10:00:00%2B08:00")
    assert res.status_code == 200
    assert res.json()["team"]


@pytest.mark.parametrize("version", [True, False, "1", 1.5])
def test_a_version_is_a_json_integer(cast, api, ticket, version):
    res = api(cast.b).patch(f"/tickets/{ticket.pk}", {"version": version, "title": "New"})
    assert "version" in error_of(res, 422)["fields"]
    ticket.refresh_from_db()
    assert ticket.title != "New"
    res = api(cast.b).post(f"/tickets/{ticket.pk}/acknowledge", {"version": version})
    assert "version" in error_of(res, 422)["fields"]
    assert Ticket.objects.get(pk=ticket.pk).acknowledged_at is None


def test_a_version_written_as_a_json_float_is_read(cast, api, ticket):
    res = api(cast.b).patch(
        f"/tickets/{ticket.pk}", {"version": float(ticket.version), "title": "N"}
    )
    assert res.status_code == 200, res.content
    assert res.json()["title"] == "N"


def test_a_boolean_is_not_an_id(cast, api, ticket):
    res = api(cast.b).post(f"/tickets/{ticket.pk}/handoffs", {"to_person": True, "reason": "r"})
    assert "to_person" in error_of(res, 422)["fields"]


def test_openapi_states_the_id_range(client):
    spec = client.get("/api/v1/openapi.json").json()
    (param,) = spec["paths"]["/api/v1/tickets/{ticket_id}"]["get"]["parameters"]
    assert param["schema"]["minimum"] == 1
    assert param["schema"]["maximum"] == 2**63 - 1
    cell = spec["components"]["schemas"]["ResponsibilityIn"]["properties"]["product"]
    assert (cell["minimum"], cell["maximum"]) == (1, 2**63 - 1)


def test_numbers_and_booleans_in_bodies_are_json_numbers_and_booleans(cast, api, ticket):
    res = api(cast.b).post(f"/tickets/{ticket.pk}/handoffs", {"to_person": str(cast.c.pk)})
    assert "to_person" in error_of(res, 422)["fields"]
    res = api(cast.b).post(f"/tickets/{ticket.pk}/comments", {"body": "hi", "public": "yes"})
    assert "public" in error_of(res, 422)["fields"]
    demo.setup(cast.world)
    step = {"target": "owner", "condition": "not_acknowledged", "wait_minutes": False}
    policy = {"name": "strict", "trigger": "opened", "steps": [step]}
    res = api(cast.admin).post("/escalation-policies", policy)
    assert "steps.0.wait_minutes" in error_of(res, 422)["fields"]
    # Paths and queries arrive as text: digits are numbers there.
    assert api(cast.b).get(f"/tickets?owner={cast.b.pk}").status_code == 200
