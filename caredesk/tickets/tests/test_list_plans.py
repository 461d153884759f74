"""The open queues read their partial indexes (SQLite's plan; PostgreSQL chooses by statistics).

A filter that stops matching an index's condition word for word silently falls back to a scan
that is fine on a test database and slow at a million tickets; this catches it."""

import pytest
from django.db import connection

from caredesk.tickets import selectors
from caredesk.tickets.selectors import TicketFilters

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")


def plan(qs) -> str:
    sql, params = qs[:51].query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " / ".join(row[3] for row in cur.fetchall())


def test_my_open_tickets_use_the_open_owner_index(cast, open_request):
    open_request()
    qs = selectors.tickets_visible_to(cast.b, TicketFilters(owner=cast.b.pk, status="open"))
    assert "ticket_open_owner" in plan(qs)
    assert [t.owner_id for t in qs] == [cast.b.pk]


def test_open_by_severity_uses_the_open_severity_index(cast, open_request):
    open_request(severity="P1")
    qs = selectors.tickets_visible_to(cast.a, TicketFilters(severity="P1", status="open"))
    assert "ticket_open_severity" in plan(qs)
    assert len(qs) == 1


def test_open_filter_keeps_exactly_the_open_statuses(cast, open_request):
    from caredesk.tickets import services

    done = open_request()
    services.resolve(actor=done.owner, ticket=done, note="已恢复")
    waiting = open_request()
    rows = selectors.tickets_visible_to(cast.a, TicketFilters(status="open"))
    assert [t.pk for t in rows] == [waiting.pk]


def test_the_open_queue_reads_the_open_index_in_page_order(cast, open_request):
    # (A province's open list depends on statistics: with ANALYZE run on a large database
    # SQLite reads this index too; bench/bench_scale.py measures it.)
    open_request()
    steps = plan(selectors.tickets_visible_to(cast.a, TicketFilters(status="open")))
    assert "ticket_open" in steps, steps
    assert "TEMP B-TREE" not in steps, steps


def test_the_portal_count_reads_the_resolved_index(cast, open_request):
    from caredesk.tickets.models import Status

    open_request()
    qs = selectors.tickets_visible_to(cast.x, TicketFilters(status=Status.RESOLVED))
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ({sql})", params)
        steps = " / ".join(row[3] for row in cur.fetchall())
    assert "ticket_resolved_customer" in steps, steps


def test_waiting_for_the_customer_reads_its_own_index(cast, open_request):
    from caredesk.tickets import services

    waiting = open_request()
    open_request()
    waiting = services.acknowledge(actor=waiting.owner, ticket=waiting)
    services.edit_ticket(
        actor=waiting.owner,
        ticket=waiting,
        version=waiting.version,
        changes={"status": "waiting_customer"},
    )
    qs = selectors.tickets_visible_to(cast.a, TicketFilters(status="waiting_customer"))
    steps = plan(qs)
    assert "ticket_waiting" in steps, steps
    assert "TEMP B-TREE" not in steps, steps
    assert [t.pk for t in qs] == [waiting.pk]


# ---------------------------------------------------------------- the queue's orders


def sorted_plan(person, sort, cursor_after=None, **filters) -> str:
    from caredesk.tickets import sorting

    qs, used = selectors.sorted_tickets(person, TicketFilters(**filters), sort)
    assert used == sort
    if cursor_after is not None:
        order = sorting.SORTS[sort]
        values = [getattr(cursor_after, f) for f, _desc in order.keys]
        qs = qs.filter(sorting.after(order, values))
    return plan(qs)


@pytest.mark.parametrize(
    ("who", "filters", "index"),
    [
        ("a", {"status": "open"}, "ticket_open_urgency"),
        ("b", {"status": "open", "owner": "b"}, "ticket_open_owner_urgency"),
        ("b", {"status": "open", "team": "b's teams"}, "ticket_open_team_urgency"),
        ("a", {"status": "new"}, "ticket_open_urgency"),
    ],
)
def test_the_urgency_order_reads_its_index_in_page_order(cast, open_request, who, filters, index):
    ticket = open_request()
    person = getattr(cast, who)
    if filters.get("owner"):
        filters["owner"] = person.pk
    if filters.get("team"):
        filters["team"] = list(person.teams.values_list("pk", flat=True))
    for after in (None, ticket):  # the first page, and a page after a cursor
        steps = sorted_plan(person, "urgency", cursor_after=after, **filters)
        assert f"USING INDEX {index} " in steps + " ", steps
        assert "TEMP B-TREE" not in steps, steps


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("status", "ticket_open_status"),
        ("updated", "ticket_open_updated"),
        ("severity", "ticket_open_severity"),
    ],
)
def test_the_other_orders_of_the_open_queue_read_their_index(cast, open_request, sort, index):
    open_request()
    steps = sorted_plan(cast.a, sort, status="open")
    assert f"USING INDEX {index} " in steps + " ", steps
    assert "TEMP B-TREE" not in steps, steps


def test_the_open_list_by_id_keeps_off_the_status_index(cast, open_request):
    # ticket_open_status is led by status: it would serve "status IN (…)" and sort by id.
    open_request()
    steps = plan(selectors.tickets_visible_to(cast.a, TicketFilters(status="open")))
    assert "ticket_open_status" not in steps, steps
    assert "USING INDEX ticket_open " in steps + " ", steps
