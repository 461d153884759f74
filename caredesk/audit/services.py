"""Appending to the audit chain and checking it.

Each record's hash covers its own content and the previous record's hash, so changing,
inserting or deleting any record breaks every hash after it.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from caredesk import clock

from .models import AuditHead, AuditRecord


def _canonical(value: Any) -> Any:
    """JSON-safe form of before/after payloads (dates, decimals, UUIDs as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _digest(rec: AuditRecord) -> str:
    body = json.dumps(
        [
            rec.seq,
            rec.at.isoformat(),
            rec.actor_id,
            rec.actor_name,
            rec.action,
            rec.object_type,
            rec.object_id,
            rec.before,
            rec.after,
            rec.prev_hash,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    *,
    actor,
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditRecord:
    """Append one record. Must run inside the transaction of the change it describes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the change's transaction")
    seq, last_hash = _lock_head()
    rec = AuditRecord(
        seq=seq + 1,
        at=clock.now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        before=_canonical(before),
        after=_canonical(after),
        prev_hash=last_hash,
    )
    rec.hash = _digest(rec)
    rec.save()
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {_HEAD} SET seq = %s, last_hash = %s WHERE id = 1", [rec.seq, rec.hash]
        )
    return rec


_HEAD = f'"{AuditHead._meta.db_table}"'


def _lock_head() -> tuple[int, str]:
    """The chain's tip, locked until the transaction ends (every verb passes here, so this
    is two plain statements rather than the ORM's)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cur:
        cur.execute(f"SELECT seq, last_hash FROM {_HEAD} WHERE id = 1{lock}")
        row = cur.fetchone()
    if row is None:  # the first record ever
        AuditHead.objects.get_or_create(pk=1)
        return _lock_head()
    return row[0], row[1]


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first record whose hash or link does not hold."""
    prev_hash, expected_seq, checked = "", 1, 0
    for rec in AuditRecord.objects.order_by("seq").iterator(chunk_size=batch):
        if rec.seq != expected_seq:
            return ChainReport(checked, rec.seq, f"missing record before #{rec.seq}")
        if rec.prev_hash != prev_hash:
            return ChainReport(checked, rec.seq, "link to the previous record does not match")
        if _digest(rec) != rec.hash:
            return ChainReport(checked, rec.seq, "content does not match its hash")
        prev_hash, expected_seq, checked = rec.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != checked or head.last_hash != prev_hash):
        return ChainReport(checked, checked + 1, "records after the last one are missing")
    return ChainReport(checked)
