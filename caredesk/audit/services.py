"""Recording a change in the audit log.

`record` only inserts a row: no chain fields, no shared row read or locked, so changes on
different tickets never queue behind each other for the audit log. The worker seals the rows
into the keyed chain afterwards (`sealing.py`) and `verify_audit` checks it (`checking.py`).
"""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from caredesk import clock

from .models import AuditRecord


def _canonical(value: Any) -> Any:
    """JSON-safe form of before/after payloads (dates, decimals, UUIDs as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(
    *,
    actor,
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditRecord:
    """Append one record. Must run inside the transaction of the change it describes, so the
    record exists exactly when the change does."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the change's transaction")
    return AuditRecord.objects.create(
        at=clock.now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        before=_canonical(before),
        after=_canonical(after),
    )


# ---- masks: one statement for the records of many objects changed together (a bulk of
# masking rules), each record as `record` would write it.
def record_many(
    *,
    actor,
    action: str,
    changes: list[tuple[Any, dict | None, dict | None]],
    actions: list[str] | None = None,
) -> int:
    """Append one record per (obj, before, after), in one INSERT per batch. Same transaction
    rule as `record`. `actions`, when given, names each change's action (else `action`)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many() must run inside the change's transaction")
    at = clock.now()
    rows = [
        AuditRecord(
            at=at,
            actor_id=getattr(actor, "pk", None),
            actor_name=getattr(actor, "username", "") or "system",
            action=actions[i] if actions else action,
            object_type=type(obj).__name__,
            object_id=str(obj.pk),
            before=_canonical(before),
            after=_canonical(after),
        )
        for i, (obj, before, after) in enumerate(changes)
    ]
    AuditRecord.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
