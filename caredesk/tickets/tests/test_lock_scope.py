"""A verb's row lock covers the ticket only, not the people and organisations it points to.

Found by the many-processes benchmark: locking the joined owner and organisation rows as
well made every concurrent write in an office queue on them, and a new ticket's foreign-key
check (KEY SHARE on its owner) deadlock against a comment on another ticket of that owner.
And the lock is taken alone, the row read after it: a verb that waited for the lock reads the
ticket as the verb before it left it.
"""

import threading
import time

import psycopg
import pytest
from django.db import connection, connections, transaction

from caredesk.tickets.models import Ticket
from caredesk.tickets.services._base import locked

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def other_connection():
    s = connection.settings_dict
    conn = psycopg.connect(
        dbname=s["NAME"], user=s["USER"], host=s["HOST"], port=s["PORT"], autocommit=True
    )
    conn.execute("SET lock_timeout = '2s'")
    return conn


def test_locking_a_ticket_leaves_its_owner_and_organisations_free(cast, open_request):
    ticket = open_request()
    with transaction.atomic():
        held = locked(ticket)
        with other_connection() as other:
            for table, pk in [
                ("directory_person", held.owner_id),
                ("directory_organisation", held.customer_org_id),
                ("directory_organisation", held.office_id),
            ]:
                row = other.execute(
                    f"SELECT id FROM {table} WHERE id = %s FOR KEY SHARE", [pk]
                ).fetchone()
                assert row == (pk,)
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT id FROM tickets_ticket WHERE id = %s FOR UPDATE", [ticket.pk])


def test_locking_a_handoff_leaves_both_colleagues_free(cast, open_request):
    from caredesk.tickets import services
    from caredesk.tickets.services.handoffs import _locked_handoff

    ticket = open_request()
    handoff = services.propose_handoff(
        actor=ticket.owner, ticket=ticket, to_person=cast.c, reason="无线问题"
    )
    with transaction.atomic():
        _locked_handoff(handoff)
        with other_connection() as other:
            for pk in (handoff.from_person_id, handoff.to_person_id):
                row = other.execute(
                    "SELECT id FROM directory_person WHERE id = %s FOR KEY SHARE", [pk]
                ).fetchone()
                assert row == (pk,)


def _waiting_for(other) -> int:
    """Sessions waiting for a lock the `other` connection holds."""
    return other.execute(
        "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted"
        " AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
    ).fetchone()[0]


def test_a_verb_that_waited_for_the_lock_reads_the_ticket_as_the_winner_left_it(cast, open_request):
    """Found by the live races (test_races_live.py): while one verb changed the ticket's owner
    (an accepted hand-off), each verb waiting for the ticket's lock got "does not exist" — a
    500 — instead of the ticket with its new owner."""
    ticket = open_request()  # engineer.b owns it
    got = []

    def waiter():
        try:
            with transaction.atomic():
                got.append(locked(ticket.pk))
        except Exception as exc:  # the outcome under test
            got.append(exc)
        finally:
            connections.close_all()

    with other_connection() as other:
        other.execute("BEGIN")
        other.execute(
            "UPDATE tickets_ticket SET owner_id = %s, version = version + 1 WHERE id = %s",
            [cast.c.pk, ticket.pk],
        )
        thread = threading.Thread(target=waiter)
        thread.start()
        end = time.monotonic() + 30
        while _waiting_for(other) < 1 and time.monotonic() < end and thread.is_alive():
            time.sleep(0.02)
        assert _waiting_for(other) == 1  # the verb queued behind the winner
        other.execute("COMMIT")
        thread.join(timeout=30)
    assert len(got) == 1 and isinstance(got[0], Ticket), got
    assert (got[0].owner, got[0].version) == (cast.c, ticket.version + 1)
