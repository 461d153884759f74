"""Enforcement in front of a real Alertmanager (Debian's, started by the `alertmanager`
fixture): approved rules become silences and are expired there when removed; silences made
there directly are reported as unauthorised; and seed case 5 told through the API."""

import datetime as dt

import pytest

from caredesk import clock
from caredesk.fieldwork.changes import services as change_services
from caredesk.fieldwork.masks import services, sync
from caredesk.fieldwork.masks.services import RuleDraft
from caredesk.fieldwork.models import ChangeStatus, ForeignSilence, MaskingRule, SyncState


@pytest.fixture
def now():
    """Alertmanager keeps real time (it refuses a silence ending in the past): the clock is
    frozen at the real moment, to the second."""
    moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with clock.frozen_at(moment):
        yield moment


def _silences(client) -> dict[str, dict]:
    return {s["id"]: s for s in client.list_silences().silences}


def _push_all() -> None:
    while sync.push_due(worker="test", batch=500):
        pass


def test_approved_rule_appears_as_silence_and_expires_when_removed(
    cast, now, alertmanager, masking_change
):
    change = masking_change()
    rule = services.create_rule(
        actor=cast.d,
        change=change,
        draft=RuleDraft(reason="升级后割接告警", elements=["OTN-07"], alarm_codes=["LOS", "LOF"]),
    )
    # Nothing leaves inside the transaction: Alertmanager hears only from the worker.
    assert rule.sync_state == SyncState.TO_PUSH and not rule.silence_id
    _push_all()
    rule.refresh_from_db()
    assert rule.sync_state == SyncState.IN_STEP and rule.silence_id
    silence = _silences(alertmanager)[rule.silence_id]
    assert silence["status"]["state"] == "active"
    assert silence["createdBy"] == "partner.d"
    assert change.number in silence["comment"] and rule.number in silence["comment"]
    assert {(m["name"], m["value"], m["isRegex"]) for m in silence["matchers"]} == {
        ("ne", "OTN-07", False),
        ("alarm_code", "LOS|LOF", True),
    }
    assert silence["endsAt"].startswith((now + dt.timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M"))

    services.remove_rule(actor=cast.b, rule=rule, reason="割接完成，恢复告警")
    assert _silences(alertmanager)[rule.silence_id]["status"]["state"] == "active"
    _push_all()
    rule.refresh_from_db()
    assert rule.sync_state == SyncState.IN_STEP and rule.unpushed_at == now
    assert _silences(alertmanager)[rule.silence_id]["status"]["state"] == "expired"
    # A removed rule's silence is not reported as someone else's.
    sync.reconcile()
    assert not ForeignSilence.objects.exists()


def test_silence_made_directly_in_alertmanager_reported_unauthorised(
    cast, now, alertmanager, masking_change, api
):
    rule = services.create_rule(
        actor=cast.d, change=masking_change(), draft=RuleDraft(reason="r", elements=["OTN-07"])
    )
    _push_all()
    rule.refresh_from_db()
    rogue = alertmanager.create_silence(
        matchers=[{"name": "ne", "value": "OTN-.*", "isRegex": True, "isEqual": True}],
        starts_at=now,
        ends_at=now + dt.timedelta(days=7),
        created_by="night-duty",
        comment="客户夜班要求屏蔽",
    )
    assert rogue.ok
    run = sync.reconcile()
    assert run.ok and run.unauthorised == 1 and run.missing == 0
    found = ForeignSilence.objects.get()
    assert (found.silence_id, found.created_by) == (rogue.silence_id, "night-duty")
    answer = api(cast.a).get("/masks/unauthorised").json()
    assert [s["silence_id"] for s in answer["silences"]] == [rogue.silence_id]
    assert answer["check_ok"] is True
    # Customers and partners read no such report.
    assert api(cast.y).get("/masks/unauthorised").status_code == 403
    assert api(cast.d).get("/masks/unauthorised").status_code == 403
    # Expired there directly: the rule's silence is reported missing; the rogue one ended.
    alertmanager.expire_silence(rule.silence_id)
    alertmanager.expire_silence(rogue.silence_id)
    run = sync.reconcile()
    assert run.missing == 1 and run.unauthorised == 0
    assert ForeignSilence.objects.get().ended_at == now
    assert [m["id"] for m in api(cast.a).get("/masks/unauthorised").json()["missing"]] == [rule.pk]


def test_seed_case_5_through_the_api(cast, now, alertmanager, make_change, api):
    """After an upgrade a partner engineer masks 200 alarms at the night shift's request. Under
    an approved masking change they become 200 rules with an end, each a silence; the ones
    made straight in Alertmanager are flagged the same night."""
    elements = [f"BTS-{i:04d}" for i in range(200)]
    ends = (now + dt.timedelta(hours=10)).isoformat()
    rules = [
        {
            "elements": [e],
            "alarm_codes": ["CUTOVER_LINK_DOWN"],
            "reason": "升级割接",
            "ends_at": ends,
        }
        for e in elements
    ]
    # The masking change, submitted but not approved yet: no rule under it.
    change = make_change(
        submit=True,
        kind="alarm_masking",
        title="升级后屏蔽割接告警",
        plan="屏蔽 200 个基站的割接告警，早班前到期",
        elements=elements,
        window_start=now,
        window_end=now + dt.timedelta(hours=8),
    )
    refused = api(cast.d).post("/masks", {"change": change.pk, "rules": rules})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "mask_change_not_approved"
    change = change_services.approve_change(actor=cast.p, change=change)
    assert change.status == ChangeStatus.APPROVED
    # Another partner's change does not exist for him; a customer may not mask.
    assert api(cast.y).post("/masks", {"change": change.pk, "rules": rules}).status_code == 403
    bad = [*rules[:199], {**rules[199], "ends_at": (now + dt.timedelta(days=5)).isoformat()}]
    answer = api(cast.d).post("/masks", {"change": change.pk, "rules": bad})
    assert answer.status_code == 422
    assert set(answer.json()["error"]["fields"]) == {"rows.200.ends_at"}
    assert not MaskingRule.objects.exists()

    made = api(cast.d).post("/masks", {"change": change.pk, "rules": rules})
    assert made.status_code == 201 and made.json()["count"] == 200
    _push_all()
    live = {
        s["id"]: s for s in _silences(alertmanager).values() if s["status"]["state"] == "active"
    }
    ours = set(MaskingRule.objects.values_list("silence_id", flat=True))
    assert len(ours) == 200 and ours <= set(live)
    # The night shift's own silence, made in Alertmanager without CareDesk.
    rogue = alertmanager.create_silence(
        matchers=[{"name": "severity", "value": "major", "isRegex": False, "isEqual": True}],
        starts_at=now,
        ends_at=now + dt.timedelta(days=30),
        created_by="nightshift",
        comment="",
    )
    sync.reconcile()
    flagged = api(cast.b).get("/masks/unauthorised").json()["silences"]
    assert [s["silence_id"] for s in flagged] == [rogue.silence_id]
    # The morning shift reads them: 200 active rules, with their end, owner, reason, change.
    page = api(cast.b).get(f"/masks?customer={cast.orgs.lakeside.pk}&active=true").json()
    second = (
        api(cast.b)
        .get(f"/masks?customer={cast.orgs.lakeside.pk}&active=true&cursor={page['next_cursor']}")
        .json()
    )
    items = page["items"] + second["items"]
    assert len(items) == 200 and second["next_cursor"] is None
    assert {(i["change_number"], i["owner"]["name"], i["reason"]) for i in items} == {
        (change.number, cast.d.name, "升级割接")
    }
    assert {dt.datetime.fromisoformat(i["ends_at"]) for i in items} == {
        now + dt.timedelta(hours=10)
    }
    one = api(cast.y).get(f"/masks?element={elements[7]}").json()["items"]
    assert [i["elements"] for i in one] == [[elements[7]]]
    assert api(cast.o).get(f"/masks/{one[0]['id']}").status_code == 404
    # ---- handover: next morning (08:00 hand-over, eight hours on) the shift hand-over report
    # names the 200 rules — one line: the change, its owner, the reason, when they end (all
    # within the day shift) — and the night shift's own silence as unauthorised.
    morning = (now + dt.timedelta(hours=8)).isoformat().replace("+00:00", "Z")
    report = api(cast.b).get(f"/handover?customer={cast.orgs.lakeside.pk}&at={morning}")
    assert report.status_code == 200
    body = report.json()
    [group] = body["active_masks"]
    assert (group["count"], group["change_number"], group["owner"]["name"], group["reason"]) == (
        200,
        change.number,
        cast.d.name,
        "升级割接",
    )
    assert sorted(r["elements"][0] for r in group["rules"]) == elements
    assert dt.datetime.fromisoformat(group["last_end"]) == now + dt.timedelta(hours=10)
    assert body["summary"]["expiring_masks"] == 200
    assert [s["silence_id"] for s in body["unauthorised"]["silences"]] == [rogue.silence_id]
    assert api(cast.y).get(f"/handover?customer={cast.orgs.lakeside.pk}").status_code == 404
    # ---- end of handover


# ---- handover: `make run` restarts the demo's Alertmanager without its data.
def test_rule_lost_by_an_alertmanager_restart_is_pushed_again_but_one_expired_there_is_not(
    cast, now, alertmanager, masking_change
):
    change = masking_change()
    lost, ended = (
        services.create_rule(
            actor=cast.d, change=change, draft=RuleDraft(reason="割接告警", elements=[e])
        )
        for e in ("OTN-07", "OTN-08")
    )
    _push_all()
    lost.refresh_from_db()
    ended.refresh_from_db()
    # A restart without storage: Alertmanager no longer lists the first rule's silence at all
    # (its record now names a silence Alertmanager never had). The second is expired there.
    MaskingRule.objects.filter(pk=lost.pk).update(silence_id="0f0e0d0c-lost-in-restart")
    alertmanager.expire_silence(lost.silence_id)  # (the real one must not read as foreign)
    alertmanager.expire_silence(ended.silence_id)
    run = sync.reconcile()
    lost.refresh_from_db()
    ended.refresh_from_db()
    assert lost.sync_state == SyncState.TO_PUSH and lost.silence_missing_at is None
    assert ended.sync_state == SyncState.IN_STEP and ended.silence_missing_at == now
    assert run.missing == 1
    _push_all()
    lost.refresh_from_db()
    assert _silences(alertmanager)[lost.silence_id]["status"]["state"] == "active"
    sync.reconcile()
    assert not ForeignSilence.objects.exists()  # the re-pushed silence is CareDesk's own


# ---- end of handover
