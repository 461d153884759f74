""" "Next escalation" is true: the next pending step's target, or the top of the ladder once
the chains are spent — never a level already called; the clocks card agrees with the chain
on a reopened ticket, and a business-hours clock says it counts working hours (item 5)."""

from caredesk.escalation import selectors
from caredesk.escalation.clocks import clocks_of
from caredesk.tickets import services
from caredesk.tickets.models import Ticket


def _p1(open_request, at):
    at(0, fire=False)
    return open_request(severity="P1")


def test_next_escalation_is_the_next_pending_step_even_when_already_on_the_card(
    chains, open_request, at
):
    cast = chains
    ticket = _p1(open_request, at)
    for minute in (0, 10, 20, 35, 50, 80):
        at(minute)
    # The not-acknowledged ladder is spent; the clock chain's resolve breach (level 3,
    # manager.a, due after 24 hours) is what comes next — not a product leader called before.
    upcoming = selectors.next_escalation(ticket)
    assert (upcoming.person, upcoming.level, upcoming.spent) == (cast.a, 3, False)
    card = selectors.contacts_card(ticket)
    assert [c.person for c in card if c.next] == [cast.a]
    assert len({c.person.pk for c in card}) == len(card)


def test_next_escalation_after_the_chain_is_spent_is_the_top_of_the_ladder(
    chains, open_request, at, client
):
    cast = chains
    ticket = _p1(open_request, at)
    for minute in (0, 10, 20, 35, 50, 80, 1080, 1440, 1500):
        at(minute)
    upcoming = selectors.next_escalation(ticket)
    # Every step of both chains has fired: the top is the account head, level 6 — not the
    # region's service manager, called at level 3 long ago.
    assert (upcoming.person, upcoming.level, upcoming.spent) == (cast.w, 6, True)
    client.force_login(cast.y)
    client.cookies["django_language"] = "en"
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert "Top of the escalation ladder — called at level 6" in page
    assert cast.w.phone in page


def test_reopened_ticket_clock_chain_and_buttons_agree(chains, open_request, at, client):
    cast = chains
    ticket = _p1(open_request, at)
    at(0)
    services.acknowledge(actor=cast.b, ticket=ticket)
    services.resolve(actor=cast.b, ticket=ticket, note="done")
    at(100, fire=False)
    services.reopen(actor=cast.y, ticket=ticket, reason="down again")
    ack = {c.kind: c for c in clocks_of(ticket)}["acknowledge"]
    assert (ack.state, ack.met, ack.breached) == ("running", False, False)
    assert ack.remaining_seconds == 15 * 60  # a fresh quarter of an hour to acknowledge
    client.force_login(cast.b)
    client.cookies["django_language"] = "en"
    page = client.get(f"/t/{ticket.number}/").content.decode()
    clock_card = page[page.index('data-clock="acknowledge"') :]
    clock_card = clock_card[: clock_card.index("</li>")]
    assert "met" not in clock_card and "15m left" in clock_card
    assert 'data-testid="acknowledge"' in page
    at(101, fire=False)
    services.acknowledge(actor=cast.b, ticket=Ticket.objects.get(pk=ticket.pk))
    ack = {c.kind: c for c in clocks_of(ticket)}["acknowledge"]
    assert ack.met


def test_business_hours_clock_says_working_hours_and_names_its_calendar(
    chains, open_request, at, client
):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P3")  # business calendar, acknowledge within 240 min
    ack = {c.kind: c for c in clocks_of(ticket)}["acknowledge"]
    assert ack.business_hours and ack.calendar == "工作日（北京时间）"
    client.force_login(cast.b)
    client.cookies["django_language"] = "en"
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert "4h 00m of working hours left" in page
    assert "40h 00m of working hours left" in page  # resolve in 2400 working minutes, not 1d 16h
    assert "working hours: 工作日（北京时间）" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert "剩余4小时00分工作时间" in page and "按工作时间计：工作日（北京时间）" in page


def test_the_card_shows_who_was_called_in_while_another_chain_runs_on(
    chains, open_request, at, client
):
    cast = chains
    ticket = _p1(open_request, at)
    for minute in (0, 10, 20, 35, 50, 80):
        at(minute)
    card = selectors.contacts_card(ticket)
    # The account head was called at level 6 (the customer was told): marked on his own rung
    # of the ladder, though the clock chain's next step is the service manager's.
    (top,) = [c for c in card if c.escalated]
    assert (top.role, top.person, top.escalated.level) == ("account_head", cast.w, 6)
    assert [c.person for c in card if c.next] == [cast.a]
    client.force_login(cast.y)
    client.cookies["django_language"] = "en"
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert "Called in: escalated to level 6" in page and cast.w.phone in page
