"""Sealing audit records into the keyed chain: the worker's part of the audit log.

`seal_pending` takes the chain's head row — a lock only sealers contend on: PostgreSQL skips it
when another worker holds it, SQLite's IMMEDIATE transaction lets one writer in at a time —
gives the unsealed records the next sequence numbers in id order and seals each with
HMAC-SHA256(key, previous seal, content). The sequence is assigned here, in sealing order, not
by id: a record whose transaction commits late (PostgreSQL hands out ids at insert time) is
simply sealed in a later pass with a later number, never skipped. Everything happens in one
transaction, so a sealer killed mid-batch leaves the batch unsealed and the next pass seals it.

`checkpoint_if_due` then writes the head (sequence, seal, time), signed with the same key, to
the checkpoint log outside the database — every AUDIT_CHECKPOINT_ROWS records or
AUDIT_CHECKPOINT_SECONDS seconds — so deleting the newest records and moving the head back is
caught by `verify_audit`.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from caredesk import clock

from . import checkpoints
from .models import AuditHead, AuditRecord

log = logging.getLogger(__name__)

_RECORDS = f'"{AuditRecord._meta.db_table}"'


def key() -> bytes:
    """The chain's key. It comes from the environment (CAREDESK_AUDIT_KEY), never from the
    database, so someone who can rewrite the tables still cannot make valid seals."""
    return settings.AUDIT_KEY.encode()


def canonical(rec: AuditRecord) -> bytes:
    """What a seal covers: the record's place in the chain and everything it says."""
    return json.dumps(
        [
            rec.seq,
            rec.pk,
            rec.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            rec.actor_id,
            rec.actor_name,
            rec.action,
            rec.object_type,
            rec.object_id,
            rec.before,
            rec.after,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def seal_of(rec: AuditRecord, prev_seal: str, secret: bytes) -> str:
    """The record's seal, chained to the one before it ("" before the first record)."""
    message = b"caredesk-audit-record\n" + prev_seal.encode() + b"\n" + canonical(rec)
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _lock_head() -> AuditHead | None:
    """Inside a transaction: the head, locked; None when another sealer holds it."""
    if not AuditHead.objects.filter(pk=1).exists():  # a flushed database
        AuditHead.objects.bulk_create([AuditHead(pk=1)], ignore_conflicts=True)
    qs = AuditHead.objects.filter(pk=1)
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(skip_locked=True)
    return qs.first()


def seal_pending(*, batch: int = 500) -> int:
    """Seal up to `batch` unsealed records, oldest id first. Returns how many were sealed
    (0 also when another sealer is at work: it will seal them)."""
    secret = key()
    with transaction.atomic():
        head = _lock_head()
        if head is None:
            return 0
        rows = list(AuditRecord.objects.filter(seq__isnull=True).order_by("pk")[:batch])
        if not rows:
            return 0
        sealed_at = connection.ops.adapt_datetimefield_value(clock.now())
        seq, prev = head.seq, head.last_hash
        changes = []
        for rec in rows:
            seq += 1
            rec.seq = seq
            prev = seal_of(rec, prev, secret)
            changes.append((seq, prev, sealed_at, rec.pk))
        # One statement per row, pipelined by the driver: cheaper than a CASE per column.
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {_RECORDS} SET seq = %s, seal = %s, sealed_at = %s WHERE id = %s",
                changes,
            )
        AuditHead.objects.filter(pk=1).update(seq=seq, last_hash=prev)
    return len(rows)


def checkpoint_if_due() -> bool:
    """Write the head to the checkpoint log when enough records or time have passed since the
    last checkpoint (or at once for the first one). Returns whether a line was written.

    Runs after the sealing transaction has committed, so a line only ever names a state the
    database holds; it is written while the head stays locked, so lines come in sequence
    order. A sealer killed after writing the line but before noting it only repeats it."""
    with transaction.atomic():
        head = _lock_head()
        if head is None or head.seq == head.checkpoint_seq:
            return False
        now = clock.now()
        due = (
            head.checkpoint_at is None
            or head.seq - head.checkpoint_seq >= settings.AUDIT_CHECKPOINT_ROWS
            or (now - head.checkpoint_at).total_seconds() >= settings.AUDIT_CHECKPOINT_SECONDS
        )
        if not due:
            return False
        checkpoints.append(checkpoints.Checkpoint(seq=head.seq, head=head.last_hash, at=now), key())
        AuditHead.objects.filter(pk=1).update(checkpoint_seq=head.seq, checkpoint_at=now)
    return True


# After a failure a step rests a minute instead of failing (and logging) on every pass.
_resting_until: dict[str, dt.datetime] = {}


def _guarded(step: str, fn: Callable[[], int | bool]) -> int | bool:
    now = clock.now()
    if now < _resting_until.get(step, now):
        return 0
    try:
        done = fn()
    except (DatabaseError, OSError):
        log.exception("audit %s failed; trying again in a minute", step)
        _resting_until[step] = now + dt.timedelta(minutes=1)
        return 0
    _resting_until.pop(step, None)
    return done


def seal_and_checkpoint(*, batch: int) -> int:
    """One pass of the worker's audit loop; returns how many records it sealed. A failure
    (the checkpoint log unwritable, a head moved by hand) is logged and retried a minute
    later without stopping the worker's other loops, and `verify_audit` names what is wrong.
    Sealing and checkpointing fail apart: an unwritable log does not hold records unsealed."""
    sealed = int(_guarded("sealing", lambda: seal_pending(batch=batch)))
    _guarded("checkpoint", checkpoint_if_due)
    return sealed
