"""Hand-offs: the owner stays accountable until the colleague accepts (seed case 1)."""

import pytest

from caredesk.errors import PermissionDenied, ValidationFailed
from caredesk.tickets import policy, services
from caredesk.tickets.models import EntryKind, Handoff, HandoffStatus, Ticket
from caredesk.tickets.services import HandoffAlreadyPending, HandoffNotPending


@pytest.fixture
def ticket(open_request):
    return open_request()  # owned by engineer.b via the matrix


def _owner(ticket):
    return Ticket.objects.get(pk=ticket.pk).owner


def test_owner_unchanged_until_handoff_accepted(cast, ticket):
    handoff = services.propose_handoff(
        actor=cast.b, ticket=ticket, to_person=cast.c, reason="Radio problem, not core."
    )
    assert handoff.status == HandoffStatus.PENDING
    assert _owner(ticket) == cast.b
    services.accept_handoff(actor=cast.c, handoff=handoff)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.owner == cast.c
    assert fresh.handoff_count == 1
    accepted = fresh.timeline.get(kind=EntryKind.HANDOFF_ACCEPTED)
    assert accepted.public is True
    assert accepted.data["owner_phone"] == cast.c.phone


def test_declined_handoff_keeps_owner(cast, ticket):
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    services.decline_handoff(actor=cast.c, handoff=handoff, reason="Core issue, see logs.")
    assert _owner(ticket) == cast.b
    assert Handoff.objects.get(pk=handoff.pk).status == HandoffStatus.DECLINED
    assert Ticket.objects.get(pk=ticket.pk).handoff_count == 0


def test_decline_needs_a_reason(cast, ticket):
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    with pytest.raises(ValidationFailed):
        services.decline_handoff(actor=cast.c, handoff=handoff, reason=" ")
    assert Handoff.objects.get(pk=handoff.pk).status == HandoffStatus.PENDING


def test_handoff_to_customer_contact_is_rejected(cast, ticket):
    with pytest.raises(ValidationFailed) as err:
        services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.y, reason="r")
    assert "to_person" in err.value.fields
    assert not Handoff.objects.exists()


def test_handoff_to_inactive_colleague_is_rejected(cast, ticket):
    cast.c.is_active = False
    cast.c.save()
    with pytest.raises(ValidationFailed):
        services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")


def test_handoff_needs_a_reason(cast, ticket):
    with pytest.raises(ValidationFailed) as err:
        services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="")
    assert "reason" in err.value.fields


def test_only_the_target_can_accept(cast, ticket):
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    for intruder in (cast.b, cast.a):
        with pytest.raises(PermissionDenied):
            services.accept_handoff(actor=intruder, handoff=handoff)
    assert _owner(ticket) == cast.b


def test_only_owner_or_manager_proposes(cast, ticket):
    with pytest.raises(PermissionDenied):
        services.propose_handoff(actor=cast.c, ticket=ticket, to_person=cast.c, reason="mine")
    # The office's service manager may step in for an absent owner.
    handoff = services.propose_handoff(
        actor=cast.a, ticket=ticket, to_person=cast.c, reason="b is on leave"
    )
    assert handoff.from_person == cast.b


def test_one_pending_handoff_at_a_time(cast, ticket):
    services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    with pytest.raises(HandoffAlreadyPending):
        services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.d, reason="r")


def test_cancelled_handoff_cannot_be_accepted(cast, ticket):
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    services.cancel_handoff(actor=cast.b, handoff=handoff)
    with pytest.raises(HandoffNotPending):
        services.accept_handoff(actor=cast.c, handoff=handoff)
    assert _owner(ticket) == cast.b


def test_accepting_twice_is_refused(cast, ticket):
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    services.accept_handoff(actor=cast.c, handoff=handoff)
    with pytest.raises(HandoffNotPending):
        services.accept_handoff(actor=cast.c, handoff=handoff)
    assert Ticket.objects.get(pk=ticket.pk).handoff_count == 1


def test_partner_sees_a_ticket_once_it_is_proposed_to_them(cast, ticket):
    assert not policy.can_view(cast.d, ticket)
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.d, reason="r")
    assert policy.can_view(cast.d, ticket)
    services.accept_handoff(actor=cast.d, handoff=handoff)
    assert _owner(ticket) == cast.d


def test_no_handoff_of_a_resolved_ticket(cast, ticket):
    services.resolve(actor=cast.b, ticket=ticket, note="fixed")
    from caredesk.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")


def test_handoff_timeline_is_internal_until_accepted(cast, ticket):
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    proposed = ticket.timeline.get(kind=EntryKind.HANDOFF_PROPOSED)
    assert proposed.public is False
    assert proposed.data["handoff"] == handoff.pk
