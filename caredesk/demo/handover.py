"""The demo's shift hand-over: Lakeside's shift schedule (08:00 and 20:00 Asia/Shanghai, the
day shift engineer.b, the night shift engineer.c, customer.y as the customer's duty contact),
the last two shift changes told — the earlier one acknowledged by everyone, the latest one not
yet (its reminder follows on the worker) — and, on every `make run` with the demo's
Alertmanager, the night shift's own silence made directly there, so the hand-over report shows
it as unauthorised.

`seed` runs once inside the demo's transaction, through the hand-over verbs; `in_alertmanager`
runs after it on every seeding (a fresh Alertmanager has lost what the last one held).
"""

import datetime as dt

from caredesk import clock
from caredesk.fieldwork.masks import alertmanager, sync
from caredesk.fieldwork.masks.alertmanager import LIVE_STATES
from caredesk.insights.handover import services as handover
from caredesk.insights.handover.models import HandoverNotice, ShiftSchedule

SCHEDULE = "湖滨值班交接"
DIRECT_BY = "night-duty"
DIRECT_COMMENT = "客户夜班要求，先屏蔽全部基站告警"


def _last_two_shifts(schedule: ShiftSchedule, now: dt.datetime):
    """The two latest shift starts at or before now, oldest first, with their slots."""
    slots = list(schedule.slots.order_by("starts"))
    found = []
    # Shift starts over the last two days, from which the latest two before now.
    start = now - dt.timedelta(days=2)
    moment = start
    while True:
        slot, at = handover.next_shift(schedule, slots, moment)
        if at > now:
            break
        found.append((slot, at))
        moment = at
    return found[-2:]


def seed(w: dict) -> ShiftSchedule:
    people = w["people"]
    schedule = handover.save_schedule(
        actor=people["manager.a"],
        name=SCHEDULE,
        customer_org=w["orgs"]["lakeside"],
        region=None,
        slots=[
            handover.SlotDraft(starts=dt.time(8, 0), people=[people["engineer.b"]]),
            handover.SlotDraft(starts=dt.time(20, 0), people=[people["engineer.c"]]),
        ],
        duty_contacts=[people["customer.y"]],
        remind_after_minutes=30,
    )
    (old_slot, old_at), (new_slot, new_at) = _last_two_shifts(schedule, clock.now())
    # What the worker's timer does at a shift's start, for the two shift changes already past.
    with clock.frozen_at(old_at):
        earlier = handover.send_shift_notice(schedule=schedule, slot=old_slot, shift_at=old_at)
    with clock.frozen_at(new_at):
        handover.send_shift_notice(schedule=schedule, slot=new_slot, shift_at=new_at)
    with clock.frozen_at(old_at + dt.timedelta(minutes=12)):
        for row in earlier.recipients.select_related("person"):
            handover.acknowledge(actor=row.person, notice=earlier)
    return schedule


def in_alertmanager() -> str:
    """With an Alertmanager configured (the demo's own under `make run`): make the night
    shift's direct silence there unless it is live already, push CareDesk's rules it lacks (a
    restart lost them), and reconcile, so the hand-over names the direct one unauthorised.
    Returns a line for the seeding's output ('' without an Alertmanager)."""
    client = alertmanager.configured()
    if client is None:
        return ""
    try:
        listed = client.list_silences()
        if not listed.ok:
            return f"Alertmanager not reachable ({listed.detail}); nothing pushed."
        live = [
            s
            for s in listed.silences
            if s.get("status", {}).get("state") in LIVE_STATES and s.get("createdBy") == DIRECT_BY
        ]
        if not live:
            now = dt.datetime.now(dt.UTC)
            client.create_silence(
                matchers=[{"name": "ne", "value": "BTS-.*", "isRegex": True, "isEqual": True}],
                starts_at=now,
                ends_at=now + dt.timedelta(days=3),
                created_by=DIRECT_BY,
                comment=DIRECT_COMMENT,
            )
        # Reconcile finds the rules a restart lost and queues them; the push sends them; the
        # second pass records what Alertmanager holds now.
        sync.reconcile(client=client)
        while sync.push_due(worker="seed_demo", client=client):
            pass
        run = sync.reconcile(client=client)
    finally:
        client.close()
    return (
        f"Alertmanager: {run.silences} silences, {run.unauthorised} not authorised by CareDesk."
        if run is not None
        else ""
    )


def notices() -> list[HandoverNotice]:
    return list(HandoverNotice.objects.filter(schedule__name=SCHEDULE).order_by("shift_at"))
