"""Claiming due rows of a work table (timers, outbox) by many workers without double work.

A claim marks up to `batch` ready rows as taken by one worker until a lease expires. PostgreSQL
picks them with `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint rows;
SQLite runs one writer at a time (IMMEDIATE transactions), and the UPDATE repeats the readiness
condition so a row is never claimed twice. A worker that dies leaves its claim to expire; the
row is then ready again. Effects are recorded with the work row in one transaction (see
`locked_claims`), so a killed worker neither loses nor repeats a step.

Tables using this have: `claimed_by` (text), `claimed_until` (datetime, null), `attempt` (int).
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import F, Model, Q, QuerySet


def claimable(now: dt.datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def claim(
    model: type[Model],
    *,
    ready: Q,
    order_by: str,
    worker: str,
    now: dt.datetime,
    batch: int,
    lease: dt.timedelta,
) -> list[int]:
    """Claim up to `batch` rows matching `ready` (and not under a live claim). Returns ids."""
    condition = ready & claimable(now)
    with transaction.atomic():
        qs = model.objects.filter(condition).order_by(order_by)
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        ids = list(qs.values_list("pk", flat=True)[:batch])
        if ids:
            model.objects.filter(pk__in=ids).filter(condition).update(
                claimed_by=worker, claimed_until=now + lease, attempt=F("attempt") + 1
            )
    return ids


def locked_claims(model: type[Model], ids: list[int], worker: str) -> QuerySet:
    """Inside a transaction: the claimed rows still held by `worker`, locked for the update.

    A row whose lease expired and was retaken by another worker is no longer ours: skipped.
    This waits for row locks rather than skipping them: another worker's claim query may
    briefly lock a row it then finds already claimed (PostgreSQL keeps such locks until that
    short transaction ends), and skipping would strand the row until its lease expired."""
    qs = model.objects.filter(pk__in=ids, claimed_by=worker)
    if connection.vendor == "postgresql":
        qs = qs.select_for_update()
    return qs.order_by("pk")
