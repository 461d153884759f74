"""The complaints queue reads its partial index in page order (SQLite's plan; PostgreSQL
chooses by statistics, and bench/bench_complaints.py measures both): a filter that stops
matching the index's condition word for word would fall back to sorting every row."""

import pytest
from django.db import connection

from caredesk.complaints import selectors

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")


def _plans(run) -> list[str]:
    """The plans of the complaint reads `run` makes, as SQLite prepares them: with the bound
    parameters the driver sends (a literal copy of the SQL would plan differently)."""
    sent = []

    def spy(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        run()
    plans = []
    with connection.cursor() as cur:
        for sql, params in sent:
            if sql.startswith("SELECT") and "complaints_complaint" in sql:
                cur.execute("EXPLAIN QUERY PLAN " + sql, params)
                plans.append(" / ".join(row[3] for row in cur.fetchall()))
    return plans


def test_the_handlers_queue_reads_the_open_index_in_page_order(cast, register):
    mine = register()
    plans = _plans(lambda: selectors.queue(cast.a, scope="mine"))
    assert plans and "complaint_open_handler_due" in plans[0], plans
    assert "TEMP B-TREE" not in plans[0], plans
    assert [c.pk for c in selectors.queue(cast.a, scope="mine")] == [mine.pk]


def test_the_offices_queue_reads_the_office_index_in_page_order(cast, register):
    register()
    plans = _plans(lambda: selectors.queue(cast.a, scope="all"))
    assert plans and "complaint_open_office_due" in plans[0], plans
    assert "TEMP B-TREE" not in plans[0], plans
