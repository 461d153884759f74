"""Writing and reading the workers' heartbeats (models.WorkerBeat).

A worker beats after each pass (Heart). One pass can last minutes: an import is a single
transaction (all or nothing) over the whole file, and the worker is inside it until the last
row. Inside that transaction a beat would be worthless — on PostgreSQL an UPDATE there stays
invisible to /readyz until the commit; on SQLite the transaction holds the database's only write
lock, so a second connection cannot write at all. So during such work the worker beats out of
band (Pulse), by the way each database allows:

- PostgreSQL: an UPDATE of the worker's row through a second connection of its own, in
  autocommit: committed at once, seen by every web process.
- SQLite: a small file beside the database file (web and worker necessarily share that folder:
  SQLite keeps its -wal file there), which freshest() reads beside the table. When the work ends
  the time is written into the row and the file removed.

Both are true statements of life: a worker that dies or hangs mid-import stops writing them and
turns stale like any other. The import's transaction is not touched.
"""

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from django.db import DatabaseError, connection, connections

from caredesk import clock

from .models import WorkerBeat

# A worker writes its row at most this often (seconds): cheap beside a pass, fresh enough for
# a readiness probe that allows a minute.
EVERY = 5.0


class Heart:
    """The heartbeat of one worker process: `tick()` after each pass writes the row when the
    last write is older than EVERY seconds (or `force`)."""

    def __init__(self, name: str):
        self.name = name
        self.started_at = clock.now()
        self.passes = 0
        self.done = 0
        self._written = float("-inf")

    def tick(self, done: int = 0, *, force: bool = False) -> None:
        self.passes += 1
        self.done += done
        if not force and time.monotonic() - self._written < EVERY:
            return
        try:
            WorkerBeat.objects.update_or_create(
                name=self.name,
                defaults={
                    "started_at": self.started_at,
                    "beat_at": clock.now(),
                    "passes": self.passes,
                    "done": self.done,
                    "stopped_at": None,
                },
            )
        except DatabaseError:
            # The database away for a moment: the next pass fails loudly anyway; a heartbeat
            # that cannot be written is what readiness reports.
            return
        self._written = time.monotonic()

    def stop(self) -> None:
        WorkerBeat.objects.filter(name=self.name).update(stopped_at=clock.now())
        if connection.vendor == "sqlite":
            _side_file(self.name).unlink(missing_ok=True)


class Pulse:
    """The beat of worker `name` while a long transaction holds it (see the module's
    docstring). Call it as often as convenient (an import's progress callback, per row); it
    writes at most every EVERY seconds of the clock. `close()` once the transaction is over."""

    def __init__(self, name: str):
        self.name = name
        self.beats = 0
        self._last: dt.datetime | None = None
        self._side = None

    def __call__(self, *_ignored) -> None:
        now = clock.now()
        if self._last is not None and (now - self._last).total_seconds() < EVERY:
            return
        self._last = now
        try:
            if connection.vendor == "sqlite":
                _write_side_file(self.name, now)
            else:
                self._update_elsewhere(now)
        except (DatabaseError, OSError):
            return  # not written: readiness says so as the beat ages
        self.beats += 1

    def _update_elsewhere(self, now: dt.datetime) -> None:
        if self._side is None:
            self._side = connections.create_connection("default")
        table = connection.ops.quote_name(WorkerBeat._meta.db_table)
        with self._side.cursor() as cur:
            # UPDATE only: a row this worker has not committed yet is not the side's to create.
            cur.execute(
                f"UPDATE {table} SET beat_at = %s WHERE name = %s AND stopped_at IS NULL",
                [now, self.name],
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
        if connection.vendor == "sqlite" and self.beats:
            # The write lock is free again: the row takes the beat, the file goes.
            with contextlib.suppress(DatabaseError):
                WorkerBeat.objects.filter(name=self.name, stopped_at__isnull=True).update(
                    beat_at=clock.now()
                )
            _side_file(self.name).unlink(missing_ok=True)


# ------------------------------------------------------------------ SQLite's side files
def _side_folder() -> tuple[Path, str]:
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db():
        # A memory database lives in one process only (tests): a private name in the temp dir.
        key = hashlib.sha256(f"{name}:{os.getpid()}".encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()), f"caredesk-{key}"
    path = Path(name)
    return path.parent, f".{path.name}"


def _side_file(worker: str) -> Path:
    folder, prefix = _side_folder()
    return folder / f"{prefix}.beat-{hashlib.sha256(worker.encode()).hexdigest()[:16]}"


def _write_side_file(worker: str, moment: dt.datetime) -> None:
    path = _side_file(worker)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({"worker": worker, "beat_at": moment.isoformat()}))
    partial.replace(path)  # a reader sees the last beat or this one, never half


def _side_beats() -> dict[str, dt.datetime]:
    folder, prefix = _side_folder()
    beats = {}
    for path in folder.glob(f"{prefix}.beat-*"):
        if path.name.endswith(".partial"):
            continue
        try:
            given = json.loads(path.read_text())
            beats[given["worker"]] = dt.datetime.fromisoformat(given["beat_at"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # removed or damaged meanwhile: the row still speaks
    return beats


# ------------------------------------------------------------------ reading
def last_beats() -> dict[str, dt.datetime]:
    """The last beat of each worker still running, by name: its row, or on SQLite the side
    file of a worker inside a long transaction when that is later."""
    last = dict(WorkerBeat.objects.filter(stopped_at__isnull=True).values_list("name", "beat_at"))
    if connection.vendor == "sqlite" and last:
        for worker, moment in _side_beats().items():
            if worker in last and moment > last[worker]:
                last[worker] = moment
    return last


def freshest(now: dt.datetime | None = None) -> dt.timedelta | None:
    """Age of the most recent heartbeat of a worker still running, or None if there is none."""
    now = now or clock.now()
    last = last_beats()
    return now - max(last.values()) if last else None
