"""Timers in-process, on SQLite and PostgreSQL: due rows fire once, future rows wait,
cancelled rows never run, a failing handler retries later, expired claims are retaken."""

import datetime as dt

import pytest

from caredesk import clock
from caredesk.timers import services
from caredesk.timers.models import DueAction, ProbeEffect

T0 = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with clock.frozen_at(T0):
        yield T0


def probe(due):
    return services.schedule(kind=services.PROBE, subject="x", due_at=due)


def test_due_rows_fire_once_and_future_rows_wait(db, frozen):
    due, later = probe(T0), probe(T0 + dt.timedelta(minutes=5))
    assert services.run_due(worker="w", now=T0) == 1
    assert services.run_due(worker="w", now=T0) == 0
    assert ProbeEffect.objects.filter(action_id=due.pk).count() == 1
    assert not ProbeEffect.objects.filter(action_id=later.pk).exists()
    assert services.run_due(worker="w", now=T0 + dt.timedelta(minutes=5)) == 1
    done = DueAction.objects.get(pk=due.pk)
    assert (done.outcome, done.attempt) == ("fired", 1)


def test_cancelled_rows_never_run(db, frozen):
    action = probe(T0)
    assert services.cancel(subject="x", kind=services.PROBE) == 1
    assert services.run_due(worker="w", now=T0) == 0
    assert DueAction.objects.get(pk=action.pk).outcome == "cancelled"
    assert not ProbeEffect.objects.exists()


def test_a_failing_handler_is_retried_later_then_given_up(db, frozen):
    calls = []

    @services.handler("test.flaky")
    def flaky(action):
        calls.append(action.pk)
        raise RuntimeError("gateway down")

    action = services.schedule(kind="test.flaky", subject="f", due_at=T0)
    services.run_due(worker="w", now=T0)
    row = DueAction.objects.get(pk=action.pk)
    assert row.done_at is None
    assert "gateway down" in row.error
    assert row.due_at == T0 + dt.timedelta(seconds=30)  # backed off, not retried in a loop
    moment = T0
    for _ in range(services.MAX_ATTEMPTS):
        moment += dt.timedelta(hours=1)
        services.run_due(worker="w", now=moment)
    row.refresh_from_db()
    assert (row.outcome, row.attempt) == ("failed", services.MAX_ATTEMPTS)
    # Each attempt runs it twice: in the batch (rolled back), then on its own.
    assert len(calls) == 2 * services.MAX_ATTEMPTS


def test_expired_claim_is_retaken_live_claim_is_not(db, frozen):
    action = probe(T0)
    # A worker claimed the row, then died before finishing it.
    DueAction.objects.filter(pk=action.pk).update(
        claimed_by="dead", claimed_until=T0 + dt.timedelta(minutes=2), attempt=1
    )
    assert services.run_due(worker="alive", now=T0 + dt.timedelta(minutes=1)) == 0
    assert services.run_due(worker="alive", now=T0 + dt.timedelta(minutes=3)) == 1
    row = DueAction.objects.get(pk=action.pk)
    assert (row.claimed_by, row.attempt) == ("alive", 2)
    assert ProbeEffect.objects.get().worker == "alive"


def test_a_row_retaken_by_another_worker_is_not_finished_by_the_first(db, frozen):
    action = probe(T0)
    ids = services.claiming.claim(
        DueAction,
        ready=services.Q(done_at__isnull=True, due_at__lte=T0),
        order_by="due_at",
        worker="slow",
        now=T0,
        batch=10,
        lease=dt.timedelta(seconds=1),
    )
    assert ids == [action.pk]
    later = T0 + dt.timedelta(seconds=5)
    assert services.run_due(worker="fast", now=later) == 1
    # The slow worker comes back: the row is no longer its own.
    assert list(services.claiming.locked_claims(DueAction, ids, "slow")) == []
    assert ProbeEffect.objects.count() == 1


def test_probe_command_reports(db, frozen, capsys):
    from django.core.management import call_command

    call_command("timers_probe", "--schedule", "3")
    services.run_due(worker="w", now=T0)
    call_command("timers_probe", "--report")
    assert "done=3 pending=0 repeated=0" in capsys.readouterr().out
