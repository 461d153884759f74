"""Concurrent writers on PostgreSQL: row locks make the second writer see the first one's work.

(SQLite admits one writer at a time by design, so these races cannot happen there.)
"""

import threading

import pytest
from django.db import connection, connections

from caredesk.conftest import build_cast
from caredesk.errors import Conflict
from caredesk.tickets import services
from caredesk.tickets.models import Handoff, Ticket
from caredesk.tickets.services import HandoffNotPending

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level races need PostgreSQL"),
]


def race(*jobs):
    """Run the jobs in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # the outcome under test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture
def world():
    cast = build_cast()
    ticket = services.open_ticket(
        actor=cast.y,
        customer_org=cast.orgs.lakeside,
        product=cast.products.core,
        region=cast.regions.lakeside,
        severity="P2",
        channel="portal",
        title="t",
        customer_voice="v",
    )
    return cast, ticket


def test_concurrent_edits_with_the_same_version_one_wins(world):
    cast, ticket = world
    results = race(
        *[
            (
                lambda title=title: services.edit_ticket(
                    actor=cast.b, ticket=ticket, version=1, changes={"title": title}
                )
            )
            for title in ("first", "second", "third")
        ]
    )
    winners = [r for r in results if isinstance(r, Ticket)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1
    assert len(losers) == 2
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.title == winners[0].title
    assert fresh.version == 2


def test_concurrent_handoff_proposals_leave_one_pending(world):
    cast, ticket = world
    results = race(
        lambda: services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r"),
        lambda: services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.d, reason="r"),
    )
    assert sum(isinstance(r, Handoff) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert Handoff.objects.filter(status="pending").count() == 1


def test_accept_racing_cancel_never_leaves_a_half_state(world):
    cast, ticket = world
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    results = race(
        lambda: services.accept_handoff(actor=cast.c, handoff=handoff),
        lambda: services.cancel_handoff(actor=cast.b, handoff=handoff),
    )
    assert sum(isinstance(r, Handoff) for r in results) == 1
    assert sum(isinstance(r, HandoffNotPending) for r in results) == 1, results  # not a 500
    final = Handoff.objects.get(pk=handoff.pk)
    owner = Ticket.objects.get(pk=ticket.pk).owner
    assert (final.status, owner) in {("accepted", cast.c), ("cancelled", cast.b)}


def test_ticket_numbers_stay_unique_under_concurrent_opening(world):
    cast, _ticket = world

    def open_one():
        return services.open_ticket(
            actor=cast.y,
            customer_org=cast.orgs.lakeside,
            product=cast.products.core,
            region=cast.regions.lakeside,
            severity="P3",
            channel="portal",
            title="n",
            customer_voice="v",
        )

    results = race(*[open_one for _ in range(6)])
    assert all(isinstance(r, Ticket) for r in results), results
    numbers = {r.number for r in results}
    assert len(numbers) == 6
