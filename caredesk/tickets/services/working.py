"""Working a ticket: acknowledge, edit, comments, calls, conclusion, resolution, closure."""

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import (
    OWNER_ROLES,
    Person,
)
from caredesk.errors import InvalidTransition, PermissionDenied
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind

from .. import policy, rules
from ..models import (
    CallDirection,
    CallOutcome,
    Conclusion,
    EntryKind,
    Severity,
    Status,
    Ticket,
    TimelineEntry,
)
from ..rules import Limits
from . import closing
from ._base import add_entry, emit, locked, require_open, require_text, save, snapshot


@transaction.atomic
def acknowledge(*, actor: Person, ticket: Ticket, version: int | None = None) -> Ticket:
    """The owner confirms they have taken the request in hand (确认受理)."""
    ticket = locked(ticket, version)
    policy.check_view(actor, ticket)
    if ticket.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner can acknowledge this ticket."))
    if ticket.status not in rules.ACKNOWLEDGEABLE:
        raise InvalidTransition(_("This ticket is already acknowledged."))
    before = snapshot(ticket)
    ticket.status = Status.ACKNOWLEDGED
    ticket.acknowledged_at = clock.now()
    save(ticket, "status", "acknowledged_at")
    add_entry(ticket, EntryKind.ACKNOWLEDGED, actor)
    emit(EventKind.ACKNOWLEDGED, ticket, actor)
    audit.record(
        actor=actor, action="ticket.acknowledge", obj=ticket, before=before, after=snapshot(ticket)
    )
    return ticket


EDITABLE_FIELDS = frozenset({"title", "severity", "product", "region", "site", "status"})
STATUS_MOVES = rules.STATUS_MOVES


@transaction.atomic
def edit_ticket(*, actor: Person, ticket: Ticket, version: int, changes: dict[str, Any]) -> Ticket:
    """Change a ticket's details. `version` is required: a stale one is refused, never merged."""
    ticket = locked(ticket, version)
    policy.check_view(actor, ticket)
    policy.check_owner_or_manager(actor, ticket)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise Invalid(fields={f: str(_("This field cannot be changed.")) for f in sorted(unknown)})
    before = snapshot(ticket)
    fields: list[str] = []
    if "title" in changes:
        ticket.title = require_text(changes["title"], "title", rules.Limits.TITLE)
        fields.append("title")
    if "severity" in changes:
        if changes["severity"] not in Severity.values:
            raise Invalid(fields={"severity": str(_("Choose a severity from P1 to P4."))})
        ticket.severity = changes["severity"]
        fields.append("severity")
    if "site" in changes:
        ticket.site = (changes["site"] or "").strip()[:200]
        fields.append("site")
    if "product" in changes:
        ticket.product = changes["product"]
        fields.append("product")
    if "region" in changes:
        ticket.region = changes["region"]
        ticket.office = ticket.region.office
        fields += ["region", "office"]
    if "status" in changes and changes["status"] != ticket.status:
        target = changes["status"]
        if target not in STATUS_MOVES.get(ticket.status, set()):
            raise InvalidTransition(fields={"status": str(_("This status change is not allowed."))})
        ticket.status = target
        fields.append("status")
    if not fields:
        return ticket
    save(ticket, *fields)
    after = snapshot(ticket)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k] and k != "version"}
    if "status" in changed and len(changed) == 1:
        add_entry(ticket, EntryKind.STATUS, actor, data={"status": ticket.status})
    else:
        add_entry(ticket, EntryKind.EDITED, actor, public=False, data={"changes": changed})
    emit(EventKind.EDITED, ticket, actor, changes=changed)
    audit.record(actor=actor, action="ticket.edit", obj=ticket, before=before, after=after)
    return ticket


_DIGIT_RUN = re.compile(r"\+?\d[\d\s-]{5,}\d")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _refuse_colleague_numbers(ticket: Ticket, body: str) -> None:
    """Seed case 1 made impossible: staff may not answer a customer with a colleague's number.

    The customer keeps one owner; moving the request to someone else is a hand-off."""
    runs = {_digits(m) for m in _DIGIT_RUN.findall(body)}
    runs = {r[-11:] for r in runs if len(r) >= 7}
    if not runs:
        return
    phones = (
        Person.objects.filter(role__in=OWNER_ROLES, is_active=True)
        .exclude(pk=ticket.owner_id)
        .exclude(phone="")
        .values_list("phone", flat=True)
    )
    for phone in phones:
        digits = _digits(phone)[-11:]
        if len(digits) >= 7 and any(r.endswith(digits) or digits.endswith(r) for r in runs):
            raise Invalid(
                _(
                    "Don't send the customer to a colleague's number. "
                    "Propose a hand-off so the customer keeps one accountable owner."
                ),
                fields={"body": str(_("Contains a colleague's phone number."))},
            )


@transaction.atomic
def add_comment(*, actor: Person, ticket: Ticket, body: str, public: bool = True) -> TimelineEntry:
    """A reply or note. Customers only write public ones; a customer reply to a ticket that
    waits for them puts it back in progress, and one to a resolved (or, within the grace
    period, closed) ticket reopens it."""
    ticket = locked(ticket)
    policy.check_view(actor, ticket)
    text = require_text(body, "body", rules.Limits.TEXT)
    if actor.is_customer and not public:
        raise PermissionDenied(_("Customers can only write public comments."))
    if public and not actor.is_customer:
        _refuse_colleague_numbers(ticket, text)
    if actor.is_customer and ticket.status in rules.REOPENABLE:
        # A customer who writes after the resolution is not satisfied yet: the message
        # reopens the ticket (their words are the reason) and goes back to the owner.
        policy.check_customer_of(actor, ticket)
        _reopen(actor, ticket, text)
        return ticket.timeline.filter(kind=EntryKind.REOPENED).order_by("-id").first()
    entry = add_entry(ticket, EntryKind.COMMENT, actor, body=text, public=public)
    before = snapshot(ticket)
    if actor.is_customer and ticket.status == Status.WAITING_CUSTOMER:
        ticket.status = Status.IN_PROGRESS
        save(ticket, "status")
    else:
        save(ticket)
    emit(EventKind.COMMENTED, ticket, actor, public=public, by_customer=actor.is_customer)
    audit.record(
        actor=actor,
        action="ticket.comment",
        obj=ticket,
        before=before,
        after={**snapshot(ticket), "entry": entry.pk, "public": public},
    )
    return entry


@transaction.atomic
def log_call(
    *,
    actor: Person,
    ticket: Ticket,
    direction: str,
    outcome: str,
    party: str = "",
    note: str = "",
) -> TimelineEntry:
    """Record a phone call with its outcome — unanswered calls count as much as answered ones."""
    ticket = locked(ticket)
    policy.check_view(actor, ticket)
    policy.check_staff(actor)
    errors = {}
    if direction not in CallDirection.values:
        errors["direction"] = str(_("Choose inbound or outbound."))
    if outcome not in CallOutcome.values:
        errors["outcome"] = str(_("Choose how the call ended."))
    for field, value, limit in (("party", party, Limits.PARTY), ("note", note, Limits.NOTE)):
        if len(value or "") > limit:
            errors[field] = str(_("At most %(n)d characters.") % {"n": limit})
    if errors:
        raise Invalid(fields=errors)
    entry = add_entry(
        ticket,
        EntryKind.CALL,
        actor,
        body=(note or "").strip(),
        public=False,
        data={"direction": direction, "outcome": outcome, "party": (party or "").strip()[:200]},
    )
    save(ticket)
    emit(EventKind.CALL, ticket, actor, outcome=outcome, direction=direction)
    audit.record(
        actor=actor,
        action="ticket.call",
        obj=ticket,
        after={"entry": entry.pk, "direction": direction, "outcome": outcome},
    )
    return entry


@transaction.atomic
def set_conclusion(
    *, actor: Person, ticket: Ticket, text: str, reason: str = "", version: int | None = None
) -> Conclusion:
    """Record the single current technical answer. A change needs a reason and keeps history."""
    ticket = locked(ticket, version)
    policy.check_view(actor, ticket)
    policy.check_owner_or_manager(actor, ticket)
    text = require_text(text, "text", rules.Limits.TEXT)
    current = ticket.conclusions.order_by("-version").first()
    reason = (reason or "").strip()
    if len(reason) > Limits.REASON:
        raise Invalid(fields={"reason": str(_("At most %(n)d characters.") % {"n": Limits.REASON})})
    if current is not None and not reason:
        raise Invalid(fields={"reason": str(_("Say why the conclusion changes."))})
    if current is not None and current.text == text:
        raise Invalid(fields={"text": str(_("The conclusion is unchanged."))})
    conclusion = Conclusion.objects.create(
        ticket=ticket,
        version=(current.version + 1) if current else 1,
        text=text,
        reason=reason,
        author=actor,
        at=clock.now(),
    )
    add_entry(
        ticket,
        EntryKind.CONCLUSION,
        actor,
        body=text,
        data={"version": conclusion.version, "reason": reason},
    )
    save(ticket)
    emit(EventKind.CONCLUSION, ticket, actor, version=conclusion.version)
    audit.record(
        actor=actor,
        action="ticket.conclusion",
        obj=ticket,
        before={"text": current.text, "version": current.version} if current else None,
        after={"text": text, "version": conclusion.version, "reason": reason},
    )
    return conclusion


@transaction.atomic
def resolve(*, actor: Person, ticket: Ticket, note: str, version: int | None = None) -> Ticket:
    """The owner declares the problem solved, saying how. Closure waits for the customer."""
    ticket = locked(ticket, version)
    policy.check_view(actor, ticket)
    policy.check_owner_or_manager(actor, ticket)
    note = require_text(note, "note", rules.Limits.TEXT)
    require_open(ticket)
    before = snapshot(ticket)
    now = clock.now()
    ticket.status = Status.RESOLVED
    ticket.resolution_note = note
    ticket.resolved_at = now
    ticket.acknowledged_at = ticket.acknowledged_at or now
    save(ticket, "status", "resolution_note", "resolved_at", "acknowledged_at")
    add_entry(ticket, EntryKind.RESOLVED, actor, body=note)
    closing.schedule(ticket)
    emit(EventKind.RESOLVED, ticket, actor)
    audit.record(
        actor=actor, action="ticket.resolve", obj=ticket, before=before, after=snapshot(ticket)
    )
    return ticket


@transaction.atomic
def confirm_closure(*, actor: Person, ticket: Ticket, note: str = "") -> Ticket:
    """Only the customer closes: a resolved ticket stays open until they confirm."""
    ticket = locked(ticket)
    policy.check_view(actor, ticket)
    policy.check_customer_of(actor, ticket)
    if ticket.status != Status.RESOLVED:
        raise InvalidTransition(_("Only a resolved ticket can be closed."))
    if len(note or "") > Limits.NOTE:
        raise Invalid(fields={"note": str(_("At most %(n)d characters.") % {"n": Limits.NOTE})})
    before = snapshot(ticket)
    ticket.status = Status.CLOSED
    ticket.closed_at = clock.now()
    ticket.closed_how = "confirmed"
    save(ticket, "status", "closed_at", "closed_how")
    closing.cancel(ticket)
    add_entry(ticket, EntryKind.CLOSED, actor, body=(note or "").strip())
    emit(EventKind.CLOSED, ticket, actor)
    audit.record(
        actor=actor, action="ticket.close", obj=ticket, before=before, after=snapshot(ticket)
    )
    return ticket


@transaction.atomic
def reopen(*, actor: Person, ticket: Ticket, reason: str) -> Ticket:
    """The customer says it is not solved: the ticket returns to its owner to acknowledge.
    A closed ticket can be reopened for the grace period after its closure."""
    ticket = locked(ticket)
    policy.check_view(actor, ticket)
    policy.check_customer_of(actor, ticket)
    reason = require_text(reason, "reason", rules.Limits.TEXT)
    return _reopen(actor, ticket, reason)


def _reopen(actor: Person, ticket: Ticket, reason: str) -> Ticket:
    if ticket.status not in rules.REOPENABLE:
        raise InvalidTransition(_("Only a resolved or closed ticket can be reopened."))
    until = closing.reopen_allowed_until(ticket)
    if ticket.status == Status.CLOSED and until is not None and clock.now() > until:
        raise InvalidTransition(
            closing.REOPEN_TOO_LATE % {"days": closing.reopen_grace().days, "number": ticket.number}
        )
    before = snapshot(ticket)
    ticket.status = Status.REOPENED
    ticket.resolved_at = None
    ticket.closed_at = None
    ticket.closed_how = ""
    save(ticket, "status", "resolved_at", "closed_at", "closed_how")
    closing.cancel(ticket)
    add_entry(ticket, EntryKind.REOPENED, actor, body=reason)
    emit(EventKind.REOPENED, ticket, actor)
    audit.record(
        actor=actor, action="ticket.reopen", obj=ticket, before=before, after=snapshot(ticket)
    )
    return ticket


SYSTEM_KINDS = {EntryKind.ESCALATED, EntryKind.CLOCK_BREACHED}


def set_clock_summary(*, ticket_id: int, urgency: int, next_due_at: dt.datetime | None) -> None:
    """The ticket's copy of its running clocks (escalation.clocks.summarise works it out, in
    the transaction that changed a clock), read by the queue's default order through an index.
    Derived data, not a change of the ticket: no version, timeline entry or audit record — the
    clock changes behind it are recorded where they happen."""
    Ticket.objects.filter(pk=ticket_id).update(urgency=urgency, next_due_at=next_due_at)


@transaction.atomic
def record_system_event(
    *, ticket: Ticket, kind: str, data: dict, public: bool = False, body: str = ""
) -> TimelineEntry:
    """What CareDesk itself did to a ticket (an escalation step fired, a clock ran out):
    a timeline entry, an audit record and an event, like any verb — but no actor."""
    if kind not in SYSTEM_KINDS:
        raise ValueError(f"{kind!r} is not a system event")
    ticket = locked(ticket)
    entry = add_entry(ticket, kind, None, body=body, public=public, data=data)
    save(ticket)
    emit(EventKind(f"ticket.{kind}"), ticket, None, **data)
    audit.record(actor=None, action=f"ticket.{kind}", obj=ticket, after=data)
    return entry


def record_system_events(
    *, ticket: Ticket, happenings: list[tuple[str, dict, bool]]
) -> list[TimelineEntry]:
    """Several things CareDesk did to one ticket at once (the escalation steps and clock
    breaches a worker pass decided together), as record_system_event tells each — but on a
    ticket the caller already holds locked (lock_ticket), in one INSERT of timeline entries,
    one new version and one INSERT of audit records. `happenings`: (kind, data, public)."""
    if not happenings:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_system_events() must run inside the change's transaction")
    for kind, _data, _public in happenings:
        if kind not in SYSTEM_KINDS:
            raise ValueError(f"{kind!r} is not a system event")
    now = clock.now()
    entries = TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(ticket=ticket, kind=kind, actor=None, public=public, data=data, at=now)
            for kind, data, public in happenings
        ]
    )
    save(ticket)
    for kind, data, _public in happenings:
        emit(EventKind(f"ticket.{kind}"), ticket, None, **data)
    audit.record_many(
        actor=None,
        action="",
        changes=[(ticket, None, data) for _kind, data, _public in happenings],
        actions=[f"ticket.{kind}" for kind, _data, _public in happenings],
    )
    return entries


WORK_KINDS = {
    EntryKind.VISIT_PLANNED,
    EntryKind.VISIT_CANCELLED,
    EntryKind.VISIT_TRAVEL,
    EntryKind.VISIT_ARRIVED,
    EntryKind.VISIT_LEFT,
    EntryKind.VISIT_CONFIRMED,
}


def record_work(
    *,
    actor: Person,
    ticket: Ticket,
    kind: str,
    event: str,
    body: str = "",
    public: bool = True,
    data: dict | None = None,
    event_data: dict | None = None,
) -> TimelineEntry:
    """What a work app did on a ticket (fieldwork: a site visit's step), told like a ticket
    verb: the timeline entry, the ticket's new version and the event — in the caller's
    transaction, on the ticket the caller locked (lock_ticket) and checked its own rules on.
    The caller writes the audit record of its own object."""
    if kind not in WORK_KINDS:
        raise ValueError(f"{kind!r} is not a work entry")
    entry = add_entry(ticket, kind, actor, body=body, public=public, data=data)
    save(ticket)
    emit(event, ticket, actor, **(event_data or {}))
    return entry
