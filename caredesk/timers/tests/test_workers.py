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
    pytest.fail(f"timed out waiting for {what}")


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


def test_worker_killed_mid_batch_loses_and_repeats_nothing():
    n = 6_000
    schedule_probes(n)
    victim = worker("victim", "--batch", "1000", "--lease", "2")
    try:
        wait_until(lambda: ProbeEffect.objects.exists(), "the first batch", [victim])
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        if victim.poll() is None:
            victim.kill()
        victim.communicate()
    done_before = ProbeEffect.objects.count()
    assert done_before < n  # it died with work left, its last batch rolled back
    claimed = DueAction.objects.filter(done_at__isnull=True, claimed_by="victim").count()
    assert claimed > 0  # rows it had claimed wait for their lease to expire
    rescuer = worker("rescuer", "--batch", "1000", "--lease", "2")
    try:
        wait_until(lambda: ProbeEffect.objects.count() >= n, "the rescue", [rescuer])
    finally:
        stop([rescuer])
    assert_each_done_once(n)
    assert ProbeEffect.objects.filter(worker="rescuer").count() == n - done_before
