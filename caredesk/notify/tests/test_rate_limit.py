"""A robot takes at most its rate per minute: the rest wait in the outbox, never dropped;
a throttling answer from the vendor makes the message wait without using up its tries."""

import datetime as dt

from caredesk import clock
from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _max_in_any_minute(moments: list[dt.datetime]) -> int:
    moments = sorted(moments)
    return max(
        sum(1 for m in moments if start <= m < start + dt.timedelta(minutes=1)) for start in moments
    )


def test_robot_gets_at_most_20_a_minute_and_the_rest_wait(cast, receiver, robot, queue):
    robot("dingtalk", organisation=cast.orgs.lakeside, rate=20)
    with clock.frozen_at(T0):
        queued = queue(cast.y, "dingtalk", n=25)
        assert deliver_due(worker="w1", batch=100) == 20
        assert deliver_due(worker="w1", batch=100) == 0  # the minute's budget is spent
    waiting = Message.objects.filter(state="pending")
    assert waiting.count() == 5
    assert set(waiting.values_list("attempt", flat=True)) == {0}  # waiting is not a try
    assert set(waiting.values_list("next_attempt_at", flat=True)) == {T0 + dt.timedelta(minutes=1)}
    with clock.frozen_at(T0 + dt.timedelta(seconds=59)):
        assert deliver_due(worker="w1", batch=100) == 0
    with clock.frozen_at(T0 + dt.timedelta(minutes=1)):
        assert deliver_due(worker="w2", batch=100) == 5
    accepted = receiver.accepted("/robot/send")
    assert len(accepted) == 25
    assert sorted(receiver.delivered) == sorted(m.idempotency_key for m in queued)
    assert _max_in_any_minute([r["at"] for r in accepted]) == 20


def test_each_robot_has_its_own_budget_and_email_is_not_limited(cast, receiver, robot, queue):
    robot("dingtalk", organisation=cast.orgs.lakeside, rate=3)
    robot("feishu", organisation=cast.orgs.hillside, rate=2)
    with clock.frozen_at(T0):
        queue(cast.y, "dingtalk", n=5)
        queue(cast.z, "feishu", n=5)
        queue(cast.x, "email", n=5)
        assert deliver_due(worker="w1", batch=100) == 3 + 2 + 5
    assert len(receiver.accepted("/robot/send")) == 3
    assert len(receiver.accepted("/open-apis/")) == 2


def test_vendor_throttle_answer_waits_a_minute_without_using_a_try(cast, receiver, robot, queue):
    # Our budget allows 30 but the vendor (WeCom, 20 a minute) refuses past 20 with 45009.
    robot("wecom", organisation=cast.orgs.lakeside, rate=30)
    receiver.wecom_limit = 20
    with clock.frozen_at(T0):
        queue(cast.y, "wecom", n=22)
        deliver_due(worker="w1", batch=100)
    throttled = Message.objects.filter(state="pending")
    assert throttled.count() == 2
    for m in throttled:
        assert m.attempt == 0 and "45009" in m.last_error
        assert m.next_attempt_at == T0 + dt.timedelta(seconds=60)
        assert m.attempts.get().outcome == "throttled"
    with clock.frozen_at(T0 + dt.timedelta(seconds=61)):
        deliver_due(worker="w1", batch=100)
    assert Message.objects.filter(state="sent").count() == 22
