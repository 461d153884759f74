"""Hand-offs: the owner stays accountable until the proposed colleague accepts."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import (
    Person,
)
from caredesk.errors import Conflict, PermissionDenied
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind

from .. import policy, rules
from ..models import (
    EntryKind,
    Handoff,
    HandoffStatus,
    Ticket,
)
from ._base import add_entry, emit, locked, require_open, require_text, save, snapshot


class HandoffNotPending(Conflict):
    code = "handoff_not_pending"
    default_message = _("This hand-off has already been decided.")


class HandoffAlreadyPending(Conflict):
    code = "handoff_already_pending"
    default_message = _("A hand-off of this ticket is already waiting to be accepted.")


def _locked_handoff(handoff: Handoff | int) -> tuple[Handoff, Ticket]:
    pk = handoff.pk if isinstance(handoff, Handoff) else handoff
    # Lock the ticket first, then the hand-off, always in that order (no deadlocks).
    ticket_id = Handoff.objects.values_list("ticket_id", flat=True).get(pk=pk)
    ticket = locked(ticket_id)
    fresh = (
        Handoff.objects.select_for_update(of=("self",))
        .select_related("to_person", "from_person")
        .get(pk=pk)
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
    ticket = locked(ticket, version)
    policy.check_view(actor, ticket)
    policy.check_owner_or_manager(actor, ticket)
    require_open(ticket)
    reason = require_text(reason, "reason", rules.Limits.REASON)
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
    add_entry(
        ticket,
        EntryKind.HANDOFF_PROPOSED,
        actor,
        body=reason,
        public=False,
        at=now,
        data={"handoff": handoff.pk, "to": to_person.pk, "to_name": to_person.name},
    )
    save(ticket)
    emit(EventKind.HANDOFF_PROPOSED, ticket, actor, handoff=handoff.pk, to=to_person.pk)
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
    before = snapshot(ticket)
    _decide(handoff, HandoffStatus.ACCEPTED)
    ticket.owner = actor
    ticket.owner_since = handoff.decided_at
    ticket.handoff_count += 1
    save(ticket, "owner", "owner_since", "handoff_count")
    add_entry(
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
    emit(
        EventKind.HANDOFF_ACCEPTED,
        ticket,
        actor,
        handoff=handoff.pk,
        previous_owner=handoff.from_person_id,
    )
    audit.record(
        actor=actor, action="handoff.accept", obj=handoff, before=before, after=snapshot(ticket)
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
    reason = require_text(reason, "reason", rules.Limits.REASON)
    _decide(handoff, HandoffStatus.DECLINED, reason)
    save(ticket)
    add_entry(
        ticket,
        EntryKind.HANDOFF_DECLINED,
        actor,
        body=reason,
        public=False,
        data={"handoff": handoff.pk},
    )
    emit(EventKind.HANDOFF_DECLINED, ticket, actor, handoff=handoff.pk)
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
    save(ticket)
    add_entry(
        ticket, EntryKind.HANDOFF_CANCELLED, actor, public=False, data={"handoff": handoff.pk}
    )
    emit(EventKind.HANDOFF_CANCELLED, ticket, actor, handoff=handoff.pk)
    audit.record(actor=actor, action="handoff.cancel", obj=handoff, after={"status": "cancelled"})
    return handoff
