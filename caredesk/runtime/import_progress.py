"""How far the worker is through an import, told while the import's own transaction is open.

An import is one transaction (all or nothing), so what it writes — the progress column of its
ImportRun too — stays invisible to the page until the end. The count therefore leaves by
another way: on PostgreSQL an UPDATE through a second connection of its own (autocommit), which
also moves the claim's lease on; on SQLite, where that transaction holds the database's only
write lock, a small file beside the database (SQLite means one machine: web and worker share
its disk). The page reads whichever applies; the final count is written with the run's result.
"""

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path

from django.db import connection, connections

from caredesk import clock

from .models import ImportRun

EVERY = 200  # rows between two reports: a few hundred statements for the largest file


def _file_of(run_id: int) -> Path:
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db():
        name += f":{os.getpid()}"  # a memory database lives in one process only
    key = hashlib.sha256(name.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"caredesk-import-{key}-{run_id}.rows"


def rows_done(run: ImportRun) -> int:
    """The rows the worker has gone through so far (the row's count once it is finished)."""
    if run.finished or connection.vendor != "sqlite":
        return run.rows_done
    try:
        return max(run.rows_done, int(_file_of(run.pk).read_text() or 0))
    except (OSError, ValueError):
        return run.rows_done


class Meter:
    """Counts the rows of one run and reports them every EVERY rows."""

    def __init__(self, run_id: int, worker: str, lease: dt.timedelta):
        self.run_id, self.worker, self.lease = run_id, worker, lease
        self.done = self.sent = 0
        self._side = None

    def total(self, estimate: int | None) -> None:
        # Called before the import's transaction opens: an ordinary write.
        ImportRun.objects.filter(pk=self.run_id, claimed_by=self.worker).update(rows_total=estimate)

    def add(self, rows: int) -> None:
        self.done += rows
        if self.done - self.sent >= EVERY:
            self._send()

    def _send(self) -> None:
        self.sent = self.done
        if connection.vendor == "sqlite":
            path = _file_of(self.run_id)
            partial = path.with_suffix(".partial")
            partial.write_text(str(self.done))
            partial.replace(path)  # a reader never sees half a number
            return
        if self._side is None:
            self._side = connections.create_connection("default")
        table = connection.ops.quote_name(ImportRun._meta.db_table)
        with self._side.cursor() as cur:
            cur.execute(
                f"UPDATE {table} SET rows_done = %s, claimed_until = %s "
                "WHERE id = %s AND claimed_by = %s",
                [self.done, clock.now() + self.lease, self.run_id, self.worker],
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
        if connection.vendor == "sqlite":
            _file_of(self.run_id).unlink(missing_ok=True)
