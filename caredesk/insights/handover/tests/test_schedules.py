"""Shift schedules kept as durable timers: at each shift time (local, Asia/Shanghai) the
incoming shift and the customer's duty contacts get the report's summary; each acknowledges
it (who, when); unacknowledged after the schedule's delay, exactly one reminder. On the fake
clock."""

import datetime as dt
import zoneinfo

import pytest

from caredesk.audit.models import AuditRecord
from caredesk.conftest import T0
from caredesk.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from caredesk.insights.handover import services
from caredesk.insights.handover.models import HandoverNotice, HandoverRecipient
from caredesk.notify.models import Message

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def _slots(cast):
    return [
        services.SlotDraft(starts=dt.time(8), people=[cast.b]),
        services.SlotDraft(starts=dt.time(20), people=[cast.c, cast.d]),
    ]


@pytest.fixture
def schedule(cast, at, open_request):
    at(0, fire=False)  # Tuesday 10:00
    open_request(severity="P1")  # Lakeside has work the office serves
    return services.save_schedule(
        actor=cast.a,
        name="湖滨值班",
        customer_org=cast.orgs.lakeside,
        region=None,
        slots=_slots(cast),
        duty_contacts=[cast.y],
        remind_after_minutes=30,
    )


def _messages(template):
    return list(Message.objects.filter(template=template).order_by("recipient_id"))


def test_next_shift_is_the_first_local_shift_time_after_now(cast, schedule):
    slots = list(schedule.slots.order_by("starts"))
    slot, at = services.next_shift(schedule, slots, T0)
    assert at == dt.datetime(2026, 11, 24, 20, 0, tzinfo=SH)
    slot, at = services.next_shift(schedule, slots, dt.datetime(2026, 11, 24, 21, 0, tzinfo=SH))
    assert (slot.starts, at) == (dt.time(8), dt.datetime(2026, 11, 25, 8, 0, tzinfo=SH))


def test_incoming_shift_and_duty_contacts_are_told_at_the_shift_time(cast, schedule, at):
    at(9 * 60 + 59)  # 19:59: nothing yet
    assert not HandoverNotice.objects.exists()
    at(10 * 60)  # 20:00: the night shift (engineer.c, partner.d) comes in
    notice = HandoverNotice.objects.get()
    assert notice.shift_at == dt.datetime(2026, 11, 24, 20, 0, tzinfo=SH)
    assert notice.summary["counts"]["urgent_tickets"] == 1
    told = {m.recipient_id for m in _messages("handover_notice")}
    assert told == {cast.c.pk, cast.d.pk, cast.y.pk}  # not the outgoing engineer.b
    staff = next(m for m in _messages("handover_notice") if m.recipient_id == cast.c.pk)
    customer = next(m for m in _messages("handover_notice") if m.recipient_id == cast.y.pk)
    assert staff.context["n_urgent_tickets"] == 1
    assert staff.context["url"].endswith(f"/handover/notices/{notice.pk}/")
    assert "n_urgent_tickets" not in customer.context  # the vendor's own figures stay inside
    at(22 * 60)  # next morning 08:00: the day shift is told too
    assert HandoverNotice.objects.count() == 2
    assert {m.recipient_id for m in _messages("handover_notice")} >= {cast.b.pk}


def test_acknowledgement_is_recorded_with_person_and_time(cast, schedule, at):
    at(10 * 60)
    notice = HandoverNotice.objects.get()
    moment = at(10 * 60 + 5)
    row = services.acknowledge(actor=cast.c, notice=notice)
    assert (row.person, row.acknowledged_at) == (cast.c, moment)
    at(10 * 60 + 9)
    again = services.acknowledge(actor=cast.c, notice=notice)
    assert again.acknowledged_at == moment  # once
    assert AuditRecord.objects.filter(action="handover.acknowledged").count() == 1
    with pytest.raises(NotFound):  # engineer.b was not told: for him it does not exist
        services.acknowledge(actor=cast.b, notice=notice)


def test_unacknowledged_get_exactly_one_reminder(cast, schedule, at):
    at(10 * 60)
    notice = HandoverNotice.objects.get()
    at(10 * 60 + 10)
    services.acknowledge(actor=cast.c, notice=notice)
    at(10 * 60 + 29)
    assert _messages("handover_reminder") == []
    at(10 * 60 + 30)  # 30 minutes after the shift change
    reminded = {m.recipient_id for m in _messages("handover_reminder")}
    assert reminded == {cast.d.pk, cast.y.pk}
    at(10 * 60 + 300)
    assert len(_messages("handover_reminder")) == 2  # one reminder, never a second
    assert HandoverRecipient.objects.filter(reminded_at__isnull=False).count() == 2


def test_everyone_acknowledged_means_no_reminder(cast, schedule, at):
    at(10 * 60)
    notice = HandoverNotice.objects.get()
    for person in (cast.c, cast.d, cast.y):
        services.acknowledge(actor=person, notice=notice)
    at(11 * 60)
    assert _messages("handover_reminder") == []


def test_editing_a_schedule_rearms_it_and_never_sends_twice(cast, schedule, at):
    changed = services.save_schedule(
        actor=cast.a,
        name="湖滨值班",
        customer_org=cast.orgs.lakeside,
        region=None,
        slots=[services.SlotDraft(starts=dt.time(18), people=[cast.c])],
        schedule=schedule,
        version=schedule.version,
    )
    at(8 * 60)  # 18:00
    at(10 * 60)  # 20:00: the old version's timer skips
    assert [n.shift_at.astimezone(SH).hour for n in HandoverNotice.objects.all()] == [18]
    with pytest.raises(StaleVersion):
        services.save_schedule(
            actor=cast.a,
            name="x",
            customer_org=cast.orgs.lakeside,
            region=None,
            slots=_slots(cast),
            schedule=changed,
            version=schedule.version,
        )


def test_schedules_are_kept_by_managers_with_every_bad_field_named(cast, schedule):
    with pytest.raises(PermissionDenied):
        services.save_schedule(
            actor=cast.b,
            name="x",
            customer_org=cast.orgs.lakeside,
            region=None,
            slots=_slots(cast),
        )
    with pytest.raises(NotFound):
        services.save_schedule(
            actor=cast.y,
            name="x",
            customer_org=cast.orgs.lakeside,
            region=None,
            slots=_slots(cast),
        )
    with pytest.raises(ValidationFailed) as refused:
        services.save_schedule(
            actor=cast.a,
            name=" ",
            customer_org=cast.orgs.lakeside,
            region=None,
            slots=[services.SlotDraft(starts=dt.time(8), people=[cast.y])],
            time_zone="Mars/Olympus",
        )
    assert set(refused.value.fields) == {"name", "slots.0.people", "time_zone"}
