"""Real `manage.py worker` processes against PostgreSQL: many workers share the due timers
without doing any twice, and a worker killed mid-batch loses and repeats nothing.

(SQLite runs one worker by design, and the test database there lives in memory, out of reach
of other processes; its claiming is covered in test_timers.py.)
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from caredesk import clock
from caredesk.timers.models import DueAction, ProbeEffect
from caredesk.timers.services import PROBE

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="worker processes need PostgreSQL"
    ),
]
MANAGE = Path(settings.BASE_DIR) / "manage.py"
DEADLINE = 120  # seconds: every wait below is bounded by this


def schedule_probes(n: int) -> None:
    now = clock.now()
    DueAction.objects.bulk_create(
        [DueAction(kind=PROBE, subject=f"p{i}", due_at=now) for i in range(n)], batch_size=5000
    )


def worker(name: str, *extra: str) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "caredesk.settings"}
    return subprocess.Popen(
        [sys.executable, str(MANAGE), "worker", "--name", name, "--idle", "0.2", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until(predicate, what: str, procs=()) -> None:
    """Poll until `predicate()`; fail at the deadline, or at once if a worker died."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if predicate():
            return
        for p in procs:
            if p.poll() is not None:
                pytest.fail(f"worker exited ({p.returncode}) before {what}:\n{p.stdout.read()}")
        time.sleep(0.1)
    logs = []
    for p in procs:
        p.terminate()
        logs.append(p.communicate(timeout=30)[0][-2000:])
    pending = DueAction.objects.filter(done_at__isnull=True).count()
    pytest.fail(f"timed out waiting for {what} ({pending} pending); worker output: {logs}")


def stop(procs) -> list[str]:
    outputs = []
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            out, _ = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
        outputs.append(out)
    return outputs


def assert_each_done_once(n: int) -> None:
    assert DueAction.objects.filter(kind=PROBE, done_at__isnull=True).count() == 0
    assert ProbeEffect.objects.count() == n
    repeated = ProbeEffect.objects.values("action_id").annotate(c=Count("id")).filter(c__gt=1)
    assert not repeated.exists()


def test_three_workers_drain_ten_thousand_timers_each_exactly_once():
    n = 10_000
    schedule_probes(n)
    procs = [worker(f"w{i}", "--batch", "200") for i in range(3)]
    try:
        wait_until(lambda: ProbeEffect.objects.count() >= n, "the timers to drain", procs)
    finally:
        outputs = stop(procs)
    assert_each_done_once(n)
    by_worker = dict(ProbeEffect.objects.values_list("worker").annotate(c=Count("id")))
    assert set(by_worker) <= {"w0", "w1", "w2"}
    assert len(by_worker) >= 2, by_worker  # the work was shared
    # SIGTERM ends each worker cleanly after its batch.
    assert all(p.returncode == 0 for p in procs), outputs
    assert all("stopped" in out for out in outputs)


def open_unacknowledged_p1s(count: int) -> None:
    """P1 tickets opened two hours ago and never acknowledged: their whole chain is due."""
    import datetime as dt

    from caredesk.conftest import build_cast
    from caredesk.escalation import demo
    from caredesk.tickets import services

    cast = build_cast()
    demo.setup(cast.world)
    with clock.frozen_at(clock.now() - dt.timedelta(hours=2)):
        for i in range(count):
            services.open_ticket(
                actor=cast.y,
                customer_org=cast.orgs.lakeside,
                product=cast.products.core,
                region=cast.regions.lakeside,
                severity="P1",
                channel="portal",
                title=f"server down {i}",
                customer_voice="down",
            )


def test_worker_killed_mid_batch_loses_and_repeats_nothing():
    from caredesk.tickets.models import EntryKind, TimelineEntry

    open_unacknowledged_p1s(40)
    cutoff = clock.now()
    due = DueAction.objects.filter(done_at__isnull=True, due_at__lte=cutoff)
    total = due.count()
    escalations = TimelineEntry.objects.filter(kind=EntryKind.ESCALATED)
    # Real escalation steps take milliseconds each: a batch of 100 is in flight for a while.
    victim = worker("victim", "--batch", "100", "--lease", "3")
    try:
        wait_until(lambda: escalations.exists(), "the first batch", [victim])
        # Kill it while it holds a claim, i.e. in the middle of a batch.
        wait_until(lambda: due.filter(claimed_by="victim").exists(), "a second claim", [victim])
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        if victim.poll() is None:
            victim.kill()
        victim.communicate()
    left = due.count()
    assert 0 < left < total  # it died with work left
    assert due.filter(claimed_by="victim").exists()  # its last batch: claimed, rolled back
    rescuer = worker("rescuer", "--batch", "100", "--lease", "3")
    try:
        wait_until(lambda: not due.exists(), "the rescue", [rescuer])
    finally:
        stop([rescuer])
    steps = list(escalations.values_list("data__run", "data__step"))
    assert len(steps) == len(set(steps))  # no step recorded twice
    fired = DueAction.objects.filter(kind="escalation.step", outcome="fired").count()
    assert len(steps) == fired  # and none lost: one timeline entry per fired timer
    # Two hours late, every P1 chain caught up: its top step fired (the not-acknowledged
    # ladder's sixth, the clock chain's acknowledge breach), the five below were caught up.
    assert fired == 40 * 2
    caught_up = DueAction.objects.filter(kind="escalation.step", outcome="caught_up").count()
    assert caught_up == 40 * 5


def test_workers_back_from_an_outage_catch_up_each_chain_once():
    """Three workers start at once on P1 chains two hours overdue, their batches splitting
    tickets' steps between them: still one step fired per chain, one message per person."""
    from caredesk.notify.models import Message
    from caredesk.tickets.models import EntryKind, TimelineEntry

    open_unacknowledged_p1s(30)
    due = DueAction.objects.filter(done_at__isnull=True, due_at__lte=clock.now())
    procs = [worker(f"w{i}", "--batch", "7", "--lease", "30") for i in range(3)]
    try:
        wait_until(lambda: not due.exists(), "the catch-up", procs)
    finally:
        outputs = stop(procs)
    assert all(p.returncode == 0 for p in procs), outputs
    per_ticket = (
        TimelineEntry.objects.filter(kind=EntryKind.ESCALATED)
        .values("ticket_id")
        .annotate(n=Count("id"))
    )
    assert sorted({row["n"] for row in per_ticket}) == [2]  # one step per chain, two chains
    steps = DueAction.objects.filter(kind="escalation.step", done_at__isnull=False)
    assert steps.filter(outcome="fired").count() == 30 * 2
    assert steps.filter(outcome="caught_up").count() == 30 * 5
    repeated = (
        Message.objects.filter(template="escalation")
        .values("topic", "recipient_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not repeated.exists()
    assert Message.objects.filter(template="escalation").count() == 30 * 6
