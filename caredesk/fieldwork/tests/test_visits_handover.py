"""The read the shift hand-over report needs: visits left unresolved for a customer — a
province's include its branches' — in a shift, with the next step and whether it is overdue,
and those left earlier that nobody has followed up yet (the incoming shift inherits them)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.conftest import T0
from caredesk.fieldwork.visits import selectors, services

DAY = 24 * 60
SHIFT = (T0, T0 + dt.timedelta(hours=12))  # the day shift, Tuesday 10:00–22:00


def _left(cast, on_site, ticket, *, result="unresolved", due_in=None):
    visit = on_site(ticket=ticket)
    unresolved = result != "resolved"
    return services.leave_site(
        actor=cast.b,
        visit=visit,
        result=result,
        work_done="排查光路",
        next_step="复查" if unresolved else "",
        next_step_owner=cast.c if unresolved else None,
        next_step_due=visit.arrived_at + dt.timedelta(minutes=due_in) if unresolved else None,
        customer_message="明天再来" if unresolved else "",
    )


def test_handover_lists_unresolved_visits_of_the_scope_with_next_step_and_overdue(
    cast, open_request, on_site, at, one_refdata_check
):
    lakeside = lambda: open_request()  # noqa: E731  (owned by engineer.b)
    # Two days ago: two visits left unresolved; one was followed by another on site.
    at(-2 * DAY, fire=False)
    carried = _left(cast, on_site, lakeside(), due_in=DAY)
    followed = _left(cast, on_site, lakeside(), due_in=DAY)
    at(-DAY, fire=False)
    services.arrive(
        actor=cast.c,
        visit=services.plan_visit(
            actor=cast.b,
            ticket=followed.ticket,
            engineer=cast.c,
            planned_at=at(-DAY, fire=False),
            purpose="复查",
        ),
    )
    # In the shift: Lakeside and Hillside (both the province's), another operator, a fix.
    at(60, fire=False)
    tomorrow = _left(cast, on_site, lakeside(), due_in=DAY)
    at(120, fire=False)
    hillside = open_request(actor=cast.z, customer_org=cast.orgs.hillside, region="hillside")
    soon = _left(cast, on_site, hillside, result="needs_parts", due_in=180)
    at(150, fire=False)
    other = _left(
        cast, on_site, open_request(actor=cast.o, customer_org=cast.orgs.other), due_in=60
    )
    _left(cast, on_site, lakeside(), result="resolved")
    at(12 * 60, fire=False)

    since, until = SHIFT
    selectors.left_unresolved(customer_org_id=cast.orgs.province.pk, since=since, until=until)
    one_refdata_check()  # the organisations' tree cached; then one request: one token read
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.left_unresolved(
            customer_org_id=cast.orgs.province.pk, since=since, until=until
        )
        assert [r.visit.pk for r in rows] == [carried.pk, soon.pk, tomorrow.pk]  # soonest due
        row = {r.visit.pk: r for r in rows}
        assert [r.visit.ticket.customer_org.name for r in rows]  # read with the rows
        assert [r.visit.next_step_owner.name for r in rows] == [cast.c.name] * 3
    assert len(queries) == 2  # the cache's token and the rows
    assert row[carried.pk].overdue and row[carried.pk].outstanding  # inherited, overdue
    assert row[soon.pk].overdue and row[soon.pk].visit.result == "needs_parts"
    assert not row[tomorrow.pk].overdue and row[tomorrow.pk].outstanding
    assert other.pk not in row and followed.pk not in row

    # Only the shift's own, without what it inherited; and one branch alone.
    own = selectors.left_unresolved(
        customer_org_id=cast.orgs.province.pk, since=since, until=until, carry_over=False
    )
    assert {r.visit.pk for r in own} == {soon.pk, tomorrow.pk}
    branch = selectors.left_unresolved(
        customer_org_id=cast.orgs.hillside.pk, since=since, until=until
    )
    assert [r.visit.pk for r in branch] == [soon.pk]
    # The earlier followed-up visit, asked for by its own period, says it was followed up.
    (earlier,) = [
        r
        for r in selectors.left_unresolved(
            customer_org_id=cast.orgs.lakeside.pk,
            since=T0 - dt.timedelta(days=3),
            until=until,
        )
        if r.visit.pk == followed.pk
    ]
    assert earlier.followed_up and not earlier.overdue
