"""The domain verbs for tickets — the only code that changes ticket state.

Every verb checks the policy, changes state, and writes its timeline entry and audit record in
one transaction. A verb that takes `version` refuses to act on a ticket someone else changed
since the caller loaded it (StaleVersion → HTTP 409).
"""

import re
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import (
    OWNER_ROLES,
    Organisation,
    OrgKind,
    Person,
    Product,
    Region,
    Responsibility,
    Role,
    Team,
)
from caredesk.errors import Conflict, InvalidTransition, PermissionDenied, StaleVersion
from caredesk.errors import ValidationFailed as Invalid

from . import policy
from .models import (
    OPEN_STATUSES,
    CallDirection,
    CallOutcome,
    Channel,
    Conclusion,
    EntryKind,
    Handoff,
    HandoffStatus,
    Severity,
    Status,
    Ticket,
    TicketSequence,
    TimelineEntry,
)


class NoOwnerAvailable(Conflict):
    code = "no_owner_available"
    default_message = _(
        "Nobody is responsible for this product in this region. "
        "Ask an administrator to complete the responsibility matrix."
    )


class HandoffNotPending(Conflict):
    code = "handoff_not_pending"
    default_message = _("This hand-off has already been decided.")


class HandoffAlreadyPending(Conflict):
    code = "handoff_already_pending"
    default_message = _("A hand-off of this ticket is already waiting to be accepted.")


# ---------------------------------------------------------------- helpers


def _snapshot(ticket: Ticket) -> dict[str, Any]:
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


def _entry(ticket, kind, actor, *, body="", public=True, data=None, at=None) -> TimelineEntry:
    return TimelineEntry.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        body=body,
        public=public,
        data=data or {},
        at=at or clock.now(),
    )


def _locked(ticket: Ticket | int, version: int | None = None) -> Ticket:
    """Re-read the ticket under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    fresh = (
        Ticket.objects.select_for_update()
        .select_related("owner", "office", "customer_org")
        .get(pk=pk)
    )
    if version is not None and fresh.version != version:
        raise StaleVersion(fields={"version": str(fresh.version)})
    return fresh


def _save(ticket: Ticket, *fields: str) -> None:
    ticket.version += 1
    ticket.updated_at = clock.now()
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def _require_text(value: str | None, field: str, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(fields={field: str(_("This field is required."))})
    if max_length and len(text) > max_length:
        raise Invalid(fields={field: str(_("At most %(n)d characters.") % {"n": max_length})})
    return text


def _require_open(ticket: Ticket) -> None:
    if ticket.status not in OPEN_STATUSES:
        raise InvalidTransition()


def _next_number(year: int) -> str:
    TicketSequence.objects.get_or_create(year=year)
    TicketSequence.objects.filter(year=year).update(last=F("last") + 1)
    last = TicketSequence.objects.get(year=year).last
    return f"CD-{year}-{last:06d}"


def route(product: Product, region: Region) -> tuple[Person, Team | None]:
    """The owner the responsibility matrix names: primary, else backup, else the region's
    service manager. Never nobody: with no one available, opening the ticket fails."""
    cell = (
        Responsibility.objects.select_related("primary", "backup", "team")
        .filter(product=product, region=region)
        .first()
    )
    candidates = [cell.primary, cell.backup] if cell else []
    candidates.append(region.service_manager)
    for person in candidates:
        if person is not None and person.can_own_tickets:
            return person, cell.team if cell else None
    raise NoOwnerAvailable()


# ---------------------------------------------------------------- opening


@transaction.atomic
def open_ticket(
    *,
    actor: Person,
    customer_org: Organisation,
    product: Product,
    region: Region,
    severity: str,
    title: str,
    customer_voice: str,
    channel: str,
    site: str = "",
    requester: Person | None = None,
) -> Ticket:
    """Open a ticket that has an owner from its first instant.

    Staff recording a call or visit own what they record (first-contact responsibility).
    Requests from customers are routed by the responsibility matrix.
    """
    if not policy.can_open_for(actor, customer_org.pk):
        raise PermissionDenied()
    errors: dict[str, str] = {}
    if customer_org.kind != OrgKind.CUSTOMER:
        errors["customer_org"] = str(_("Choose a customer organisation."))
    if severity not in Severity.values:
        errors["severity"] = str(_("Choose a severity from P1 to P4."))
    if channel not in Channel.values:
        errors["channel"] = str(_("Unknown channel."))
    title = (title or "").strip()
    if not title:
        errors["title"] = str(_("This field is required."))
    elif len(title) > 200:
        errors["title"] = str(_("At most %(n)d characters.") % {"n": 200})
    # The customer's words are kept verbatim: only emptiness is checked, nothing is trimmed.
    if not (customer_voice or "").strip():
        errors["customer_voice"] = str(_("Write down what the customer said."))
    if len(site or "") > 200:
        errors["site"] = str(_("At most %(n)d characters.") % {"n": 200})
    if actor.is_customer:
        requester = requester or actor
    if requester is not None and (
        requester.role != Role.CUSTOMER_CONTACT
        or requester.organisation_id not in customer_org.lineage_ids()
    ):
        errors["requester"] = str(_("The requester must be a contact of this customer."))
    if errors:
        raise Invalid(fields=errors)

    cell_owner, team = route(product, region)
    owner = actor if actor.role in OWNER_ROLES else cell_owner
    now = clock.now()
    ticket = Ticket.objects.create(
        number=_next_number(now.year),
        customer_org=customer_org,
        office=region.office,
        requester=requester,
        product=product,
        region=region,
        team=team,
        site=(site or "").strip(),
        severity=severity,
        channel=channel,
        title=title,
        customer_voice=customer_voice,
        owner=owner,
        owner_since=now,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _entry(
        ticket,
        EntryKind.OPENED,
        actor,
        body=customer_voice,
        at=now,
        data={
            "owner": owner.pk,
            "owner_name": owner.name,
            "channel": channel,
            "routed": "first_contact" if owner == actor else "matrix",
        },
    )
    audit.record(actor=actor, action="ticket.open", obj=ticket, after=_snapshot(ticket))
    return ticket


# ---------------------------------------------------------------- working


@transaction.atomic
def acknowledge(*, actor: Person, ticket: Ticket, version: int | None = None) -> Ticket:
    """The owner confirms they have taken the request in hand (确认受理)."""
    ticket = _locked(ticket, version)
    policy.check_view(actor, ticket)
    if ticket.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner can acknowledge this ticket."))
    if ticket.status not in (Status.NEW, Status.REOPENED):
        raise InvalidTransition(_("This ticket is already acknowledged."))
    before = _snapshot(ticket)
    ticket.status = Status.ACKNOWLEDGED
    ticket.acknowledged_at = clock.now()
    _save(ticket, "status", "acknowledged_at")
    _entry(ticket, EntryKind.ACKNOWLEDGED, actor)
    audit.record(
        actor=actor, action="ticket.acknowledge", obj=ticket, before=before, after=_snapshot(ticket)
    )
    return ticket


EDITABLE_FIELDS = frozenset({"title", "severity", "product", "region", "site", "status"})
STATUS_MOVES = {
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.WAITING_CUSTOMER},
    Status.IN_PROGRESS: {Status.WAITING_CUSTOMER},
    Status.WAITING_CUSTOMER: {Status.IN_PROGRESS},
    Status.REOPENED: {Status.IN_PROGRESS, Status.WAITING_CUSTOMER},
}


@transaction.atomic
def edit_ticket(*, actor: Person, ticket: Ticket, version: int, changes: dict[str, Any]) -> Ticket:
    """Change a ticket's details. `version` is required: a stale one is refused, never merged."""
    ticket = _locked(ticket, version)
    policy.check_view(actor, ticket)
    policy.check_owner_or_manager(actor, ticket)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise Invalid(fields={f: str(_("This field cannot be changed.")) for f in sorted(unknown)})
    before = _snapshot(ticket)
    fields: list[str] = []
    if "title" in changes:
        ticket.title = _require_text(changes["title"], "title", 200)
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
    _save(ticket, *fields)
    after = _snapshot(ticket)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k] and k != "version"}
    if "status" in changed and len(changed) == 1:
        _entry(ticket, EntryKind.STATUS, actor, data={"status": ticket.status})
    else:
        _entry(ticket, EntryKind.EDITED, actor, public=False, data={"changes": changed})
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
    waits for them puts it back in progress."""
    ticket = _locked(ticket)
    policy.check_view(actor, ticket)
    text = _require_text(body, "body", 20000)
    if actor.is_customer and not public:
        raise PermissionDenied(_("Customers can only write public comments."))
    if public and not actor.is_customer:
        _refuse_colleague_numbers(ticket, text)
    entry = _entry(ticket, EntryKind.COMMENT, actor, body=text, public=public)
    before = _snapshot(ticket)
    if actor.is_customer and ticket.status == Status.WAITING_CUSTOMER:
        ticket.status = Status.IN_PROGRESS
        _save(ticket, "status")
    else:
        _save(ticket)
    audit.record(
        actor=actor,
        action="ticket.comment",
        obj=ticket,
        before=before,
        after={**_snapshot(ticket), "entry": entry.pk, "public": public},
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
    ticket = _locked(ticket)
    policy.check_view(actor, ticket)
    policy.check_staff(actor)
    errors = {}
    if direction not in CallDirection.values:
        errors["direction"] = str(_("Choose inbound or outbound."))
    if outcome not in CallOutcome.values:
        errors["outcome"] = str(_("Choose how the call ended."))
    if errors:
        raise Invalid(fields=errors)
    entry = _entry(
        ticket,
        EntryKind.CALL,
        actor,
        body=(note or "").strip(),
        public=False,
        data={"direction": direction, "outcome": outcome, "party": (party or "").strip()[:200]},
    )
    _save(ticket)
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
    ticket = _locked(ticket, version)
    policy.check_view(actor, ticket)
    policy.check_owner_or_manager(actor, ticket)
    text = _require_text(text, "text", 20000)
    current = ticket.conclusions.order_by("-version").first()
    reason = (reason or "").strip()
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
    _entry(
        ticket,
        EntryKind.CONCLUSION,
        actor,
        body=text,
        data={"version": conclusion.version, "reason": reason},
    )
    _save(ticket)
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
    ticket = _locked(ticket, version)
    policy.check_view(actor, ticket)
    policy.check_owner_or_manager(actor, ticket)
    note = _require_text(note, "note", 20000)
    _require_open(ticket)
    before = _snapshot(ticket)
    now = clock.now()
    ticket.status = Status.RESOLVED
    ticket.resolution_note = note
    ticket.resolved_at = now
    ticket.acknowledged_at = ticket.acknowledged_at or now
    _save(ticket, "status", "resolution_note", "resolved_at", "acknowledged_at")
    _entry(ticket, EntryKind.RESOLVED, actor, body=note)
    audit.record(
        actor=actor, action="ticket.resolve", obj=ticket, before=before, after=_snapshot(ticket)
    )
    return ticket


@transaction.atomic
def confirm_closure(*, actor: Person, ticket: Ticket, note: str = "") -> Ticket:
    """Only the customer closes: a resolved ticket stays open until they confirm."""
    ticket = _locked(ticket)
    policy.check_view(actor, ticket)
    policy.check_customer_of(actor, ticket)
    if ticket.status != Status.RESOLVED:
        raise InvalidTransition(_("Only a resolved ticket can be closed."))
    before = _snapshot(ticket)
    ticket.status = Status.CLOSED
    ticket.closed_at = clock.now()
    _save(ticket, "status", "closed_at")
    _entry(ticket, EntryKind.CLOSED, actor, body=(note or "").strip())
    audit.record(
        actor=actor, action="ticket.close", obj=ticket, before=before, after=_snapshot(ticket)
    )
    return ticket


@transaction.atomic
def reopen(*, actor: Person, ticket: Ticket, reason: str) -> Ticket:
    """The customer says it is not solved: the ticket returns to its owner to acknowledge."""
    ticket = _locked(ticket)
    policy.check_view(actor, ticket)
    policy.check_customer_of(actor, ticket)
    reason = _require_text(reason, "reason", 20000)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise InvalidTransition(_("Only a resolved or closed ticket can be reopened."))
    before = _snapshot(ticket)
    ticket.status = Status.REOPENED
    ticket.resolved_at = None
    ticket.closed_at = None
    _save(ticket, "status", "resolved_at", "closed_at")
    _entry(ticket, EntryKind.REOPENED, actor, body=reason)
    audit.record(
        actor=actor, action="ticket.reopen", obj=ticket, before=before, after=_snapshot(ticket)
    )
    return ticket


# ---------------------------------------------------------------- hand-offs


def _locked_handoff(handoff: Handoff | int) -> tuple[Handoff, Ticket]:
    pk = handoff.pk if isinstance(handoff, Handoff) else handoff
    # Lock the ticket first, then the hand-off, always in that order (no deadlocks).
    ticket_id = Handoff.objects.values_list("ticket_id", flat=True).get(pk=pk)
    ticket = _locked(ticket_id)
    fresh = (
        Handoff.objects.select_for_update().select_related("to_person", "from_person").get(pk=pk)
    )
    return fresh, ticket


@transaction.atomic
def propose_handoff(
    *,
    actor: Person,
    ticket: Ticket,
    to_person: Person,
    reason: str,
    version: int | None = None,
) -> Handoff:
    """Ask a colleague to take over. The current owner stays accountable until they accept."""
    ticket = _locked(ticket, version)
    policy.check_view(actor, ticket)
    policy.check_owner_or_manager(actor, ticket)
    _require_open(ticket)
    reason = _require_text(reason, "reason", 2000)
    if not to_person.can_own_tickets:
        raise Invalid(
            _("A hand-off goes to a colleague who can own the ticket, never to a customer."),
            fields={"to_person": str(_("This person cannot own tickets."))},
        )
    if to_person.pk == ticket.owner_id:
        raise Invalid(fields={"to_person": str(_("This person already owns the ticket."))})
    if ticket.handoffs.filter(status=HandoffStatus.PENDING).exists():
        raise HandoffAlreadyPending()
    now = clock.now()
    handoff = Handoff.objects.create(
        ticket=ticket,
        from_person=ticket.owner,
        to_person=to_person,
        proposed_by=actor,
        reason=reason,
        created_at=now,
    )
    _entry(
        ticket,
        EntryKind.HANDOFF_PROPOSED,
        actor,
        body=reason,
        public=False,
        at=now,
        data={"handoff": handoff.pk, "to": to_person.pk, "to_name": to_person.name},
    )
    _save(ticket)
    audit.record(
        actor=actor,
        action="handoff.propose",
        obj=handoff,
        after={"ticket": ticket.pk, "from": ticket.owner_id, "to": to_person.pk},
    )
    return handoff


def _decide(handoff: Handoff, status: str, response_reason: str = "") -> None:
    handoff.status = status
    handoff.response_reason = response_reason
    handoff.decided_at = clock.now()
    handoff.save(update_fields=["status", "response_reason", "decided_at"])


@transaction.atomic
def accept_handoff(*, actor: Person, handoff: Handoff) -> Handoff:
    """The proposed colleague takes the ticket: from now on they are its accountable owner."""
    handoff, ticket = _locked_handoff(handoff)
    policy.check_view(actor, ticket)
    if handoff.to_person_id != actor.pk:
        raise PermissionDenied(_("Only the proposed new owner can accept this hand-off."))
    if handoff.status != HandoffStatus.PENDING:
        raise HandoffNotPending()
    if not actor.can_own_tickets:
        raise PermissionDenied()
    before = _snapshot(ticket)
    _decide(handoff, HandoffStatus.ACCEPTED)
    ticket.owner = actor
    ticket.owner_since = handoff.decided_at
    ticket.handoff_count += 1
    _save(ticket, "owner", "owner_since", "handoff_count")
    _entry(
        ticket,
        EntryKind.HANDOFF_ACCEPTED,
        actor,
        data={
            "handoff": handoff.pk,
            "from": handoff.from_person_id,
            "from_name": handoff.from_person.name,
            "owner": actor.pk,
            "owner_name": actor.name,
            "owner_phone": actor.phone,
        },
    )
    audit.record(
        actor=actor, action="handoff.accept", obj=handoff, before=before, after=_snapshot(ticket)
    )
    return handoff


@transaction.atomic
def decline_handoff(*, actor: Person, handoff: Handoff, reason: str) -> Handoff:
    """The proposed colleague refuses, saying why; the owner keeps the ticket."""
    handoff, ticket = _locked_handoff(handoff)
    policy.check_view(actor, ticket)
    if handoff.to_person_id != actor.pk:
        raise PermissionDenied(_("Only the proposed new owner can decline this hand-off."))
    if handoff.status != HandoffStatus.PENDING:
        raise HandoffNotPending()
    reason = _require_text(reason, "reason", 2000)
    _decide(handoff, HandoffStatus.DECLINED, reason)
    _save(ticket)
    _entry(
        ticket,
        EntryKind.HANDOFF_DECLINED,
        actor,
        body=reason,
        public=False,
        data={"handoff": handoff.pk},
    )
    audit.record(
        actor=actor,
        action="handoff.decline",
        obj=handoff,
        after={"status": handoff.status, "reason": reason},
    )
    return handoff


@transaction.atomic
def cancel_handoff(*, actor: Person, handoff: Handoff) -> Handoff:
    """The owner (or the office's manager) withdraws a hand-off not yet accepted."""
    handoff, ticket = _locked_handoff(handoff)
    policy.check_view(actor, ticket)
    if actor.pk not in (handoff.from_person_id, handoff.proposed_by_id) and not (
        policy.is_manager_of(actor, ticket)
    ):
        raise PermissionDenied(_("Only the owner can cancel this hand-off."))
    if handoff.status != HandoffStatus.PENDING:
        raise HandoffNotPending()
    _decide(handoff, HandoffStatus.CANCELLED)
    _save(ticket)
    _entry(ticket, EntryKind.HANDOFF_CANCELLED, actor, public=False, data={"handoff": handoff.pk})
    audit.record(actor=actor, action="handoff.cancel", obj=handoff, after={"status": "cancelled"})
    return handoff
