"""Writing and reading the workers' heartbeats (models.WorkerBeat)."""

import datetime as dt
import time

from django.db import DatabaseError

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


def freshest(now: dt.datetime | None = None) -> dt.timedelta | None:
    """Age of the most recent heartbeat of a worker still running, or None if there is none."""
    now = now or clock.now()
    last = (
        WorkerBeat.objects.filter(stopped_at__isnull=True)
        .order_by("-beat_at")
        .values_list("beat_at", flat=True)
        .first()
    )
    return None if last is None else now - last
