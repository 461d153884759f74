"""On PostgreSQL, with real concurrent transactions and a real `manage.py worker` process:
appends never wait for each other, a late-committing record is sealed rather than skipped,
and a sealer killed mid-batch loses nothing.

(SQLite runs one writer at a time by design, and its test database lives in memory, out of
reach of other processes; test_chain.py covers sealing there.)
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from caredesk.audit.checking import verify_audit
from caredesk.audit.models import AuditHead, AuditRecord
from caredesk.audit.services import record
from caredesk.directory.models import Product

from .conftest import seal_everything

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
DEADLINE = 60  # seconds: every wait below is bounded by this


@pytest.fixture
def product():
    return Product.objects.create(code="p", name="P")


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class HeldOpen(threading.Thread):
    """Appends one record in a transaction of its own thread and keeps it open until told."""

    def __init__(self, product):
        super().__init__()
        self.product, self.appended, self.release = product, threading.Event(), threading.Event()
        self.record_id: int | None = None

    def run(self):
        try:
            with transaction.atomic():
                self.record_id = record(actor=None, action="held.open", obj=self.product).pk
                self.appended.set()
                self.release.wait(DEADLINE)
        finally:
            connections.close_all()

    def __enter__(self):
        self.start()
        assert self.appended.wait(DEADLINE), "the first transaction never appended"
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.join(DEADLINE)


def test_two_open_transactions_append_without_waiting_for_each_other(product):
    with HeldOpen(product) as first:
        with transaction.atomic():
            # Any lock the first transaction holds that this append needed would end it here.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '3s'")
            second = record(actor=None, action="second", obj=product)
        assert AuditRecord.objects.filter(pk=second.pk).exists()
    assert set(AuditRecord.objects.values_list("pk", flat=True)) == {first.record_id, second.pk}


def test_a_record_committed_after_a_later_one_was_sealed_is_sealed_next(product):
    with HeldOpen(product) as early:
        with transaction.atomic():
            later = record(actor=None, action="later", obj=product)
        assert seal_everything() == 1  # the early record is not visible yet
    assert early.record_id < later.pk
    assert seal_everything() == 1
    assert AuditRecord.objects.get(pk=later.pk).seq == 1
    assert AuditRecord.objects.get(pk=early.record_id).seq == 2
    assert verify_audit().ok


def _wait_for(predicate, what: str, proc: subprocess.Popen | None = None):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        found = predicate()
        if found:
            return found
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the worker exited ({proc.returncode}) before {what}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def test_a_worker_killed_in_the_middle_of_sealing_loses_nothing(product):
    with transaction.atomic():
        ids = [record(actor=None, action=f"n{i}", obj=product).pk for i in range(300)]
    blocker = psycopg.connect(database_url())  # holds one row of the batch locked
    watcher = psycopg.connect(database_url(), autocommit=True)
    try:
        blocker.execute("SELECT 1 FROM audit_auditrecord WHERE id = %s FOR UPDATE", [ids[200]])
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "caredesk.settings",
            "CAREDESK_AUDIT_KEY": settings.AUDIT_KEY,
            "CAREDESK_AUDIT_CHECKPOINTS": settings.AUDIT_CHECKPOINTS,
        }
        worker = subprocess.Popen(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "worker", "--once"]
            + ["--batch", "500"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def stuck_sealer():  # the worker's backend, waiting on the locked row mid-batch
            row = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE \"audit_auditrecord\"%%'"
            ).fetchone()
            return row[0] if row else None

        backend = _wait_for(stuck_sealer, "the sealer to reach the locked row", worker)
        worker.send_signal(signal.SIGKILL)
        worker.wait(DEADLINE)
        # The server would notice the dead client on its own; ending its session now keeps
        # the test from waiting for that.
        watcher.execute("SELECT pg_terminate_backend(%s)", [backend])
        _wait_for(
            lambda: (
                not watcher.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]
                ).fetchone()
            ),
            "the killed sealer's session to end",
        )
    finally:
        blocker.rollback()
        blocker.close()
        watcher.close()
    assert not AuditRecord.objects.filter(seq__isnull=False).exists()
    assert not AuditHead.objects.filter(seq__gt=0).exists()
    assert seal_everything() == 300
    assert list(AuditRecord.objects.order_by("id").values_list("seq", flat=True)) == list(
        range(1, 301)
    )
    report = verify_audit()
    assert report.ok, report.problems
    assert report.sealed == 300
