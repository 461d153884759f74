"""Writing to the outbox. Callers do it inside the transaction of the event they report."""

from django.db import transaction

from caredesk import clock

from .models import Message


def enqueue(
    *,
    channel: str,
    template: str,
    key: str,
    context: dict | None = None,
    recipient=None,
    address: str = "",
    language: str | None = None,
    topic: str = "",
) -> Message | None:
    """Queue one message. `key` is its idempotency key: queueing the same key twice is a no-op
    (returns None), so a retried event never sends twice."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue() must run inside the event's transaction")
    if Message.objects.filter(idempotency_key=key).exists():
        return None
    now = clock.now()
    return Message.objects.create(
        channel=channel,
        recipient=recipient,
        address=address or "",
        template=template,
        context=context or {},
        language=language or getattr(recipient, "language", None) or "zh-hans",
        topic=topic,
        idempotency_key=key,
        next_attempt_at=now,
        created_at=now,
    )
