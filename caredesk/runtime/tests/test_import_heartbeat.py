"""A long import holds its worker for minutes inside one transaction; /readyz must still see
the worker alive, read from another connection as the web process reads it."""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client

from caredesk import clock
from caredesk.runtime import heartbeat, import_runs, observe
from caredesk.runtime.heartbeat import Heart
from caredesk.runtime.imports import kinds
from caredesk.runtime.models import ImportRun, ImportStatus, WorkerBeat
from caredesk.runtime.tests.test_observability import scrape

ROWS = 120
STEP = dt.timedelta(seconds=2)  # per row: the import lasts four minutes of the clock


def _from_elsewhere() -> dict[str, bool]:
    """The readiness checks as another process sees them: a thread has its own connection."""
    seen = {}

    def look():
        try:
            seen.update({c.name: c.ok for c in observe.readiness()})
        finally:
            connection.close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_long_import_leaves_readyz_ready_while_its_transaction_is_open(
    cast, monkeypatch, settings
):
    settings.READY_HEARTBEAT_MAX_AGE = 60
    content = "code,name\n" + "".join(f"p{i},产品{i}\n" for i in range(ROWS))
    seen: list[tuple[int, bool]] = []
    original = kinds.Products.apply

    with contextlib.ExitStack() as moves:
        moves.enter_context(clock.frozen_at(clock.now()))
        Heart("test-worker").tick(force=True)
        run = import_runs.upload_import(
            actor=cast.admin,
            kind="products",
            file_name="products.csv",
            content=content.encode("gb18030"),
            mapping_lines=[],
        )
        assert import_runs.work_imports(worker="test-worker") == 1  # the check
        import_runs.confirm_import(actor=cast.admin, run=run, skip_bad_rows=False)

        def slow(self, row):
            moves.enter_context(clock.frozen_at(clock.now() + STEP))
            done = int(row["code"][1:])
            if done % 40 == 39:  # 80, 160 and 240 s into the import
                seen.append((done, _from_elsewhere()["worker"]))
            return original(self, row)

        monkeypatch.setattr(kinds.Products, "apply", slow)
        start = clock.now()
        assert import_runs.work_imports(worker="test-worker") == 1
        assert clock.now() - start == ROWS * STEP
        assert seen == [(39, True), (79, True), (119, True)]

        run.refresh_from_db()
        assert (run.status, run.created) == (ImportStatus.DONE, ROWS)
        # Over: the last beat is in the row (no side file left), fresh without another pass ...
        assert heartbeat.freshest() <= dt.timedelta(seconds=heartbeat.EVERY)
        assert Client().get("/readyz").status_code == 200
        if connection.vendor == "sqlite":
            assert not heartbeat._side_file("test-worker").exists()
        # ... and it ages like any other once the worker stops beating.
        moves.enter_context(clock.frozen_at(clock.now() + dt.timedelta(seconds=90)))
        assert _from_elsewhere()["worker"] is False
    assert ImportRun.objects.filter(pk=run.pk, status=ImportStatus.DONE).exists()


@pytest.mark.django_db(transaction=True)
def test_without_the_pulse_the_same_import_reads_as_a_dead_worker(cast, monkeypatch, settings):
    """The control: what /readyz said before the worker beat during imports."""
    settings.READY_HEARTBEAT_MAX_AGE = 60
    monkeypatch.setattr(heartbeat.Pulse, "__call__", lambda self, *_: None)
    content = "code,name\n" + "".join(f"p{i},产品{i}\n" for i in range(40))
    seen = []
    original = kinds.Products.apply
    with contextlib.ExitStack() as moves:
        moves.enter_context(clock.frozen_at(clock.now()))
        Heart("test-worker").tick(force=True)
        import_runs.upload_import(
            actor=cast.admin,
            kind="products",
            file_name="products.csv",
            content=content.encode(),
            mapping_lines=[],
        )

        def slow(self, row):
            moves.enter_context(clock.frozen_at(clock.now() + STEP))
            if row["code"] == "p39":
                seen.append(_from_elsewhere()["worker"])
            return original(self, row)

        monkeypatch.setattr(kinds.Products, "apply", slow)
        import_runs.work_imports(worker="test-worker")
    assert seen == [False]


@pytest.mark.django_db(transaction=True)
def test_the_metrics_count_a_beat_from_inside_an_import(cast):
    start = clock.now()
    with clock.frozen_at(start):
        Heart("w1").tick(force=True)
    later = start + dt.timedelta(seconds=100)
    with clock.frozen_at(later):
        pulse = heartbeat.Pulse("w1")
        pulse()  # what the import's progress does, a hundred seconds into the import
        figures = scrape()
        pulse.close()
    assert figures[("caredesk_worker_heartbeat_age_seconds", (("worker", "w1"),))] == 0
    assert figures[("caredesk_workers_alive", ())] == 1


def test_a_stopped_worker_is_not_revived_by_a_side_beat_left_behind(cast):
    pulse = heartbeat.Pulse("w1")
    Heart("w1").tick(force=True)
    pulse()
    Heart("w1").stop()
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=10)):
        pulse()  # after the goodbye: a side file on SQLite, an UPDATE of nothing on PostgreSQL
        assert pulse.beats == 2 or connection.vendor != "sqlite"
        assert heartbeat.freshest() is None
    assert WorkerBeat.objects.get(name="w1").stopped_at is not None
    pulse.close()
