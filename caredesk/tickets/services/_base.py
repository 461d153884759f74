"""Shared steps of the ticket verbs: lock, save with a new version, write a timeline entry."""

from typing import Any

from caredesk import clock, events
from caredesk.directory.models import Person
from caredesk.errors import InvalidTransition, StaleVersion
from caredesk.errors import ValidationFailed as Invalid
from caredesk.inputs import text_problem

from ..models import (
    OPEN_STATUSES,
    Ticket,
    TimelineEntry,
)


def snapshot(ticket: Ticket) -> dict[str, Any]:
    return {
        "status": ticket.status,
        "owner": ticket.owner_id,
        "severity": ticket.severity,
        "title": ticket.title,
        "product": ticket.product_id,
        "region": ticket.region_id,
        "site": ticket.site,
        "version": ticket.version,
    }


def add_entry(ticket, kind, actor, *, body="", public=True, data=None, at=None) -> TimelineEntry:
    return TimelineEntry.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        body=body,
        public=public,
        data=data or {},
        at=at or clock.now(),
    )


def locked(ticket: Ticket | int, version: int | None = None) -> Ticket:
    """Re-read the ticket under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    # Only the ticket's row: locking the joined owner and organisations too would queue every
    # write of an office behind one another and deadlock against new tickets' key checks.
    # And the lock first, alone, then the read with what the row points to: one statement
    # doing both re-checks the row's newest version against the rows it joined before the
    # wait, so after a winner changed the owner (an accepted hand-off) or the office, every
    # waiter would find no ticket at all.
    Ticket.objects.select_for_update().values_list("pk", flat=True).get(pk=pk)
    fresh = Ticket.objects.select_related("owner", "office", "customer_org").get(pk=pk)
    if version is not None and fresh.version != version:
        raise StaleVersion(fields={"version": str(fresh.version)})
    return fresh


def save(ticket: Ticket, *fields: str) -> None:
    ticket.version += 1
    ticket.updated_at = clock.now()
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def require_text(value: str | None, field: str, max_length: int | None = None) -> str:
    """`value` trimmed, refused when it has nothing visible in it, a NUL, or is too long."""
    text = (value or "").strip()
    if problem := text_problem(text, required=True, max_length=max_length):
        raise Invalid(fields={field: problem})
    return text


def require_open(ticket: Ticket) -> None:
    if ticket.status not in OPEN_STATUSES:
        raise InvalidTransition()


def emit(kind: str, ticket: Ticket, actor: Person | None, **data) -> None:
    """Tell the floors above (escalation, notifications) what happened, in this transaction."""
    events.publish(
        events.Event(
            kind=kind,
            ticket_id=ticket.pk,
            actor_id=getattr(actor, "pk", None),
            at=clock.now(),
            data=data,
            ticket=ticket,
            actor=actor,
        )
    )
