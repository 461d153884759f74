"""The worker's loops, in the order one pass runs them. Each takes (worker, batch, lease) and
returns how many rows it finished; the worker sleeps only when a whole pass finished nothing."""

import datetime as dt

from caredesk.audit.sealing import seal_and_checkpoint
from caredesk.notify.delivery import deliver_due
from caredesk.timers.services import run_due


def fire_timers(*, worker: str, batch: int, lease: dt.timedelta) -> int:
    return run_due(worker=worker, batch=batch, lease=lease)


def deliver_messages(*, worker: str, batch: int, lease: dt.timedelta) -> int:
    return deliver_due(worker=worker, batch=batch, lease=lease)


def seal_audit(*, worker: str, batch: int, lease: dt.timedelta) -> int:
    # Last, so the records the other loops just wrote are sealed in the same pass.
    return seal_and_checkpoint(batch=batch)


LOOPS = [fire_timers, deliver_messages, seal_audit]
