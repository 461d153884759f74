"""Closing a resolved ticket nobody answers: a reminder to the requester half-way through the
customer's silence period, then closure recorded as *auto-closed* — never as confirmed by the
customer — which the customer may still reopen for a grace period.

Both steps are durable timers scheduled when the ticket is resolved. Each carries the
resolution's time: a ticket reopened and resolved again gets new timers, and the old ones,
when they come due, find a different resolution and do nothing.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory import refdata
from caredesk.events import EventKind
from caredesk.timers import services as timers

from ..models import EntryKind, Status, Ticket
from ._base import add_entry, emit, locked, save, snapshot

REMINDER = "ticket.auto_close_reminder"
AUTO_CLOSE = "ticket.auto_close"


def silence_for(ticket: Ticket) -> dt.timedelta:
    """How long a resolution may go unanswered: the customer's own setting, or the nearest
    organisation above it that has one, else the installation's default."""
    for org_id in refdata.lineage(ticket.customer_org_id):
        org = refdata.organisation(org_id)
        if org is not None and org.auto_close_days:
            return dt.timedelta(days=org.auto_close_days)
    return dt.timedelta(days=settings.AUTO_CLOSE_DAYS)


def reopen_grace() -> dt.timedelta:
    return dt.timedelta(days=settings.REOPEN_GRACE_DAYS)


def reopen_allowed_until(ticket: Ticket) -> dt.datetime | None:
    """Until when the customer may reopen a closed ticket (None while it is not closed)."""
    return ticket.closed_at + reopen_grace() if ticket.closed_at else None


def schedule(ticket: Ticket) -> None:
    """The reminder and the closure of a ticket just resolved (in the resolution's
    transaction)."""
    silence = silence_for(ticket)
    payload = {"resolved_at": ticket.resolved_at.isoformat()}
    timers.schedule(
        kind=REMINDER, subject=ticket.pk, due_at=ticket.resolved_at + silence / 2, payload=payload
    )
    timers.schedule(
        kind=AUTO_CLOSE, subject=ticket.pk, due_at=ticket.resolved_at + silence, payload=payload
    )


def cancel(ticket: Ticket) -> None:
    """The customer answered (confirmed or reopened): the pending steps are void."""
    timers.cancel(subject=ticket.pk, kind=REMINDER)
    timers.cancel(subject=ticket.pk, kind=AUTO_CLOSE)


def _still_silent(action) -> Ticket | None:
    ticket = locked(int(action.subject))
    resolved = ticket.resolved_at.isoformat() if ticket.resolved_at else None
    if ticket.status != Status.RESOLVED or resolved != action.payload.get("resolved_at"):
        return None
    return ticket


@timers.handler(REMINDER)
@transaction.atomic
def remind(action) -> str:
    """Half-way through the silence: tell the requester when the ticket will close."""
    ticket = _still_silent(action)
    if ticket is None:
        return "skipped"
    closes_at = ticket.resolved_at + silence_for(ticket)
    add_entry(
        ticket, EntryKind.AUTO_CLOSE_REMINDED, None, data={"closes_at": closes_at.isoformat()}
    )
    save(ticket)
    emit(EventKind.AUTO_CLOSE_REMINDER, ticket, None, closes_at=closes_at.isoformat())
    audit.record(
        actor=None,
        action="ticket.auto_close_reminder",
        obj=ticket,
        after={"closes_at": closes_at.isoformat()},
    )
    return "fired"


@timers.handler(AUTO_CLOSE)
@transaction.atomic
def auto_close(action) -> str:
    """The silence has run out: close the ticket as auto-closed (not confirmed)."""
    ticket = _still_silent(action)
    if ticket is None:
        return "skipped"
    before = snapshot(ticket)
    now = clock.now()
    silence = silence_for(ticket)
    ticket.status = Status.CLOSED
    ticket.closed_at = now
    ticket.closed_how = "auto"
    save(ticket, "status", "closed_at", "closed_how")
    data = {
        "silence_days": silence.days,
        "reopen_until": (now + reopen_grace()).isoformat(),
    }
    add_entry(ticket, EntryKind.AUTO_CLOSED, None, data=data, at=now)
    emit(EventKind.AUTO_CLOSED, ticket, None, **data)
    audit.record(
        actor=None, action="ticket.auto_close", obj=ticket, before=before, after=snapshot(ticket)
    )
    return "fired"


REOPEN_TOO_LATE = _(
    "This request was closed more than %(days)d days ago and can no longer be reopened. "
    "Open a new request and mention %(number)s."
)
