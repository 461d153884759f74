"""The one clock every service reads. Tests move it with `frozen_at()`; nothing sleeps.

Crash and outage runs (scripts/chaos.py) move the clock of whole processes — the worker they
kill and restart, and themselves — without freezing it: with CAREDESK_CLOCK_OFFSET_FILE set,
now() is the wall clock plus the seconds written in that file, re-read when the file changes
(checked at most every 50 ms). So ten minutes of a receiver outage, retry backoffs and lease
expiries pass in seconds, through the same code that waits for them in production. Unset
(always, outside those runs) the clock is the wall clock."""

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator

_fixed: dt.datetime | None = None

_OFFSET_FILE = os.environ.get("CAREDESK_CLOCK_OFFSET_FILE") or None
_offset = dt.timedelta(0)
_offset_seen: tuple[float, int | None] = (float("-inf"), None)  # (checked at, file mtime)


def _offset_now() -> dt.timedelta:
    global _offset, _offset_seen
    checked, mtime = _offset_seen
    tick = time.monotonic()
    if tick - checked < 0.05:
        return _offset
    try:
        stat = os.stat(_OFFSET_FILE)
        if stat.st_mtime_ns != mtime:
            with open(_OFFSET_FILE) as f:
                _offset = dt.timedelta(seconds=float(f.read().strip() or 0))
            mtime = stat.st_mtime_ns
    except (OSError, ValueError):
        pass  # a file being rewritten or gone: keep the last offset read
    _offset_seen = (tick, mtime)
    return _offset


def now() -> dt.datetime:
    """The current time, aware and in UTC."""
    if _fixed is not None:
        return _fixed
    if _OFFSET_FILE is None:
        return dt.datetime.now(dt.UTC)
    return dt.datetime.now(dt.UTC) + _offset_now()


def set_offset(seconds: float) -> None:
    """Move the clock of every process reading CAREDESK_CLOCK_OFFSET_FILE (crash runs only)."""
    global _offset_seen
    if _OFFSET_FILE is None:
        raise RuntimeError("set_offset needs CAREDESK_CLOCK_OFFSET_FILE")
    temporary = f"{_OFFSET_FILE}.tmp"
    with open(temporary, "w") as f:
        f.write(repr(float(seconds)))
    os.replace(temporary, _OFFSET_FILE)  # readers see the old offset or the new, never half
    _offset_seen = (float("-inf"), None)  # this process reads it on its next now()


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Make now() answer `moment` inside the block (tests only)."""
    global _fixed
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _fixed = _fixed, moment.astimezone(dt.UTC)
    try:
        yield
    finally:
        _fixed = previous
