"""Domain events: how the core tells the floors above it what happened, without importing them.

Ticket verbs publish an event after they change state; apps above the core (escalation, ...)
subscribe in their AppConfig.ready(). Subscribers run synchronously inside the publishing
verb's transaction, so whatever they write (timers, outbox rows) commits or rolls back with
the change itself. A subscriber must not do I/O: effects leave after commit, via the worker.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction


@dataclass(frozen=True)
class Event:
    kind: str  # e.g. "ticket.opened", "ticket.acknowledged", "handoff.proposed"
    ticket_id: int
    actor_id: int | None
    at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)
    # The ticket as the verb left it (saved), so subscribers need not read it again.
    ticket: Any = field(default=None, compare=False, repr=False)
    actor: Any = field(default=None, compare=False, repr=False)  # the Person, when known


Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []


def subscribe(fn: Subscriber) -> Subscriber:
    """Register `fn` for every event (use as a decorator). Idempotent per function."""
    if fn not in _subscribers:
        _subscribers.append(fn)
    return fn


def publish(event: Event) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events.publish() must run inside the change's transaction")
    for fn in list(_subscribers):
        fn(event)
