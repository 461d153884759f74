"""Writing to the outbox. Callers do it inside the transaction of the event they report."""

import hashlib

from django.conf import settings
from django.db import transaction

from caredesk import clock, tracing

from . import addressing
from .models import Endpoint, Message


def email_message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.NOTIFY_EMAIL_DOMAIN}>"


def prepare(
    *,
    channel: str,
    template: str,
    key: str,
    context: dict | None = None,
    recipient=None,
    address: str = "",
    language: str | None = None,
    topic: str = "",
    endpoint: Endpoint | None = None,
    where: addressing.Address | None = None,
    attachments: list[dict] | None = None,
) -> Message:
    """One message, not saved yet. `key` is its idempotency key.

    Given a recipient but no address or endpoint, the address is looked up for the channel
    (see addressing.resolve; a group channel without a robot falls back to email). A caller
    that resolved it already passes `where`, which also records a fallback on the message.
    `attachments` ({"path", "filename", "content_type"} each) go with an email only."""
    if where is None and recipient is not None and not address and endpoint is None:
        where = addressing.resolve(recipient, channel)
    if where is not None:
        channel, address, endpoint = where.channel, where.address, where.endpoint
    now = clock.now()
    return Message(
        channel=channel,
        recipient=recipient,
        address=address or "",
        endpoint=endpoint,
        requested_channel=where.requested if where is not None and where.fell_back else "",
        fallback_reason=where.missing if where is not None and where.fell_back else "",
        template=template,
        context=context or {},
        attachments=attachments or [],
        language=language or getattr(recipient, "language", None) or "zh-hans",
        topic=topic,
        idempotency_key=key,
        message_id=email_message_id(key) if channel == "email" else "",
        next_attempt_at=now,
        created_at=now,
        request_id=tracing.current(),
    )


def _check_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the outbox is written inside the event's transaction")


def enqueue_many(messages: list[Message]) -> None:
    """Queue prepared messages in one statement; a key already queued is skipped, so a
    retried event never sends twice."""
    _check_transaction()
    if messages:
        Message.objects.bulk_create(messages, ignore_conflicts=True)


def enqueue(**fields) -> Message | None:
    """Queue one message (see prepare); queueing the same key twice is a no-op (returns
    None)."""
    _check_transaction()
    if Message.objects.filter(idempotency_key=fields["key"]).exists():
        return None
    message = prepare(**fields)
    message.save()
    return message


def thread_id(topic: str) -> str:
    """The Message-ID every email about one topic refers to, so mail clients thread them and
    replies can be matched back (see topic_of_thread)."""
    return f"<{topic.replace(':', '.')}.thread@{settings.NOTIFY_EMAIL_DOMAIN}>"


def topic_of_thread(message_id: str) -> str | None:
    suffix = f".thread@{settings.NOTIFY_EMAIL_DOMAIN}>"
    if message_id.startswith("<") and message_id.endswith(suffix):
        return message_id[1 : -len(suffix)].replace(".", ":", 1)
    return None


def topic_of_reply(message_ids: list[str]) -> str | None:
    """The topic of the first of these Message-IDs (from In-Reply-To / References) that is one
    of ours: a message we sent, or the thread id of a topic."""
    for mid in message_ids:
        topic = topic_of_thread(mid)
        if topic:
            return topic
    sent = Message.objects.filter(message_id__in=message_ids).exclude(topic="").first()
    return sent.topic if sent else None
