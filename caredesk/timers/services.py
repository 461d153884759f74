"""Scheduling, cancelling and firing durable timers.

Handlers are registered per `kind` by the apps above (escalation, ...). `run_due` claims due
rows, and in one transaction per batch calls each handler and marks its row done — so a
worker killed mid-batch leaves nothing half-done: its claim expires and another worker redoes
the whole batch, and a row already done is never done again.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q

from caredesk import claiming, clock

from .models import DueAction, ProbeEffect

log = logging.getLogger(__name__)

# A handler acts on a due row and says what happened: "fired", or "skipped" when the
# condition it re-checks no longer holds.
Handler = Callable[[DueAction], str]
_handlers: dict[str, Handler] = {}
MAX_ATTEMPTS = 5


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _handlers[kind] = fn
        return fn

    return register


def schedule(*, kind: str, subject: str | int, due_at: dt.datetime, payload=None) -> DueAction:
    """Queue an action; call inside the transaction of the change that makes it due."""
    return DueAction.objects.create(
        kind=kind, subject=str(subject), due_at=due_at, payload=payload or {}
    )


def cancel(*, subject: str | int, kind: str | None = None, kind_prefix: str = "") -> int:
    """Mark pending actions of a subject done without running them. Returns how many."""
    qs = DueAction.objects.filter(subject=str(subject), done_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    elif kind_prefix:
        qs = qs.filter(kind__startswith=kind_prefix)
    return qs.update(done_at=clock.now(), outcome="cancelled", claimed_until=None)


def pending(*, subject: str | int, kind_prefix: str = "") -> list[DueAction]:
    qs = DueAction.objects.filter(
        subject=str(subject), done_at__isnull=True, kind__startswith=kind_prefix
    )
    return list(qs.order_by("due_at", "pk"))


def run_due(
    *,
    worker: str,
    now: dt.datetime | None = None,
    batch: int = 500,
    lease: dt.timedelta = dt.timedelta(minutes=2),
) -> int:
    """Claim and perform due actions. Returns how many rows were finished."""
    now = now or clock.now()
    ids = claiming.claim(
        DueAction,
        ready=Q(done_at__isnull=True, due_at__lte=now),
        order_by="due_at",
        worker=worker,
        now=now,
        batch=batch,
        lease=lease,
    )
    if not ids:
        return 0
    finished = []
    with transaction.atomic():
        rows = list(claiming.locked_claims(DueAction, ids, worker).filter(done_at__isnull=True))
        for row in rows:
            fn = _handlers.get(row.kind)
            try:
                with transaction.atomic():  # a savepoint: one failing step spoils only itself
                    row.outcome = fn(row) if fn else "no_handler"
                row.done_at = now
            except Exception as exc:
                log.exception("timer %s failed", row.pk)
                row.error = f"{type(exc).__name__}: {exc}"[:2000]
                if row.attempt >= MAX_ATTEMPTS:
                    row.done_at, row.outcome = now, "failed"
                else:  # try again later, not in a tight loop
                    row.due_at = now + dt.timedelta(seconds=30 * 2 ** (row.attempt - 1))
            row.claimed_until = None
            finished.append(row)
        DueAction.objects.bulk_update(
            finished, ["outcome", "done_at", "error", "claimed_until", "due_at"]
        )
    return sum(1 for r in finished if r.done_at)


def pending_for_subjects(*, kind: str, subjects: list[str]) -> list[DueAction]:
    """Pending actions of one kind for several subjects, soonest first."""
    if not subjects:
        return []
    qs = DueAction.objects.filter(kind=kind, subject__in=subjects, done_at__isnull=True)
    return list(qs.order_by("due_at", "pk"))


PROBE = "timers.probe"


@handler(PROBE)
def run_probe(action: DueAction) -> str:
    ProbeEffect.objects.create(action_id=action.pk, worker=action.claimed_by, at=clock.now())
    return "fired"
