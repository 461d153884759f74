"""A verb's row lock covers the ticket only, not the people and organisations it points to.

Found by the many-processes benchmark: locking the joined owner and organisation rows as
well made every concurrent write in an office queue on them, and a new ticket's foreign-key
check (KEY SHARE on its owner) deadlock against a comment on another ticket of that owner.
"""

import psycopg
import pytest
from django.db import connection, transaction

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
