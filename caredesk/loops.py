"""The worker's loops, registered by the apps that own them (in their AppConfig.ready()) and
run by `manage.py worker` (caredesk.runtime) in order, one pass after another.

A loop takes (worker, batch, lease) and returns how many rows it finished; the worker sleeps
only when a whole pass finished nothing. A kernel module, so that apps of every floor can
register without importing the runtime above them.
"""

import datetime as dt
from collections.abc import Callable

Loop = Callable[..., int]
_loops: dict[str, tuple[int, Loop]] = {}


def register(name: str, loop: Loop, *, order: int) -> None:
    """Add (or replace) the loop `name`; lower `order` runs first in a pass."""
    _loops[name] = (order, loop)


def registered() -> list[tuple[str, Loop]]:
    return [(name, loop) for name, (_order, loop) in sorted(_loops.items(), key=lambda i: i[1][0])]


def run_pass(*, worker: str, batch: int, lease: dt.timedelta) -> int:
    """One pass over every loop; how many rows they finished in all."""
    return sum(loop(worker=worker, batch=batch, lease=lease) for _name, loop in registered())
