"""Failures retry with capped, jittered backoff until delivered or dead; a receiver that was
down gets every message exactly once, counted by idempotency key at the receiver."""

import datetime as dt
import random

import pytest

from caredesk import clock
from caredesk.notify import delivery
from caredesk.notify.delivery import backoff, deliver_due
from caredesk.notify.models import Attempt, Message

from .receivers import Receiver

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _due_moment() -> dt.datetime:
    return max(Message.objects.filter(state="pending").values_list("next_attempt_at", flat=True))


def test_backoff_doubles_with_jitter_up_to_the_cap(settings):
    settings.NOTIFY_BACKOFF_BASE, settings.NOTIFY_BACKOFF_CAP = 30, 3600
    rng = random.Random(7)
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (6, 960), (8, 3600), (20, 3600)]:
        waits = [backoff(attempt, rng=rng).total_seconds() for _ in range(200)]
        assert min(waits) >= ceiling / 2 and max(waits) <= ceiling
        assert len(set(waits)) > 100  # jittered, not in step


def test_receiver_down_then_up_delivers_every_message_once(cast, robot, queue):
    # The receiver is set up (and its robots point at it) but not running: connection refused.
    down = Receiver()
    from caredesk.notify.models import Endpoint

    for kind, url in [("dingtalk", down.dingtalk_url), ("feishu", down.feishu_url)]:
        Endpoint.objects.create(
            name=kind, kind=kind, organisation=cast.orgs.province, url=url, secret=down.secret
        )
    with clock.frozen_at(T0):
        queued = queue(cast.x, "dingtalk", n=4) + queue(cast.y, "feishu", n=4)
        assert deliver_due(worker="w1", batch=50) == 8
    assert Message.objects.filter(state="pending", attempt=1).count() == 8
    with clock.frozen_at(_due_moment()):  # still down at the second try
        assert deliver_due(worker="w1", batch=50) == 8
    assert Message.objects.filter(state="pending", attempt=2).count() == 8
    up = Receiver(port=down.port).start()
    try:
        with clock.frozen_at(_due_moment()):
            assert deliver_due(worker="w2", batch=50) == 8
            assert deliver_due(worker="w2", batch=50) == 0
    finally:
        up.stop()
    assert Message.objects.filter(state="sent").count() == 8
    assert sorted(up.delivered) == sorted(m.idempotency_key for m in queued)
    assert set(up.delivered.values()) == {1}
    assert Attempt.objects.count() == 24  # two refused tries and one delivery each


def test_worker_killed_after_sending_repeats_but_receiver_counts_once(cast, receiver, robot, queue):
    robot("dingtalk", organisation=cast.orgs.lakeside)
    with clock.frozen_at(T0):
        (message,) = queue(cast.y, "dingtalk")
        # What a worker does before it dies: claim, admit, send — and never record.
        ids = delivery.claiming.claim(
            Message,
            ready=delivery.Q(state="pending"),
            order_by="pk",
            worker="doomed",
            now=T0,
            batch=10,
            lease=delivery.LEASE,
        )
        rows = list(Message.objects.filter(pk__in=ids).select_related("endpoint"))
        ((row, _attempt),) = delivery._admit(rows, "doomed", T0)
        outcome, _, _ = delivery._send(row, delivery.email.Session())
        assert outcome.ok
    assert Message.objects.get(pk=message.pk).state == "pending"
    with clock.frozen_at(T0 + delivery.LEASE / 2):
        assert deliver_due(worker="w2", batch=10) == 0  # the claim still holds
    with clock.frozen_at(T0 + delivery.LEASE + dt.timedelta(seconds=1)):
        assert deliver_due(worker="w2", batch=10) == 1
    assert Message.objects.get(pk=message.pk).state == "sent"
    # Sent twice with one key: a receiver that drops repeats acts once.
    assert [r["key"] for r in receiver.requests] == [message.idempotency_key] * 2
    assert receiver.delivered[message.idempotency_key] == 2
    assert receiver.effects[message.idempotency_key] == 1
    assert [a.outcome for a in Message.objects.get(pk=message.pk).attempts.all()] == [
        "lost",
        "sent",
    ]


def test_try_left_in_flight_by_killed_worker_closed_when_retaken_then_sent_once(
    cast, receiver, robot, queue
):
    robot("dingtalk", organisation=cast.orgs.lakeside)
    with clock.frozen_at(T0):
        (message,) = queue(cast.y, "dingtalk")
        # What a worker does before it is killed mid-send: claim and open the try.
        ids = delivery.claiming.claim(
            Message,
            ready=delivery.Q(state="pending"),
            order_by="pk",
            worker="doomed",
            now=T0,
            batch=10,
            lease=delivery.LEASE,
        )
        rows = list(Message.objects.filter(pk__in=ids).select_related("endpoint"))
        ((_row, stale),) = delivery._admit(rows, "doomed", T0)
    with clock.frozen_at(T0 + delivery.LEASE / 2):
        assert deliver_due(worker="w2", batch=10) == 0  # the claim still holds
    assert Attempt.objects.get(pk=stale.pk).outcome == "in_flight"
    after_lease = T0 + delivery.LEASE + dt.timedelta(seconds=1)
    with clock.frozen_at(after_lease):
        assert deliver_due(worker="w2", batch=10) == 1
    with clock.frozen_at(after_lease + dt.timedelta(hours=1)):
        assert deliver_due(worker="w2", batch=10) == 0  # nothing left to send
    closed = Attempt.objects.get(pk=stale.pk)
    assert closed.outcome == "lost" and closed.worker == "doomed"
    assert "w2 took the message again" in closed.detail
    done = Message.objects.get(pk=message.pk)
    assert done.state == "sent" and done.attempt == 2
    assert [(a.worker, a.outcome) for a in done.attempts.all()] == [
        ("doomed", "lost"),
        ("w2", "sent"),
    ]
    assert [r["key"] for r in receiver.requests] == [message.idempotency_key]
    assert receiver.delivered[message.idempotency_key] == 1


def test_server_errors_retry_then_deliver(cast, receiver, robot, queue):
    robot("wecom", organisation=cast.orgs.lakeside)
    receiver.fail_next = 2
    with clock.frozen_at(T0):
        (message,) = queue(cast.y, "wecom")
        deliver_due(worker="w1", batch=10)
    first = Message.objects.get(pk=message.pk)
    assert first.state == "pending" and "HTTP 500" in first.last_error
    with clock.frozen_at(_due_moment()):
        deliver_due(worker="w1", batch=10)
    with clock.frozen_at(_due_moment()):
        deliver_due(worker="w1", batch=10)
    done = Message.objects.get(pk=message.pk)
    assert done.state == "sent" and done.attempt == 3 and done.last_error == ""
    assert [a.outcome for a in done.attempts.all()] == ["retry", "retry", "sent"]


@pytest.mark.parametrize("max_attempts", [3])
def test_dead_after_the_last_try(cast, receiver, robot, queue, settings, max_attempts):
    settings.NOTIFY_MAX_ATTEMPTS = max_attempts
    robot("wecom", organisation=cast.orgs.lakeside)
    receiver.fail_next = 100
    with clock.frozen_at(T0):
        (message,) = queue(cast.y, "wecom")
    moment = T0
    for _ in range(10):  # bounded: more passes than tries
        with clock.frozen_at(moment):
            deliver_due(worker="w1", batch=10)
        row = Message.objects.get(pk=message.pk)
        if row.state != "pending":
            break
        assert row.next_attempt_at > moment
        moment = row.next_attempt_at
    assert row.state == "dead"
    assert row.attempt == max_attempts
    assert row.attempts.count() == max_attempts
