"""The early warning's verbs: marking tickets to rescore, rescoring them (the score, its
reasons, an alert on each crossing of the threshold), the alert's escalation when nobody
acknowledges it, its acknowledgement, and the lead time once a complaint follows.

These write only risk's own tables, the timers and the outbox (floors below that exist to be
written by anyone above); the tickets are read through the adapter.
"""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from caredesk import claiming, clock
from caredesk.audit import services as audit
from caredesk.directory.models import Person, Role
from caredesk.errors import StaleVersion, ValidationFailed
from caredesk.notify import addressing, outbox
from caredesk.stakeholders.models import ContactChannel
from caredesk.tickets import selectors as ticket_selectors
from caredesk.tickets.models import Ticket
from caredesk.timers import services as timers

from . import adapter, config, policy
from .labels import label
from .models import RiskAlert, RiskDirty, RiskScore
from .scoring import score

ACK = "risk.ack"
# Who hears when the service manager has not acknowledged in time: the next rungs of the
# customer's ladder above the service manager, the first one held.
ESCALATE_TO = (Role.SPM, Role.ACCOUNT_HEAD)
ACTION_LIMIT = 2000
CLEAR_CHUNK = 100


def weights_version() -> str:
    """A short fingerprint of the weights and threshold in force, kept with each score."""
    raw = json.dumps([sorted(config.weights().items()), config.threshold()])
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


# ---------------------------------------------------------------- marking and rescoring


def mark_dirty(*, ticket_ids: list[int], at: dt.datetime) -> None:
    """Ask for these tickets to be rescored (one statement; a new mark clears a claim, so a
    ticket touched while a worker scores it is scored again)."""
    RiskDirty.objects.bulk_create(
        [RiskDirty(ticket_id=pk, marked_at=at) for pk in sorted(set(ticket_ids))],
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["marked_at", "claimed_by", "claimed_until"],
    )


def refresh(tickets: list[Ticket], *, now: dt.datetime | None = None) -> list[RiskScore]:
    """Score these tickets as they stand now and keep the scores; a ticket that crosses the
    threshold from below raises its alert. In the caller's transaction (or its own)."""
    now = now or clock.now()
    weights, threshold, version = config.weights(), config.threshold(), weights_version()
    histories = adapter.histories_of(tickets, now=now)
    with transaction.atomic():
        before = dict(
            RiskScore.objects.filter(ticket_id__in=[t.pk for t in tickets]).values_list(
                "ticket_id", "above"
            )
        )
        rows, crossed = [], []
        for t in tickets:
            s = score(histories[t.pk], weights)
            above = s.value >= threshold
            row = RiskScore(
                ticket_id=t.pk,
                score=s.value,
                reasons=[r.as_dict() for r in s.reasons],
                above=above,
                computed_at=now,
                weights_version=version,
            )
            rows.append(row)
            if above and not before.get(t.pk, False) and t.is_open:
                crossed.append((t, row))
        RiskScore.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["ticket"],
            update_fields=["score", "reasons", "above", "computed_at", "weights_version"],
        )
        for t, row in crossed:
            raise_alert(ticket=t, risk=row, now=now)
    return rows


def rescore_dirty(*, worker: str, batch: int, lease: dt.timedelta) -> int:
    """The worker's loop: claim up to `batch` marked tickets, score them, and clear each mark
    unless the ticket was marked again meanwhile."""
    now = clock.now()
    ids = claiming.claim(
        RiskDirty, ready=Q(), order_by="marked_at", worker=worker, now=now, batch=batch, lease=lease
    )
    if not ids:
        return 0
    marks = dict(
        RiskDirty.objects.filter(pk__in=ids, claimed_by=worker).values_list("pk", "marked_at")
    )
    tickets = list(Ticket.objects.filter(pk__in=list(marks)).select_related("owner"))
    refresh(tickets, now=now)
    # The marks are cleared once the scores are kept, in statements of their own: one
    # transaction holding both deadlocked on PostgreSQL — an event's transaction holds its
    # ticket and waits to mark it, while the scores' ticket keys wait at commit for that ticket.
    # Killed in between, a mark stays and the ticket is scored once more (no second alert:
    # crossing reads the kept score). A mark is cleared only as it was read; a chunk keeps
    # each statement's OR short. A mark another transaction holds is being marked again (it
    # will not match as read) and is skipped, not waited for: a DELETE of many rows took their
    # locks in the table's order and deadlocked with a worker's pass marking its tickets in
    # id order.
    items = list(marks.items())
    for i in range(0, len(items), CLEAR_CHUNK):
        done = Q(pk__in=[])
        for pk, marked in items[i : i + CLEAR_CHUNK]:
            done |= Q(pk=pk, marked_at=marked, claimed_by=worker)
        with transaction.atomic():
            free = RiskDirty.objects.select_for_update(skip_locked=True).filter(done)
            RiskDirty.objects.filter(pk__in=list(free.values_list("pk", flat=True))).delete()
    return len(tickets)


# ---------------------------------------------------------------- alerts


def suggestion(ticket: Ticket) -> str:
    """What the alert asks of its reader (the issue's words: call, name the owner, give the
    escalation contacts)."""
    owner = ticket.owner
    return str(
        _(
            "Call the customer now; name the owner (%(owner)s, %(phone)s); give the "
            "escalation contacts."
        )
        % {"owner": owner.name, "phone": owner.phone or "-"}
    )


def _reasons_text(reasons: list[dict]) -> str:
    lines = []
    for r in reasons:
        words = f" — {', '.join(r['words'])}" if r.get("words") else ""
        lines.append(f"· {label(r['signal'])} +{r['points']:g}{words}")
    return "\n".join(lines)


def _message(alert: RiskAlert, ticket: Ticket, person: Person, template: str):
    where = addressing.resolve(person, ContactChannel.EMAIL)
    with override(person.language):
        context = {
            "number": ticket.number,
            "title": ticket.title,
            "score": alert.score,
            "reasons": _reasons_text(alert.reasons),
            "suggestion": suggestion(ticket),
            "manager": alert.manager.name if alert.manager else "",
            "url": f"{settings.SITE_URL}/risk/",
        }
    return outbox.prepare(
        channel=where.channel,
        where=where,
        recipient=person,
        template=template,
        key=f"risk-alert:{alert.pk}:{template}:{person.pk}",
        context=context,
        language=person.language,
        topic=f"ticket:{ticket.pk}:risk",
    )


def raise_alert(*, ticket: Ticket, risk: RiskScore, now: dt.datetime) -> RiskAlert | None:
    """One crossing told: the alert row, a message to the customer's service manager (with
    the reasons and what to do) and the timer that escalates it unacknowledged. None when an
    earlier alert of the ticket still waits for its answer."""
    if RiskAlert.objects.filter(ticket=ticket, acknowledged_at__isnull=True).exists():
        return None
    manager = ticket_selectors.ladder_holder(ticket, Role.SERVICE_MANAGER)
    alert = RiskAlert.objects.create(
        ticket=ticket,
        score=risk.score,
        reasons=risk.reasons,
        raised_at=now,
        manager=manager,
    )
    if manager is not None:
        outbox.enqueue_many([_message(alert, ticket, manager, "risk_alert")])
    timers.schedule(
        kind=ACK,
        subject=f"risk-alert:{alert.pk}",
        due_at=now + dt.timedelta(minutes=config.ack_minutes()),
    )
    audit.record(
        actor=None,
        action="risk.alert_raised",
        obj=alert,
        after={"ticket": ticket.pk, "score": risk.score, "manager": getattr(manager, "pk", None)},
    )
    return alert


def escalate_unacknowledged(*, alert: RiskAlert) -> bool:
    """The acknowledgement did not come in time: tell the next rung above the service manager
    (SPM, else the account head). False when it came meanwhile or was escalated already."""
    with transaction.atomic():
        alert = RiskAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None or alert.escalated_at is not None:
            return False
        ticket = Ticket.objects.select_related("owner").get(pk=alert.ticket_id)
        target = None
        for role in ESCALATE_TO:
            found = ticket_selectors.ladder_holder(ticket, role)
            if found is not None and found.pk != alert.manager_id:
                target = found
                break
        now = clock.now()
        alert.escalated_at = now
        alert.escalated_to = target
        alert.save(update_fields=["escalated_at", "escalated_to"])
        if target is not None:
            outbox.enqueue_many([_message(alert, ticket, target, "risk_alert_escalated")])
        audit.record(
            actor=None,
            action="risk.alert_escalated",
            obj=alert,
            after={"to": getattr(target, "pk", None), "at": now.isoformat()},
        )
    return True


def acknowledge(
    *, actor: Person, alert: RiskAlert, action_taken: str, version: int | None = None
) -> RiskAlert:
    """The alert answered (已处理), with what was done: recorded once, with who and when.
    Refused: nothing said of what was done (422), not the alert's reader (403), a ticket the
    actor may not see (404), a stale version (409), answered already (409)."""
    ticket = Ticket.objects.select_related("owner").get(pk=alert.ticket_id)
    policy.check_acknowledge(actor, alert, ticket)
    text = (action_taken or "").strip()
    if not text:
        raise ValidationFailed(fields={"action_taken": str(_("Say what was done."))})
    if len(text) > ACTION_LIMIT:
        raise ValidationFailed(
            fields={"action_taken": str(_("At most %(n)d characters.") % {"n": ACTION_LIMIT})}
        )
    with transaction.atomic():
        alert = RiskAlert.objects.select_for_update().get(pk=alert.pk)
        if version is not None and version != alert.version:
            raise StaleVersion()
        if alert.acknowledged_at is not None:
            raise StaleVersion(_("This alert was acknowledged already."))
        now = clock.now()
        alert.acknowledged_at = now
        alert.acknowledged_by = actor
        alert.action_taken = text
        alert.version += 1
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken", "version"])
        timers.cancel(subject=f"risk-alert:{alert.pk}", kind=ACK)
        audit.record(
            actor=actor,
            action="risk.alert_acknowledged",
            obj=alert,
            after={"at": now.isoformat(), "action_taken": text},
        )
    return alert


def record_complaint(*, complaint_id: int, ticket_ids: list[int], at: dt.datetime) -> int:
    """A complaint registered on alerted tickets: each alert raised before it, not linked to a
    complaint yet, gets the complaint and its lead time (minutes from alert to complaint)."""
    alerts = list(
        RiskAlert.objects.filter(
            ticket_id__in=ticket_ids, raised_at__lte=at, complaint_id__isnull=True
        )
    )
    for a in alerts:
        a.complaint_id = complaint_id
        a.complained_at = at
        a.lead_minutes = (at - a.raised_at).total_seconds() / 60
    RiskAlert.objects.bulk_update(alerts, ["complaint_id", "complained_at", "lead_minutes"])
    return len(alerts)
