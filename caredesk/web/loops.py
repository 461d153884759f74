"""The worker's loops, in the order one pass runs them. Each takes (worker, batch, lease) and
returns how many rows it finished; the worker sleeps only when a whole pass finished nothing."""

import datetime as dt

from caredesk.notify.delivery import deliver_due
from caredesk.timers.services import run_due


def fire_timers(*, worker: str, batch: int, lease: dt.timedelta) -> int:
    return run_due(worker=worker, batch=batch, lease=lease)


def deliver_messages(*, worker: str, batch: int, lease: dt.timedelta) -> int:
    return deliver_due(worker=worker, batch=batch, lease=lease)


LOOPS = [fire_timers, deliver_messages]
