"""Escalation through the API: clocks, on call, and admin-only configuration."""

from caredesk.escalation.models import Calendar, EscalationPolicy, SlaPolicy


def test_clocks_of_a_ticket(chains, api, open_request, at):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P1")
    at(20, fire=False)
    res = api(cast.y).get(f"/tickets/{ticket.pk}/clocks")
    assert res.status_code == 200
    clocks = {c["kind"]: c for c in res.json()}
    assert set(clocks) == {"acknowledge", "respond", "restore", "resolve"}
    ack = clocks["acknowledge"]
    assert ack["target_seconds"] == 15 * 60
    assert ack["remaining_seconds"] == -5 * 60
    assert ack["breached"] is True
    assert clocks["resolve"]["remaining_seconds"] == (1440 - 20) * 60
    assert api(cast.o).get(f"/tickets/{ticket.pk}/clocks").status_code == 404


def test_on_call_question(chains, api):
    cast = chains
    res = api(cast.b).get("/oncall?product=wireless&region=lakeside&at=2026-01-06T10:00:00%2B08:00")
    assert res.status_code == 200
    body = res.json()
    assert body["team"] == "无线与传输组"
    assert body["person"]["id"] == cast.d.pk  # daily: c on the 5th, d on the 6th
    assert body["source"] == "rotation"
    assert api(cast.y).get("/oncall?product=core&region=lakeside").status_code == 403
    bad = api(cast.b).get("/oncall?product=nope&region=lakeside")
    assert bad.status_code == 422
    assert "product" in bad.json()["error"]["fields"]


def test_only_admins_configure(chains, api):
    cast = chains
    body = {
        "name": "Operator X P1",
        "customer_org": cast.orgs.province.pk,
        "severity": "P1",
        "calendar": Calendar.objects.get(always_open=True).pk,
        "acknowledge_minutes": 10,
    }
    assert api(cast.a).post("/sla-policies", body).status_code == 403
    created = api(cast.admin).post("/sla-policies", body)
    assert created.status_code == 201, created.content
    assert SlaPolicy.objects.filter(customer_org=cast.orgs.province).count() == 1
    assert api(cast.admin).post("/sla-policies", body).status_code == 409
    assert api(cast.admin).post("/sla-policies", {**body, "severity": "P7"}).status_code == 422


def test_customer_specific_policy_wins(chains, api, open_request, at):
    cast = chains
    api(cast.admin).post(
        "/sla-policies",
        {
            "name": "Province P2",
            "customer_org": cast.orgs.province.pk,
            "severity": "P2",
            "calendar": Calendar.objects.get(always_open=True).pk,
            "acknowledge_minutes": 5,
        },
    )
    at(0, fire=False)
    ticket = open_request(severity="P2")  # a branch of the province: inherits its policy
    clocks = {c["kind"]: c for c in api(cast.b).get(f"/tickets/{ticket.pk}/clocks").json()}
    assert set(clocks) == {"acknowledge"}
    assert clocks["acknowledge"]["target_seconds"] == 300


def test_escalation_policy_crud_and_validation(chains, api):
    cast = chains
    policy = {
        "name": "Night P2",
        "trigger": "opened",
        "severity": "P2",
        "steps": [
            {
                "target": "owner",
                "wait_minutes": 5,
                "channels": ["sms"],
                "condition": "not_acknowledged",
            },
            {
                "target": "service_manager",
                "wait_minutes": 10,
                "channels": ["email"],
                "condition": "clock_breached",
            },
        ],
    }
    bad = api(cast.admin).post("/escalation-policies", policy)
    assert bad.status_code == 422
    assert "steps.1.clock" in bad.json()["error"]["fields"]
    policy["steps"][1]["clock"] = "acknowledge"
    res = api(cast.admin).post("/escalation-policies", policy)
    assert res.status_code == 201
    pid = res.json()["id"]
    assert [s["target"] for s in res.json()["steps"]] == ["owner", "service_manager"]
    policy["steps"] = policy["steps"][:1]
    replaced = api(cast.admin).put(f"/escalation-policies/{pid}", policy)
    assert [s["target"] for s in replaced.json()["steps"]] == ["owner"]
    assert api(cast.admin).delete(f"/escalation-policies/{pid}").status_code == 204
    assert api(cast.b).get("/escalation-policies").status_code == 403
    assert not EscalationPolicy.objects.filter(name="Night P2").exists()


def test_calendar_days_import_through_the_api(chains, api):
    cast = chains
    cal = api(cast.admin).post(
        "/calendars", {"name": "Guangzhou", "work_start": "08:30:00", "work_end": "17:30:00"}
    )
    assert cal.status_code == 201
    cid = cal.json()["id"]
    res = api(cast.admin).post(
        f"/calendars/{cid}/days", {"csv": "2026-10-01,holiday,国庆节\n2026-10-10,workday,调休\n"}
    )
    assert res.status_code == 200
    days = res.json()["days"]
    assert [(d["date"], d["kind"]) for d in days] == [
        ("2026-10-01", "holiday"),
        ("2026-10-10", "workday"),
    ]
    bad = api(cast.admin).post(f"/calendars/{cid}/days", {"csv": "tomorrow,holiday,x"})
    assert bad.status_code == 422
    zone = api(cast.admin).post("/calendars", {"name": "Mars", "time_zone": "Mars/Olympus"})
    assert zone.status_code == 422
    backwards = api(cast.admin).post(
        "/calendars", {"name": "Back", "work_start": "18:00:00", "work_end": "09:00:00"}
    )
    assert backwards.status_code == 422


def test_working_hours_are_local_times_of_day_without_an_offset(chains, api):
    cast = chains
    cal = api(cast.admin).post("/calendars", {"name": "Xi'an", "work_start": "08:30"})
    assert cal.status_code == 201, cal.content
    assert (cal.json()["work_start"], cal.json()["work_end"]) == ("08:30:00", "18:00:00")
    for bad in ("8:30", "08:30:00+08:00", "08:30:00.5", "24:00"):
        res = api(cast.admin).post("/calendars", {"name": f"Bad {bad}", "work_start": bad})
        assert res.status_code == 422 and "work_start" in res.json()["error"]["fields"], bad


def test_calendar_days_with_carriage_returns_or_a_huge_field_are_read_or_refused(chains, api):
    cast = chains
    cid = api(cast.admin).post("/calendars", {"name": "Shenzhen"}).json()["id"]
    res = api(cast.admin).post(
        f"/calendars/{cid}/days", {"csv": "2026-10-01,holiday,a\r2026-10-02,holiday,b"}
    )
    assert res.status_code == 200, res.content
    assert [d["date"] for d in res.json()["days"]] == ["2026-10-01", "2026-10-02"]
    huge = {"csv": "2026-10-03,holiday," + "x" * 150_000}
    res = api(cast.admin).post(f"/calendars/{cid}/days", huge)
    assert res.status_code == 422 and "csv" in res.json()["error"]["fields"]
