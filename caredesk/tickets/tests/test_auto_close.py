"""A resolved ticket nobody answers closes by itself after the customer's silence period, with
a reminder half-way, recorded as auto-closed (never as confirmed) and reopenable for a grace
period; a customer who writes after the resolution reopens it."""

import datetime as dt

import pytest

from caredesk.conftest import T0
from caredesk.errors import InvalidTransition
from caredesk.notify.models import Message
from caredesk.tickets import services
from caredesk.tickets.models import EntryKind, Status, Ticket

DAY = 24 * 60  # the shared `at` fixture moves the clock in minutes from T0


@pytest.fixture
def resolved(cast, open_request, at):
    at(0 * DAY)
    ticket = open_request()
    services.resolve(actor=cast.b, ticket=ticket, note="更换了主控板")
    return Ticket.objects.get(pk=ticket.pk)


def _fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def test_silence_reminds_half_way_then_closes_as_auto_closed(cast, resolved, at):
    at(3.4 * DAY)
    assert not Message.objects.filter(template="auto_close_reminder").exists()
    at(3.6 * DAY)
    reminders = Message.objects.filter(template="auto_close_reminder")
    assert [m.recipient for m in reminders] == [cast.y]  # the requester, once
    assert resolved.timeline.filter(kind=EntryKind.AUTO_CLOSE_REMINDED, public=True).count() == 1
    assert _fresh(resolved).status == Status.RESOLVED
    at(6.9 * DAY)
    assert _fresh(resolved).status == Status.RESOLVED
    at(7.1 * DAY)
    ticket = _fresh(resolved)
    assert ticket.status == Status.CLOSED
    assert ticket.closed_how == "auto"
    assert ticket.closed_at == T0 + dt.timedelta(days=7.1)
    # Recorded as auto-closed, never as the customer's confirmation.
    assert not ticket.timeline.filter(kind=EntryKind.CLOSED).exists()
    closed = ticket.timeline.get(kind=EntryKind.AUTO_CLOSED)
    assert closed.actor is None and closed.public
    assert closed.data["silence_days"] == 7
    told = Message.objects.get(template="ticket_auto_closed", recipient=cast.y)
    assert told.context["silence_days"] == 7
    at(9 * DAY)
    assert Message.objects.filter(template="auto_close_reminder").count() == 1  # not again


def test_customer_reopens_within_the_grace_and_is_refused_after_it(cast, resolved, at):
    at(7.1 * DAY)
    at((7.1 + 13.9) * DAY)
    services.reopen(actor=cast.y, ticket=_fresh(resolved), reason="又坏了")
    assert _fresh(resolved).status == Status.REOPENED
    assert _fresh(resolved).closed_how == ""
    services.resolve(actor=cast.b, ticket=_fresh(resolved), note="再次更换")
    at((7.1 + 13.9 + 7.1) * DAY)  # silent again: closes again
    assert _fresh(resolved).status == Status.CLOSED
    at((7.1 + 13.9 + 7.1 + 14.1) * DAY)
    with pytest.raises(InvalidTransition) as refused:
        services.reopen(actor=cast.y, ticket=_fresh(resolved), reason="还是坏")
    assert resolved.number in str(refused.value.message)
    assert _fresh(resolved).status == Status.CLOSED


def test_an_answer_before_the_silence_ends_cancels_the_closure(cast, resolved, at):
    at(2 * DAY)
    services.reopen(actor=cast.y, ticket=_fresh(resolved), reason="没解决")
    at(8 * DAY)
    ticket = _fresh(resolved)
    assert ticket.status == Status.REOPENED
    assert not ticket.timeline.filter(kind=EntryKind.AUTO_CLOSED).exists()
    assert not Message.objects.filter(template="auto_close_reminder").exists()


def test_confirmation_is_recorded_as_confirmed(cast, resolved, at):
    at(1 * DAY)
    services.confirm_closure(actor=cast.y, ticket=_fresh(resolved))
    at(8 * DAY)
    ticket = _fresh(resolved)
    assert ticket.closed_how == "confirmed"
    assert ticket.closed_at == T0 + dt.timedelta(days=1)
    assert not ticket.timeline.filter(kind=EntryKind.AUTO_CLOSED).exists()


def test_the_customers_own_silence_period_is_inherited_by_its_branches(cast, open_request, at):
    cast.orgs.province.auto_close_days = 3
    cast.orgs.province.save()
    at(0 * DAY)
    ticket = open_request()  # Lakeside, below the province
    services.resolve(actor=cast.b, ticket=ticket, note="ok")
    at(2.9 * DAY)
    assert _fresh(ticket).status == Status.RESOLVED
    at(3.1 * DAY)
    assert _fresh(ticket).status == Status.CLOSED


def test_a_customer_message_on_a_resolved_ticket_reopens_it_for_the_owner(cast, api, resolved, at):
    at(1 * DAY)
    res = api(cast.y).post(f"/tickets/{resolved.pk}/comments", {"body": "告警又出现了"})
    assert res.status_code == 201
    ticket = _fresh(resolved)
    assert ticket.status == Status.REOPENED
    entry = ticket.timeline.get(kind=EntryKind.REOPENED)
    assert entry.body == "告警又出现了" and entry.actor == cast.y
    # The owner hears it and can answer it: the ticket is open again.
    assert Message.objects.filter(template="ticket_reopened", recipient=cast.b).exists()
    assert (
        api(cast.b).post(f"/tickets/{resolved.pk}/comments", {"body": "马上处理"}).status_code
        == 201
    )
    at(8 * DAY)
    assert _fresh(resolved).status == Status.REOPENED  # the old closure timer is void


def test_portal_keeps_tickets_waiting_for_confirmation_first_with_their_decisions(
    cast, client, resolved, open_request
):
    at_open = open_request(title="另一个故障")
    client.force_login(cast.y)
    client.cookies["django_language"] = "en"
    page = client.get("/portal/").content.decode()
    assert 'href="#awaiting"' in page  # the banner leads to them
    assert page.index(resolved.number) < page.index(at_open.number)
    assert f"/t/{resolved.number}/confirm/" in page and f"/t/{resolved.number}/reopen/" in page
    confirmed = client.post(f"/t/{resolved.number}/confirm/", {"note": ""})
    assert confirmed.status_code == 302
    assert _fresh(resolved).status == Status.CLOSED


def test_portal_says_so_when_a_closed_ticket_can_no_longer_be_reopened(cast, client, resolved, at):
    at(7.1 * DAY)
    client.force_login(cast.y)
    client.cookies["django_language"] = "en"
    page = client.get(f"/t/{resolved.number}/").content.decode()
    assert 'data-testid="auto-closed"' in page and 'id="reopen"' in page
    at((7.1 + 14.1) * DAY)
    client.force_login(cast.y)  # two weeks on: a new session
    page = client.get(f"/t/{resolved.number}/").content.decode()
    assert 'data-testid="reopen-too-late"' in page and 'id="reopen"' not in page
