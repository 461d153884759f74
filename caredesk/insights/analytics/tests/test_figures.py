"""Every figure against the hand-computed world in conftest.py (2026H1 unless said)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.errors import NotFound, ValidationFailed
from caredesk.insights.analytics import figures
from caredesk.insights.analytics.filters import Filters, filters_from, parse_period

from .conftest import at, make_answer, make_complaint, make_ticket

H1 = parse_period("2026H1")


def f(**kw):
    return Filters(period=kw.pop("period", H1), **kw)


def test_periods_are_shanghai_months_and_half_years():
    h2 = parse_period("2026h2")
    assert (h2.label, h2.start.isoformat(), h2.end.isoformat()) == (
        "2026H2",
        "2026-07-01T00:00:00+08:00",
        "2027-01-01T00:00:00+08:00",
    )
    may = parse_period("2026-05")
    assert (may.start.month, may.end.month) == (5, 6)
    for bad in ("2026-13", "2026H3", "", "May"):
        with pytest.raises(ValidationFailed):
            parse_period(bad)


def test_bad_filter_values_name_their_fields(cast):
    with pytest.raises(ValidationFailed) as caught:
        filters_from(
            {"period": "x", "customer": "abc", "office": "999999"}, default_period="2026H1"
        )
    assert set(caught.value.fields) == {"period", "customer", "office"}


def test_category_pareto_orders_by_count_with_cumulative_share(world):
    rows = figures.complaints_pareto(f(), world.cast.a)
    # H1: C1, C2, C4 buck-passing; C3 unreachable. C5 (July) is outside.
    assert [(r["label"], r["count"]) for r in rows] == [("推诿", 3), ("联系不上", 1)]
    assert [r["share"] for r in rows] == [0.75, 0.25]
    assert [r["cumulative"] for r in rows] == [0.75, 1.0]


def test_root_cause_pareto_counts_only_recorded_causes(world):
    rows = figures.complaints_pareto(f(), world.cast.a, by="root_cause")
    assert [(r["label"], r["count"], r["cumulative"]) for r in rows] == [
        ("信息未传递", 2, 2 / 3),
        ("联系不上", 1, 1.0),
    ]


def test_customer_with_and_without_its_branches(world):
    o = world.cast.orgs
    with_branches = figures.withdrawal_rate(f(customer_id=o.province.pk), world.cast.a)[0]
    alone = figures.withdrawal_rate(f(customer_id=o.province.pk, with_branches=False), world.cast.a)
    branch = figures.withdrawal_rate(f(customer_id=o.lakeside.pk), world.cast.a)[0]
    assert with_branches["received"] == 4
    assert alone[0]["received"] == 1
    assert (branch["received"], branch["withdrawn"], branch["rate"]) == (2, 1, 0.5)


def test_withdrawal_rate_of_the_half_year(world):
    assert figures.withdrawal_rate(f(), world.cast.a) == [
        {"received": 4, "withdrawn": 1, "rate": 0.25}
    ]


def test_complaint_times_median_and_p90_by_nearest_rank(world):
    rows = {r["key"]: r for r in figures.complaint_times(f(), world.cast.a)}
    # acknowledge: 2, 1, 4, 3 h → sorted 1 2 3 4: median rank 2 → 2, p90 rank 4 → 4.
    assert (rows["acknowledge"]["count"], rows["acknowledge"]["median_hours"]) == (4, 2.0)
    assert rows["acknowledge"]["p90_hours"] == 4.0
    # call-back: 5, 3 h → median rank 1 → 3, p90 rank 2 → 5.
    assert (rows["callback"]["median_hours"], rows["callback"]["p90_hours"]) == (3.0, 5.0)
    # closed: C1 after 50 h, C3 after 100 h (the withdrawn C2 never closed).
    assert (rows["close"]["count"], rows["close"]["median_hours"]) == (2, 50.0)
    assert rows["close"]["p90_hours"] == 100.0


def test_satisfaction_by_month_averages_each_dimension(world):
    rows = figures.satisfaction(f(), world.cast.a, by="period")
    assert [(r["key"], r["answers"]) for r in rows] == [("2026-02", 1), ("2026-03", 2)]
    march = rows[1]
    assert (march["responsiveness"], march["attitude"]) == (2.0, 2.5)
    assert (march["technical_skill"], march["communication"], march["solved"]) == (3.0, 3.5, 1)


def test_satisfaction_by_partner_engineer_and_product(world):
    cast = world.cast
    partner = figures.satisfaction(f(), cast.a, by="partner")
    assert [(r["key"], r["answers"], r["responsiveness"]) for r in partner] == [
        (cast.orgs.partner.pk, 1, 1.0)
    ]
    engineers = {r["key"]: r for r in figures.satisfaction(f(), cast.a, by="engineer")}
    assert set(engineers) == {cast.b.pk, cast.c.pk, cast.d.pk}
    assert engineers[cast.b.pk]["communication"] == 2.0
    products = {r["key"]: r["answers"] for r in figures.satisfaction(f(), cast.a, by="product")}
    assert products == {cast.products.core.pk: 2, cast.products.transport.pk: 1}


def test_sla_compliance_per_clock_counts_stopped_clocks(world):
    rows = {r["key"]: r for r in figures.sla_compliance(f(), world.cast.a)}
    assert (rows["acknowledge"]["clocks"], rows["acknowledge"]["compliance"]) == (2, 1.0)
    assert (rows["resolve"]["clocks"], rows["resolve"]["met"], rows["resolve"]["compliance"]) == (
        1,
        0,
        0.0,
    )


def test_leading_indicators_per_ticket(world):
    rows = {r["key"]: r for r in figures.leading_indicators(f(), world.cast.a)}
    assert {k: r["total"] for k, r in rows.items()} == {
        "handoffs": 3,
        "declined_handoffs": 1,
        "escalations": 1,
        "reopenings": 1,
        "unanswered_calls": 3,
    }
    assert rows["handoffs"]["tickets"] == 3 and rows["unanswered_calls"]["per_ticket"] == 1.0


def test_an_empty_period_has_zero_counts_and_no_medians(world):
    empty = f(period=parse_period("2025-01"))
    a = world.cast.a
    assert figures.complaints_pareto(empty, a) == []
    assert figures.satisfaction(empty, a) == []
    assert figures.withdrawal_rate(empty, a) == [{"received": 0, "withdrawn": 0, "rate": 0.0}]
    assert all(r["median_hours"] is None for r in figures.complaint_times(empty, a))
    assert all(r["per_ticket"] == 0.0 for r in figures.leading_indicators(empty, a))


def test_partner_engineer_sees_only_their_own_work(world):
    d = world.cast.d
    assert [r["count"] for r in figures.complaints_pareto(f(), d)] == [1]  # C3 on T2
    assert [r["answers"] for r in figures.satisfaction(f(), d)] == [1]
    rows = {r["key"]: r for r in figures.leading_indicators(f(), d)}
    assert (rows["handoffs"]["tickets"], rows["unanswered_calls"]["total"]) == (1, 1)


@pytest.mark.parametrize("who", ["x", "y"])
def test_customers_and_outsiders_get_not_found(world, who):
    with pytest.raises(NotFound):
        figures.complaints_pareto(f(), getattr(world.cast, who))


FIGURES = [
    lambda v: figures.complaints_pareto(f(), v),
    lambda v: figures.complaints_pareto(f(), v, by="root_cause"),
    lambda v: figures.complaint_times(f(), v),
    lambda v: figures.withdrawal_rate(f(), v),
    lambda v: figures.satisfaction(f(), v, by="period"),
    lambda v: figures.satisfaction(f(), v, by="engineer"),
    lambda v: figures.sla_compliance(f(), v),
    lambda v: figures.leading_indicators(f(), v),
]


def _queries(figure, viewer, new_scope):
    figure(viewer)  # reference data cached first, as on a page
    new_scope()  # then one request's worth: one read of the cache's token
    with CaptureQueriesContext(connection) as ctx:
        figure(viewer)
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_rows(world, one_refdata_check):
    cast = world.cast
    before = [_queries(fig, cast.a, one_refdata_check) for fig in FIGURES]
    for day in range(1, 25):
        t = make_ticket(cast, customer=cast.orgs.hillside, owner=cast.b, opened=at(4, day))
        make_complaint(cast, t, category="attitude", received=at(4, day, 12), ack=1, closed=3)
        make_answer(cast, t, engineer=cast.b, answered=at(4, day, 15), scores=(4, 4, 4, 4))
    after = [_queries(fig, cast.a, one_refdata_check) for fig in FIGURES]
    assert after == before
    assert figures.withdrawal_rate(f(), cast.a)[0]["received"] == 28
