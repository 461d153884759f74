"""Working a ticket: acknowledge, comments, calls, conclusion, resolve, closure, reopen, edits."""

import pytest

from caredesk.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationFailed
from caredesk.tickets import services
from caredesk.tickets.models import Conclusion, EntryKind, Status, Ticket


@pytest.fixture
def ticket(open_request):
    return open_request()  # engineer.b owns it


def fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def test_only_owner_acknowledges(cast, ticket):
    with pytest.raises(PermissionDenied):
        services.acknowledge(actor=cast.c, ticket=ticket)
    services.acknowledge(actor=cast.b, ticket=ticket)
    t = fresh(ticket)
    assert t.status == Status.ACKNOWLEDGED
    assert t.acknowledged_at is not None
    with pytest.raises(InvalidTransition):
        services.acknowledge(actor=cast.b, ticket=ticket)


def test_resolution_needs_a_note(cast, ticket):
    with pytest.raises(ValidationFailed) as err:
        services.resolve(actor=cast.b, ticket=ticket, note="  ")
    assert "note" in err.value.fields
    assert fresh(ticket).status == Status.NEW


def test_closure_only_with_customer_confirmation(cast, ticket):
    services.resolve(actor=cast.b, ticket=ticket, note="Replaced the board.")
    assert fresh(ticket).status == Status.RESOLVED
    for staff in (cast.b, cast.a):
        with pytest.raises(PermissionDenied):
            services.confirm_closure(actor=staff, ticket=ticket)
    services.confirm_closure(actor=cast.y, ticket=ticket, note="Works now.")
    t = fresh(ticket)
    assert t.status == Status.CLOSED
    assert t.closed_at is not None


def test_province_contact_can_confirm_a_branch_ticket(cast, ticket):
    services.resolve(actor=cast.b, ticket=ticket, note="done")
    services.confirm_closure(actor=cast.x, ticket=ticket)
    assert fresh(ticket).status == Status.CLOSED


def test_cannot_close_an_unresolved_ticket(cast, ticket):
    with pytest.raises(InvalidTransition):
        services.confirm_closure(actor=cast.y, ticket=ticket)


def test_customer_reopens_and_owner_must_acknowledge_again(cast, ticket):
    services.acknowledge(actor=cast.b, ticket=ticket)
    services.resolve(actor=cast.b, ticket=ticket, note="done")
    with pytest.raises(ValidationFailed):
        services.reopen(actor=cast.y, ticket=ticket, reason="")
    services.reopen(actor=cast.y, ticket=ticket, reason="It failed again this morning.")
    t = fresh(ticket)
    assert t.status == Status.REOPENED
    assert t.resolved_at is None
    assert t.owner == cast.b
    services.acknowledge(actor=cast.b, ticket=ticket)
    assert fresh(ticket).status == Status.ACKNOWLEDGED


def test_closed_ticket_can_be_reopened(cast, ticket):
    services.resolve(actor=cast.b, ticket=ticket, note="done")
    services.confirm_closure(actor=cast.y, ticket=ticket)
    services.reopen(actor=cast.y, ticket=ticket, reason="Back again.")
    assert fresh(ticket).status == Status.REOPENED


def test_customer_comments_are_public_only(cast, ticket):
    with pytest.raises(PermissionDenied):
        services.add_comment(actor=cast.y, ticket=ticket, body="secret", public=False)
    entry = services.add_comment(actor=cast.y, ticket=ticket, body="More detail")
    assert entry.public is True


def test_customer_reply_puts_waiting_ticket_back_in_progress(cast, ticket):
    services.acknowledge(actor=cast.b, ticket=ticket)
    t = fresh(ticket)
    services.edit_ticket(
        actor=cast.b, ticket=t, version=t.version, changes={"status": "waiting_customer"}
    )
    services.add_comment(actor=cast.y, ticket=ticket, body="Here are the logs.")
    assert fresh(ticket).status == Status.IN_PROGRESS


def test_public_reply_with_a_colleagues_number_is_refused(cast, ticket):
    # Seed case 1: "call my colleague on 138…" is buck-passing; a hand-off is the way.
    with pytest.raises(ValidationFailed) as err:
        services.add_comment(
            actor=cast.b, ticket=ticket, body="This is radio, please call 陈晨 at 138 0000 0003."
        )
    assert "body" in err.value.fields
    assert not ticket.timeline.filter(kind=EntryKind.COMMENT).exists()
    # The owner's own number and internal notes are fine.
    services.add_comment(actor=cast.b, ticket=ticket, body="Reach me on 138-0000-0002.")
    services.add_comment(actor=cast.b, ticket=ticket, body="c: 13800000003", public=False)
    assert ticket.timeline.filter(kind=EntryKind.COMMENT).count() == 2


def test_call_outcomes_are_logged_for_staff_only(cast, ticket):
    entry = services.log_call(
        actor=cast.b, ticket=ticket, direction="outbound", outcome="no_answer", party="杨越"
    )
    assert entry.public is False
    assert entry.data == {"direction": "outbound", "outcome": "no_answer", "party": "杨越"}
    with pytest.raises(PermissionDenied):
        services.log_call(actor=cast.y, ticket=ticket, direction="inbound", outcome="answered")
    with pytest.raises(ValidationFailed):
        services.log_call(actor=cast.b, ticket=ticket, direction="sideways", outcome="maybe")


def test_conclusion_is_versioned_and_a_change_needs_a_reason(cast, ticket):
    first = services.set_conclusion(actor=cast.b, ticket=ticket, text="Incompatible version.")
    assert first.version == 1
    with pytest.raises(ValidationFailed) as err:
        services.set_conclusion(actor=cast.b, ticket=ticket, text="Patch fixes it.")
    assert "reason" in err.value.fields
    second = services.set_conclusion(
        actor=cast.b, ticket=ticket, text="Patch fixes it.", reason="R&D reproduced it."
    )
    assert second.version == 2
    texts = list(Conclusion.objects.filter(ticket=ticket).values_list("version", "text"))
    assert texts == [(2, "Patch fixes it."), (1, "Incompatible version.")]
    with pytest.raises(PermissionDenied):
        services.set_conclusion(actor=cast.c, ticket=ticket, text="Other", reason="x")


def test_stale_version_is_a_conflict_and_changes_nothing(cast, ticket):
    v = fresh(ticket).version
    services.edit_ticket(actor=cast.b, ticket=ticket, version=v, changes={"title": "New title"})
    with pytest.raises(StaleVersion):
        services.edit_ticket(actor=cast.b, ticket=ticket, version=v, changes={"title": "Other"})
    t = fresh(ticket)
    assert t.title == "New title"
    assert t.version == v + 1


def test_edit_refuses_unknown_fields_and_bad_moves(cast, ticket):
    v = fresh(ticket).version
    with pytest.raises(ValidationFailed):
        services.edit_ticket(actor=cast.b, ticket=ticket, version=v, changes={"owner": cast.c})
    with pytest.raises(InvalidTransition):
        services.edit_ticket(actor=cast.b, ticket=ticket, version=v, changes={"status": "closed"})
    assert fresh(ticket).owner == cast.b


def test_every_change_bumps_the_version(cast, ticket):
    versions = [fresh(ticket).version]
    services.acknowledge(actor=cast.b, ticket=ticket)
    versions.append(fresh(ticket).version)
    services.add_comment(actor=cast.b, ticket=ticket, body="Looking")
    versions.append(fresh(ticket).version)
    services.set_conclusion(actor=cast.b, ticket=ticket, text="x")
    versions.append(fresh(ticket).version)
    assert versions == sorted(set(versions))
