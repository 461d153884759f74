"""Delivering the outbox: where a notification leaves CareDesk.

`deliver_due` claims due messages (caredesk.claiming: SKIP LOCKED on PostgreSQL, a
compare-and-set on SQLite), admits them past each robot's rate limit, sends each one with no
transaction open, then records each outcome in a short transaction of its own. A worker
killed after sending but before recording sends that message again when its claim expires;
the idempotency key (header, email Message-ID) lets the receiver drop the repeat. The try the
killed worker left in flight is closed as lost by the worker that retakes the message.

Failures retry with exponential backoff and jitter, capped; after NOTIFY_MAX_ATTEMPTS tries,
or at once for a failure that cannot heal (wrong secret, refused address), the message is
dead and waits on the dead-letter page for an administrator.
"""

import datetime as dt
import logging
import random
import time
from collections import defaultdict

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist

from caredesk import claiming, clock, tracing

from . import outbox, rendering
from .channels import Outcome, Outgoing, dingtalk, email, feishu, webhook, wecom
from .models import Attempt, AttemptOutcome, Endpoint, Message, MessageState

log = logging.getLogger(__name__)
# One line per try at INFO, under the request id of what queued the message.
events = structlog.get_logger("caredesk.outbox")

ADAPTERS = {
    "email": email.send,
    "sms": webhook.send,
    "wecom": wecom.send,
    "dingtalk": dingtalk.send,
    "feishu": feishu.send,
}
WINDOW = dt.timedelta(minutes=1)
LEASE = dt.timedelta(minutes=5)


def backoff(attempt: int, *, rng: random.Random | None = None) -> dt.timedelta:
    """Wait before try `attempt + 1`: base · 2^(attempt-1), capped, then "equal jitter" (a
    random point in the upper half) so retries of a burst do not return in step."""
    base, cap = settings.NOTIFY_BACKOFF_BASE, settings.NOTIFY_BACKOFF_CAP
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return dt.timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


def deliver_due(
    *,
    worker: str,
    batch: int = 100,
    now: dt.datetime | None = None,
    lease: dt.timedelta = LEASE,
) -> int:
    """Send due messages; returns how many were tried (sent, retried later or dead)."""
    now = now or clock.now()
    ids = claiming.claim(
        Message,
        ready=Q(state=MessageState.PENDING, next_attempt_at__lte=now),
        order_by="next_attempt_at",
        worker=worker,
        now=now,
        batch=batch,
        lease=lease,
    )
    if not ids:
        return 0
    rows = list(
        Message.objects.filter(pk__in=ids, claimed_by=worker, state=MessageState.PENDING)
        .select_related("endpoint")
        .order_by("next_attempt_at", "pk")
    )
    admitted = _admit(rows, worker, now)
    # Stop well inside the lease, so no other worker takes rows this one is still sending.
    deadline = time.monotonic() + lease.total_seconds() / 2
    session = email.Session()
    tried = 0
    try:
        for i, (row, attempt) in enumerate(admitted):
            if time.monotonic() > deadline:
                rest = admitted[i:]
                Attempt.objects.filter(pk__in=[a.pk for _, a in rest]).delete()
                _release([r for r, _ in rest], worker, uncount=True)
                break
            with tracing.bound(row.request_id):
                outcome, subject, body = _send(row, session)
                _record(row, attempt, outcome, worker, subject, body)
                events.info(
                    "message tried",
                    message=row.pk,
                    channel=row.channel,
                    template=row.template,
                    outcome=attempt.outcome,
                    attempt=row.attempt,
                    worker=worker,
                )
            tried += 1
    finally:
        session.close()
    return tried


def _admit(rows: list[Message], worker: str, now: dt.datetime) -> list[tuple[Message, Attempt]]:
    """Open an attempt for each row a receiver can take now. A robot takes at most its
    `rate_per_minute` in any minute: the rest go back to the queue until the window frees.
    Per robot, the count and the new attempts are written under a lock on the robot's row, so
    concurrent workers share one budget."""
    by_endpoint: dict[int | None, list[Message]] = defaultdict(list)
    for row in rows:
        limited = row.endpoint_id and row.endpoint and row.endpoint.rate_per_minute
        by_endpoint[row.endpoint_id if limited else None].append(row)
    admitted: list[tuple[Message, Attempt]] = []
    for endpoint_id, group in by_endpoint.items():
        with transaction.atomic():
            _close_lost(group, worker)
            later: list[Message] = []
            if endpoint_id is not None:
                robot = Endpoint.objects.select_for_update().get(pk=endpoint_id)
                recent = Attempt.objects.filter(endpoint_id=endpoint_id, at__gt=now - WINDOW)
                free = max(0, robot.rate_per_minute - recent.count())
                group, later = group[:free], group[free:]
                if later:
                    oldest = recent.order_by("at").values_list("at", flat=True).first()
                    _release(later, worker, uncount=True, until=(oldest or now) + WINDOW)
            attempts = Attempt.objects.bulk_create(
                Attempt(
                    message=row,
                    endpoint_id=row.endpoint_id,
                    at=now,
                    worker=worker,
                    outcome=AttemptOutcome.IN_FLIGHT,
                )
                for row in group
            )
        admitted.extend(zip(group, attempts, strict=True))
    return admitted


def _close_lost(rows: list[Message], worker: str) -> None:
    """Close the tries a killed worker left open on rows this worker has just retaken.

    A message is pending with an in-flight try only while some worker holds it; this worker's
    claim means that worker's lease ran out, so its try will never be recorded. It is closed
    as lost rather than left "sending" forever: the receiver may or may not have the message,
    and the try about to start sends it with the same idempotency key."""
    Attempt.objects.filter(
        message__in=[r.pk for r in rows], outcome=AttemptOutcome.IN_FLIGHT
    ).update(
        outcome=AttemptOutcome.LOST,
        detail=f"The worker stopped before recording this try; {worker} took the message again.",
    )


def _release(
    rows: list[Message], worker: str, *, uncount: bool, until: dt.datetime | None = None
) -> None:
    """Give claimed rows back to the queue untried (their claim did not count as a try)."""
    changes: dict = {"claimed_until": None}
    if uncount:
        changes["attempt"] = F("attempt") - 1
    if until is not None:
        changes["next_attempt_at"] = until
    with transaction.atomic():
        Message.objects.filter(pk__in=[r.pk for r in rows], claimed_by=worker).update(**changes)


def outgoing(row: Message) -> tuple[Outgoing, str, str]:
    subject, body = rendering.render(row.template, row.language, row.context)
    if row.fell_back:
        # The reader learns why this came by email and not through the channel asked for.
        note = rendering.fallback_note(
            row.requested_channel, row.channel, row.fallback_reason, row.language
        )
        body = f"{body}\n\n({note})"
    endpoint = row.endpoint
    out = Outgoing(
        key=row.idempotency_key,
        channel=row.channel,
        address=row.address,
        template=row.template,
        language=row.language,
        subject=subject,
        body=body,
        context=row.context,
        message_id=row.message_id,
        thread_id=outbox.thread_id(row.topic) if row.topic else "",
        url=endpoint.url if endpoint else "",
        secret=endpoint.secret if endpoint else "",
        options=endpoint.options if endpoint else None,
        attachments=tuple(row.attachments or ()),
    )
    return out, subject, body


def _send(row: Message, session: email.Session) -> tuple[Outcome, str, str]:
    adapter = ADAPTERS.get(row.channel)
    if adapter is None:
        return Outcome.failed(f"Unknown channel {row.channel!r}.", permanent=True), "", ""
    if row.channel != "email" and (row.endpoint is None or not row.endpoint.active):
        return Outcome.failed("The endpoint is missing or switched off.", permanent=True), "", ""
    try:
        out, subject, body = outgoing(row)
    except TemplateDoesNotExist as exc:
        return Outcome.failed(f"No template {exc}.", permanent=True), "", ""
    try:
        return adapter(out, session), subject, body
    except Exception as exc:  # an adapter bug must not stop the worker: retry, then dead letter
        log.exception("delivering message %s", row.pk)
        return Outcome.failed(f"{type(exc).__name__}: {exc}"), subject, body


def _record(
    row: Message, attempt: Attempt, outcome: Outcome, worker: str, subject: str, body: str
) -> None:
    now = clock.now()
    with transaction.atomic():
        fresh = claiming.locked_claims(Message, [row.pk], worker).first()
        if fresh is None or fresh.state != MessageState.PENDING:
            # Our lease ran out and another worker took the row: its record stands.
            attempt.outcome, attempt.detail = AttemptOutcome.RETRY, "lease lost; " + outcome.detail
            attempt.save(update_fields=["outcome", "detail"])
            return
        fresh.subject, fresh.body = subject[:300], body
        fresh.claimed_until = None
        if outcome.ok:
            fresh.state, fresh.sent_at, fresh.last_error = MessageState.SENT, now, ""
            attempt.outcome = AttemptOutcome.SENT
        elif outcome.retry_after is not None:
            # Throttled: not the message's fault, so the try does not count towards dead.
            fresh.attempt = max(fresh.attempt - 1, 0)
            fresh.next_attempt_at = now + dt.timedelta(seconds=outcome.retry_after)
            fresh.last_error = outcome.detail
            attempt.outcome = AttemptOutcome.THROTTLED
        elif outcome.permanent or fresh.attempt >= settings.NOTIFY_MAX_ATTEMPTS:
            fresh.state, fresh.last_error = MessageState.DEAD, outcome.detail
            attempt.outcome = AttemptOutcome.DEAD
        else:
            fresh.next_attempt_at = now + backoff(fresh.attempt)
            fresh.last_error = outcome.detail
            attempt.outcome = AttemptOutcome.RETRY
        fresh.save()
        attempt.detail = outcome.detail
        attempt.save(update_fields=["outcome", "detail"])
