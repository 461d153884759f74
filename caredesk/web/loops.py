"""The worker's loops, in the order one pass runs them. Each takes (worker, batch) and returns
how many rows it finished; the worker sleeps only when a whole pass finished nothing."""

from caredesk.timers.services import run_due


def fire_timers(*, worker: str, batch: int) -> int:
    return run_due(worker=worker, batch=batch)


LOOPS = [fire_timers]
