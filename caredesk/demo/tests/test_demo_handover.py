"""The demo's hand-over (handover): Lakeside's shift schedule, the last two shift changes told
— the earlier acknowledged by all, the latest by nobody — and, with an Alertmanager, the night
shift's direct silence there (made again in a fresh Alertmanager, with CareDesk's rules pushed
again), reported unauthorised by the hand-over."""

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from caredesk import clock
from caredesk.audit.checking import verify_audit
from caredesk.directory.models import Organisation, Person
from caredesk.fieldwork.masks.alertmanager import LIVE_STATES, Client
from caredesk.fieldwork.models import MaskingRule
from caredesk.insights.handover import selectors
from caredesk.insights.handover.models import ShiftSchedule
from caredesk.notify.models import Message

ROOT = Path(__file__).resolve().parents[3]


def _report_for(username: str):
    person = Person.objects.get(username=username)
    lakeside = ShiftSchedule.objects.get().customer_org
    scope = selectors.scope_for(person, customer_org_id=lakeside.pk, region_id=None)
    return selectors.handover_report(person, scope)


def test_demo_has_a_schedule_an_acknowledged_and_an_unacknowledged_hand_over(db, settings):
    settings.ALERTMANAGER_URL = ""
    call_command("seed_demo")
    schedule = ShiftSchedule.objects.get()
    assert schedule.customer_org.name == Organisation.objects.get(pk=schedule.customer_org_id).name
    slots = {s.starts.strftime("%H:%M"): s for s in schedule.slots.all()}
    assert set(slots) == {"08:00", "20:00"}
    assert [p.username for p in slots["08:00"].people.all()] == ["engineer.b"]
    assert [p.username for p in slots["20:00"].people.all()] == ["engineer.c"]
    assert [p.username for p in schedule.duty_contacts.all()] == ["customer.y"]
    earlier, latest = schedule.notices.order_by("shift_at")
    now = clock.now()
    assert earlier.shift_at < latest.shift_at <= now
    assert (latest.shift_at - earlier.shift_at).total_seconds() == 12 * 3600
    acks = {r.person.username: r.acknowledged_at for r in earlier.recipients.all()}
    assert set(acks) >= {"customer.y"} and all(at is not None for at in acks.values())
    assert all(at <= now for at in acks.values())
    assert latest.recipients.count() == 2
    assert not latest.recipients.filter(acknowledged_at__isnull=False).exists()
    # Each recipient of each notice got its message through the outbox.
    assert Message.objects.filter(template="handover_notice").count() == 4
    # The summary is the report as it stood at the shift's start (the rules came after it).
    assert latest.summary["scope"] and "active_masks" in latest.summary["counts"]
    assert verify_audit().ok
    call_command("seed_demo")  # a second run adds nothing
    assert schedule.notices.count() == 2


def test_fresh_alertmanager_gets_the_rules_again_and_the_direct_silence_shown_unauthorised(
    db, settings, alertmanager, tmp_path, capsys
):
    call_command("seed_demo")
    listed = alertmanager.list_silences().silences
    live = [s for s in listed if s["status"]["state"] in LIVE_STATES]
    assert sum(s["createdBy"] == "night-duty" for s in live) == 1
    assert len(live) == MaskingRule.objects.count() + 1
    report = _report_for("engineer.b")
    assert [s.created_by for s in report.unauthorised.silences] == ["night-duty"]
    assert "1 not authorised by CareDesk" in capsys.readouterr().out

    # `make run` again: a new Alertmanager, empty. The seeding fills it once more.
    where = tmp_path / "am2"
    started = subprocess.run(
        [str(ROOT / "scripts" / "testam.sh"), "start", str(where)],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        pytest.fail(started.stderr)
    try:
        settings.ALERTMANAGER_URL = started.stdout.strip()
        call_command("seed_demo")
        fresh = Client(settings.ALERTMANAGER_URL)
        live = [s for s in fresh.list_silences().silences if s["status"]["state"] in LIVE_STATES]
        fresh.close()
        by_rule = [s for s in live if "caredesk-rule:" in s["comment"]]
        assert len(by_rule) == MaskingRule.objects.count()
        assert [s["createdBy"] for s in live if s not in by_rule] == ["night-duty"]
        assert [s.created_by for s in _report_for("engineer.b").unauthorised.silences] == [
            "night-duty"
        ]
        # Outsiders of Lakeside never read it.
        with pytest.raises(Exception) as refused:
            _report_for("customer.o")
        assert type(refused.value).__name__ == "NotFound"
    finally:
        subprocess.run([str(ROOT / "scripts" / "testam.sh"), "stop", str(where)])
