"""Query budgets of the hot paths: how many SQL statements each one sends (counts, not times).

A change that adds a query per row, or a few per request, fails here before it shows up as
latency at a million tickets. The budgets are what the paths cost when they were set, on SQLite
and PostgreSQL alike (savepoints included); lower them when a path gets cheaper, and raise one
only with a reason in the commit.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.tickets import services
from caredesk.tickets.models import Handoff
from caredesk.tickets.tests.test_api import new_ticket_body

BUDGET = {
    "open_ticket": 14,  # ticket, number, timeline, audit, clocks and timers, outbox, search
    "api_create": 16,  # the same, plus token and reference-data token; no re-read
    "api_list": 3,  # token, reference-data token, one page (orgs etc. from the cached copy)
    "api_list_customer": 3,
    "api_search": 4,
    "api_detail": 9,
    "queue_page": 6,
    # the site visits card (its plan form is fetched when opened), the complaint banner (+1)
    # and the linked changes card (+3: the viewer's approver roles, the regions they manage,
    # then the changes they may see), one of them within the slack the page had; the
    # attachments card (+1: the ticket's files with their uploaders, in one join); the early
    # warning's score card (+1 for the score, +1 for its latest alert once the ticket is scored)
    "ticket_page": 20,
    "propose_handoff": 17,
    "accept_handoff": 21,
}


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.fixture
def some_tickets(open_request):
    return [open_request(title=f"告警 {i}") for i in range(6)]


def test_opening_a_ticket(cast, open_request):
    open_request()  # the first ticket of a year also creates the year's number sequence
    assert count(lambda: open_request()) <= BUDGET["open_ticket"]


def test_creating_through_the_api(cast, api):
    client = api(cast.y)
    client.post("/tickets", new_ticket_body(cast))
    res = []
    assert (
        count(lambda: res.append(client.post("/tickets", new_ticket_body(cast))))
        <= BUDGET["api_create"]
    )
    assert res[0].status_code == 201


def test_list_costs_the_same_for_six_rows_or_thirty(cast, api, open_request, some_tickets):
    staff, customer = api(cast.b), api(cast.y)
    staff.get("/tickets")
    small = count(lambda: staff.get("/tickets"))
    for i in range(24):
        open_request(title=f"更多 {i}", requester=cast.y)
    assert len(staff.get("/tickets").json()["items"]) == 30
    assert count(lambda: staff.get("/tickets")) == small <= BUDGET["api_list"]
    customer.get("/tickets")
    assert count(lambda: customer.get("/tickets")) <= BUDGET["api_list_customer"]


def test_search_page(cast, api, some_tickets):
    staff = api(cast.b)
    staff.get("/tickets?q=告警")
    assert count(lambda: staff.get("/tickets?q=告警")) <= BUDGET["api_search"]


def test_detail_does_not_grow_with_the_timeline(cast, api, some_tickets):
    ticket = some_tickets[0]
    staff = api(cast.b)
    staff.get(f"/tickets/{ticket.pk}")
    before = count(lambda: staff.get(f"/tickets/{ticket.pk}"))
    for i in range(8):
        services.add_comment(actor=cast.b, ticket=ticket, body=f"进展 {i}", public=i % 2 == 0)
    assert count(lambda: staff.get(f"/tickets/{ticket.pk}")) == before <= BUDGET["api_detail"]


def test_queue_and_ticket_pages(cast, client, some_tickets):
    client.force_login(cast.b)
    client.get("/queue/?tab=all")
    assert count(lambda: client.get("/queue/?tab=all")) <= BUDGET["queue_page"]
    page = f"/t/{some_tickets[0].number}/"
    client.get(page)
    assert count(lambda: client.get(page)) <= BUDGET["ticket_page"]


def test_handoff_proposed_then_accepted(cast, api, some_tickets):
    ticket = some_tickets[0]
    owner, target = api(cast.b), api(cast.c)
    owner.get("/handoffs")  # the token's first use of the minute writes last_used_at
    body = {"to_person": cast.c.pk, "reason": "无线问题"}
    assert (
        count(lambda: owner.post(f"/tickets/{ticket.pk}/handoffs", body))
        <= BUDGET["propose_handoff"]
    )
    handoff = Handoff.objects.get(ticket=ticket)
    target.get("/handoffs")
    accepted = []
    assert (
        count(lambda: accepted.append(target.post(f"/handoffs/{handoff.pk}/accept")))
        <= BUDGET["accept_handoff"]
    )
    assert accepted[0].status_code == 200
