"""Scheduling, cancelling and firing durable timers.

Handlers are registered per `kind` by the apps above (escalation, ...). `run_due` claims due
rows, and in one transaction per batch calls each handler and marks its row done — so a
worker killed mid-batch leaves nothing half-done: its claim expires and another worker redoes
the whole batch, and a row already done is never done again.
"""

import contextlib
import datetime as dt
import logging
from collections.abc import Callable

import structlog
from django.db import connection, transaction
from django.db.models import Q

from caredesk import claiming, clock, tracing

from .models import DueAction, ProbeEffect

log = logging.getLogger(__name__)
# One line per finished row at INFO, under the request id of what scheduled it.
events = structlog.get_logger("caredesk.timers")

# A handler acts on a due row and says what happened: "fired", or "skipped" when the
# condition it re-checks no longer holds.
Handler = Callable[[DueAction], str]
_handlers: dict[str, Handler] = {}
# A batch handler takes all due rows of its kind in a batch and returns their outcomes, for
# kinds whose effect is cheaper written in bulk.
BatchHandler = Callable[[list[DueAction]], list[str]]
_batch_handlers: dict[str, BatchHandler] = {}
MAX_ATTEMPTS = 5


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _handlers[kind] = fn
        return fn

    return register


def batch_handler(kind: str) -> Callable[[BatchHandler], BatchHandler]:
    def register(fn: BatchHandler) -> BatchHandler:
        _batch_handlers[kind] = fn
        return fn

    return register


def traced_as(actions) -> contextlib.AbstractContextManager[None]:
    """For a batch handler: the work it does for some of its rows (one ticket's, say) under the
    request id of the first of them that has one, as a row handled alone runs under its own."""
    return tracing.bound(next((a.request_id for a in actions if a.request_id), ""))


def grouped(actions, owner_of: dict[int, int]) -> dict[int, list[DueAction]]:
    """A batch's rows by the owner of their subject (a run's or a clock's ticket, say), read in
    one pass; rows whose subject has no owner are left out."""
    groups: dict[int, list[DueAction]] = {}
    for a in actions:
        owner = owner_of.get(int(a.subject)) if a.subject.isdigit() else None
        if owner is not None:
            groups.setdefault(owner, []).append(a)
    return groups


def schedule(*, kind: str, subject: str | int, due_at: dt.datetime, payload=None) -> DueAction:
    """Queue an action; call inside the transaction of the change that makes it due."""
    return DueAction.objects.create(
        kind=kind,
        subject=str(subject),
        due_at=due_at,
        payload=payload or {},
        request_id=tracing.current(),
    )


def cancel(*, subject: str | int, kind: str | None = None, kind_prefix: str = "") -> int:
    """Mark pending actions of a subject done without running them. Returns how many."""
    qs = DueAction.objects.filter(subject=str(subject), done_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    elif kind_prefix:
        qs = qs.filter(kind__startswith=kind_prefix)
    return qs.update(done_at=clock.now(), outcome="cancelled", claimed_until=None)


def settle(outcomes: dict[int, str], *, now: dt.datetime | None = None) -> None:
    """Mark pending actions done with these outcomes, by id: a handler that decided other due
    actions together with its own (call inside the handler's transaction).

    Rows another worker's batch holds locked are left alone — waiting for them could deadlock
    against that batch — and that worker's handler finds them decided."""
    now = now or clock.now()
    free = DueAction.objects.filter(pk__in=list(outcomes), done_at__isnull=True)
    if connection.vendor == "postgresql":
        free = free.select_for_update(skip_locked=True)
    by_outcome: dict[str, list[int]] = {}
    for pk in free.values_list("pk", flat=True):
        by_outcome.setdefault(outcomes[pk], []).append(pk)
    for outcome, pks in by_outcome.items():
        DueAction.objects.filter(pk__in=pks).update(
            done_at=now, outcome=outcome, claimed_until=None
        )


def settled_outcome(action: DueAction) -> str | None:
    """The outcome an action was settled with while it waited in a batch (see settle)."""
    row = DueAction.objects.filter(pk=action.pk).values_list("done_at", "outcome").first()
    return row[1] if row and row[0] is not None else None


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
    """Claim and perform due actions. Returns how many rows were finished.

    Handlers run inside the batch's transaction, and each row is marked done in the same
    transaction as its effects: a killed worker leaves the whole batch undone (its claim
    expires and another worker redoes it), never half of it, and never twice."""
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
    try:
        # Fast path: the whole batch in one transaction, no savepoint per row.
        return _perform(ids, worker, now, isolate=False)
    except Exception:
        log.warning("a timer failed in a batch of %d; redoing it row by row", len(ids))
    # Slow path, only after a failure: each row in its own savepoint, so one failing handler
    # spoils only itself and is retried later.
    return _perform(ids, worker, now, isolate=True)


def _perform(ids: list[int], worker: str, now: dt.datetime, *, isolate: bool) -> int:
    outcomes: dict[str, list[int]] = {}
    failed: list[DueAction] = []
    with transaction.atomic():
        rows = list(claiming.locked_claims(DueAction, ids, worker).filter(done_at__isnull=True))
        claimed = rows
        if not isolate:
            # Kinds in a fixed order, so two workers take their rows' locks in one order.
            for kind in sorted({r.kind for r in rows} & set(_batch_handlers)):
                mine = [r for r in rows if r.kind == kind]
                for row, outcome in zip(mine, _batch_handlers[kind](mine), strict=True):
                    outcomes.setdefault(outcome, []).append(row.pk)
            rows = [r for r in rows if r.kind not in _batch_handlers]
        for row in rows:
            fn = _handlers.get(row.kind) or _one_of_batch(row.kind)
            if not isolate:
                with tracing.bound(row.request_id):
                    outcomes.setdefault(fn(row) if fn else "no_handler", []).append(row.pk)
                continue
            try:
                with transaction.atomic(), tracing.bound(row.request_id):
                    outcome = fn(row) if fn else "no_handler"
                outcomes.setdefault(outcome, []).append(row.pk)
            except Exception as exc:
                log.exception("timer %s failed", row.pk)
                row.error = f"{type(exc).__name__}: {exc}"[:2000]
                failed.append(row)
        # One UPDATE per outcome: the batch's bookkeeping costs a few statements, not one per row.
        for outcome, pks in outcomes.items():
            DueAction.objects.filter(pk__in=pks).update(
                done_at=now, outcome=outcome, claimed_until=None, error=""
            )
        for row in failed:
            gave_up = row.attempt >= MAX_ATTEMPTS
            DueAction.objects.filter(pk=row.pk).update(
                error=row.error,
                claimed_until=None,
                done_at=now if gave_up else None,
                outcome="failed" if gave_up else "",
                # Try again later, not in a tight loop.
                due_at=row.due_at
                if gave_up
                else now + dt.timedelta(seconds=30 * 2 ** (row.attempt - 1)),
            )
    if log.isEnabledFor(logging.INFO):
        _log_done(claimed, outcomes, failed, worker)
    return sum(len(pks) for pks in outcomes.values()) + sum(
        1 for r in failed if r.attempt >= MAX_ATTEMPTS
    )


def _log_done(
    rows: list[DueAction], outcomes: dict[str, list[int]], failed: list[DueAction], worker: str
) -> None:
    outcome_of = {pk: outcome for outcome, pks in outcomes.items() for pk in pks}
    outcome_of.update({r.pk: "failed" for r in failed})
    for row in rows:
        with tracing.bound(row.request_id):
            events.info(
                "timer done",
                timer=row.pk,
                kind=row.kind,
                subject=row.subject,
                outcome=outcome_of.get(row.pk, ""),
                due_at=row.due_at.isoformat(),
                worker=worker,
            )


def pending_for_subjects(*, kind: str, subjects: list[str]) -> list[DueAction]:
    """Pending actions of one kind for several subjects, soonest first."""
    if not subjects:
        return []
    qs = DueAction.objects.filter(kind=kind, subject__in=subjects, done_at__isnull=True)
    return list(qs.order_by("due_at", "pk"))


PROBE = "timers.probe"


def _one_of_batch(kind: str) -> Handler | None:
    fn = _batch_handlers.get(kind)
    return (lambda row: fn([row])[0]) if fn else None


@batch_handler(PROBE)
def run_probes(actions: list[DueAction]) -> list[str]:
    now = clock.now()
    ProbeEffect.objects.bulk_create(
        [ProbeEffect(action_id=a.pk, worker=a.claimed_by, at=now) for a in actions]
    )
    return ["fired"] * len(actions)


# ---- masks: many actions queued in one statement (the expiry timers of a bulk of rules).
def schedule_many(actions: list[tuple[str, str | int, dt.datetime, dict | None]]) -> int:
    """Queue (kind, subject, due_at, payload) actions together; same transaction rule as
    `schedule`."""
    request_id = tracing.current()
    DueAction.objects.bulk_create(
        [
            DueAction(
                kind=kind,
                subject=str(subject),
                due_at=due_at,
                payload=payload or {},
                request_id=request_id,
            )
            for kind, subject, due_at, payload in actions
        ],
        batch_size=2000,
    )
    return len(actions)
