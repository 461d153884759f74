"""The one clock every service reads. Tests move it with `frozen_at()`; nothing sleeps."""

import contextlib
import datetime as dt
from collections.abc import Iterator

_fixed: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, aware and in UTC."""
    return _fixed if _fixed is not None else dt.datetime.now(dt.UTC)


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
