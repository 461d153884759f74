"""The queue for the person on duty: breached clocks first, then the nearest due time, then
severity — read from the ticket's copy of its clocks (urgency, next_due_at), which every clock
change keeps true in its own transaction."""

import datetime as dt
import html
import re

import pytest

from caredesk.errors import ValidationFailed
from caredesk.tickets import selectors, services, sorting
from caredesk.tickets.models import Ticket, Urgency
from caredesk.tickets.selectors import TicketFilters
from caredesk.tickets.views import queue as views_queue

from .conftest import T0


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def wait_for_customer(cast, ticket: Ticket) -> Ticket:
    t = fresh(ticket)
    return services.edit_ticket(
        actor=cast.b, ticket=t, version=t.version, changes={"status": "waiting_customer"}
    )


def queue(person, sort="urgency", **filters) -> list[int]:
    page = selectors.list_page(person, TicketFilters(status="open", **filters), sort=sort, limit=50)
    return [t.pk for t in page.rows]


@pytest.fixture
def duty_queue(chains, open_request, at):
    """Six open tickets of engineer.b at T0+20 min: a P1 whose acknowledge clock ran out at
    15 min, open tickets due at 30 min (P2), in business hours (P3, P4), and two waiting for
    the customer (clocks paused)."""
    cast = chains
    at(0, fire=False)
    p4 = open_request(severity="P4", title="P4 question")
    p3 = open_request(severity="P3", title="P3 minor")
    waiting_p4 = wait_for_customer(
        cast, services.acknowledge(actor=cast.b, ticket=open_request(severity="P4"))
    )
    p1 = open_request(severity="P1", title="P1 outage")
    p2 = open_request(severity="P2", title="P2 major")
    waiting_p2 = wait_for_customer(
        cast, services.acknowledge(actor=cast.b, ticket=open_request(severity="P2"))
    )
    at(20)  # the worker fires the P1's acknowledge breach at 15 min
    return {
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "p4": p4,
        "waiting_p2": waiting_p2,
        "waiting_p4": waiting_p4,
    }


def test_breached_first_then_nearest_due_then_severity(chains, duty_queue):
    cast, t = chains, duty_queue
    expected = [t[k].pk for k in ("p1", "p2", "p3", "p4", "waiting_p2", "waiting_p4")]
    assert queue(cast.b, owner=cast.b.pk) == expected  # "my tickets"
    assert queue(cast.a) == expected  # the service manager's office queue
    # The newest-first order the queue used to open on put the breached P1 third.
    assert queue(cast.b, sort="newest", owner=cast.b.pk).index(t["p1"].pk) == 2


def test_the_ticket_row_carries_its_clocks(chains, duty_queue):
    t = duty_queue
    p1, p2, waiting = fresh(t["p1"]), fresh(t["p2"]), fresh(t["waiting_p2"])
    assert p1.urgency == Urgency.BREACHED and p1.breached
    assert p1.next_due_at == T0 + dt.timedelta(minutes=15)  # the breached acknowledge clock
    assert p2.urgency == Urgency.DUE
    assert p2.next_due_at == T0 + dt.timedelta(minutes=30)
    assert (waiting.urgency, waiting.next_due_at) == (Urgency.NONE, None)


def test_every_clock_change_moves_the_ticket(chains, open_request, at):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P2")  # 24×7: acknowledge 30, respond 60, resolve 2880
    assert fresh(ticket).next_due_at == T0 + dt.timedelta(minutes=30)
    services.acknowledge(actor=cast.b, ticket=ticket)  # stops the acknowledge clock
    assert fresh(ticket).next_due_at == T0 + dt.timedelta(minutes=60)
    at(10, fire=False)
    wait_for_customer(cast, ticket)  # pauses them all
    assert (fresh(ticket).urgency, fresh(ticket).next_due_at) == (Urgency.NONE, None)
    at(40, fire=False)
    services.add_comment(actor=cast.y, ticket=ticket, body="日志已上传。")  # resumes them
    assert fresh(ticket).urgency == Urgency.DUE
    assert fresh(ticket).next_due_at == T0 + dt.timedelta(minutes=90)  # 30 min paused
    at(91)  # the respond clock runs out
    assert fresh(ticket).urgency == Urgency.BREACHED
    services.add_comment(actor=cast.b, ticket=ticket, body="正在分析。", public=True)
    # Answered late: the breach stays on the clock, but no running clock is breached now.
    assert fresh(ticket).urgency == Urgency.DUE
    services.resolve(actor=cast.b, ticket=ticket, note="已恢复")
    assert (fresh(ticket).urgency, fresh(ticket).next_due_at) == (Urgency.NONE, None)


@pytest.mark.parametrize("sort", sorting.SORT_NAMES)
def test_pages_of_every_order_follow_on_without_gaps(chains, duty_queue, sort):
    cast = chains
    whole = queue(cast.b, sort=sort, owner=cast.b.pk)
    filters = TicketFilters(status="open", owner=cast.b.pk)
    walked, cursor, numbers = [], None, []
    while True:
        page = selectors.list_page(cast.b, filters, sort=sort, cursor=cursor, limit=2)
        walked += [t.pk for t in page.rows]
        numbers.append(page.number)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert walked == whole and len(whole) == 6
    assert numbers == [1, 2, 3]
    # A page asked for by number is that page, not the first again.
    second = selectors.list_page(cast.b, filters, sort=sort, page=2, limit=2)
    assert [t.pk for t in second.rows] == whole[2:4]
    assert second.number == 2


def test_a_cursor_of_another_order_is_refused(chains, duty_queue):
    cast = chains
    filters = TicketFilters(status="open", owner=cast.b.pk)
    page = selectors.list_page(cast.b, filters, sort="urgency", limit=2)
    with pytest.raises(ValidationFailed):
        selectors.list_page(cast.b, filters, sort="severity", cursor=page.next_cursor, limit=2)
    with pytest.raises(ValidationFailed):
        selectors.list_page(cast.b, filters, sort="urgency", cursor="k" + "x" * 12, limit=2)
    with pytest.raises(ValidationFailed):
        sorting.parse_page(str(sorting.MAX_PAGE + 1))


def test_lists_with_closed_tickets_come_newest_first(chains, duty_queue):
    cast, t = chains, duty_queue
    services.resolve(actor=cast.b, ticket=fresh(t["p1"]), note="已恢复")
    page = selectors.list_page(cast.b, TicketFilters(owner=cast.b.pk), sort="urgency", limit=50)
    assert page.sort == "newest"
    assert [r.pk for r in page.rows] == sorted((x.pk for x in t.values()), reverse=True)


def test_an_outsider_finds_none_of_them(chains, duty_queue):
    cast = chains
    assert queue(cast.d) == []  # partner.d: holds none of these tickets
    assert queue(cast.z) == []  # customer.z: a contact of Hillside, not Lakeside


def test_the_api_reads_the_same_order(chains, duty_queue, api):
    cast, t = chains, duty_queue
    body = api(cast.b).get(f"/tickets?owner={cast.b.pk}&status=open&sort=urgency&limit=4").json()
    assert [i["id"] for i in body["items"]] == [t[k].pk for k in ("p1", "p2", "p3", "p4")]
    assert body["items"][0]["breached"] is True
    more = api(cast.b).get(
        f"/tickets?owner={cast.b.pk}&status=open&sort=urgency&limit=4&cursor={body['next_cursor']}"
    )
    assert [i["id"] for i in more.json()["items"]] == [t["waiting_p2"].pk, t["waiting_p4"].pk]
    refused = api(cast.b).get("/tickets?sort=urgency")  # open and closed alike: by id only
    assert refused.status_code == 422


# ---------------------------------------------------------------- the page


ROW = re.compile(r'data-testid="ticket-row" data-number="([^"]+)"')
NEXT = re.compile(r'href="([^"]+)" data-testid="next-page"')


def test_the_workbench_opens_on_the_most_urgent(chains, duty_queue, client):
    cast, t = chains, duty_queue
    client.force_login(cast.b)
    order = ("p1", "p2", "p3", "p4", "waiting_p2", "waiting_p4")
    assert ROW.findall(client.get("/queue/").content.decode()) == [t[k].number for k in order]


@pytest.mark.parametrize("sort", sorting.SORT_NAMES)
def test_next_walks_every_order_and_page_two_is_the_second_page(
    chains, duty_queue, client, monkeypatch, sort
):
    cast = chains
    monkeypatch.setattr(views_queue, "PAGE_SIZE", 2)
    client.force_login(cast.b)
    whole = [Ticket.objects.get(pk=pk).number for pk in queue(cast.b, sort, owner=cast.b.pk)]
    walked, url = [], f"/queue/?sort={sort}"
    while url:
        body = client.get(url).content.decode()
        walked += ROW.findall(body)
        found = NEXT.search(body)
        url = "/queue/" + html.unescape(found.group(1)) if found else None
    assert walked == whole
    second = client.get(f"/queue/?sort={sort}&page=2").content.decode()
    assert ROW.findall(second) == whole[2:4]
    assert re.search(r'data-testid="page-number">[^<]*2', second)


def test_a_page_number_out_of_range_says_so(chains, duty_queue, client):
    client.force_login(chains.b)
    first = ROW.findall(client.get("/queue/").content.decode())
    res = client.get(f"/queue/?page={sorting.MAX_PAGE + 1}")
    # Refused like any bad page link: what was wrong on top, and the first page under it.
    assert res.status_code == 400
    assert 'data-testid="queue-error"' in res.content.decode()
    assert ROW.findall(res.content.decode()) == first
