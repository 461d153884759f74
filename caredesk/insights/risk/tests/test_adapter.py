"""history_of: a ticket's records read into the History the scorer knows — every kind the
signals read, customer words from every channel, the customer's facts — and many tickets in
a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.conftest import T0
from caredesk.fieldwork.visits import services as visits
from caredesk.insights.risk import adapter
from caredesk.tickets import services


def kinds(history):
    return [e.kind for e in history.events]


def test_the_records_of_a_ticket_become_its_events_in_time_order(cast, at, open_request, on_site):
    at(0, fire=False)
    t = open_request(customer_voice="网络又断了，非常着急！")
    at(5, fire=False)
    services.acknowledge(actor=cast.b, ticket=t)
    at(10, fire=False)
    services.log_call(
        actor=cast.b, ticket=t, direction="outbound", outcome="phone_off", note="客户手机关机"
    )
    at(12, fire=False)
    services.add_comment(actor=cast.y, ticket=t, body="怎么还没人来？我要投诉！")
    at(15, fire=False)
    services.add_comment(actor=cast.b, ticket=t, body="内部：等备件", public=False)
    at(20, fire=False)
    services.propose_handoff(actor=cast.b, ticket=t, to_person=cast.c, reason="无线问题")
    at(25, fire=False)
    services.decline_handoff(actor=cast.c, handoff=t.handoffs.get(), reason="不是无线问题")
    at(30, fire=False)
    services.set_conclusion(actor=cast.b, ticket=t, text="光缆中断")
    at(40, fire=False)
    services.set_conclusion(actor=cast.b, ticket=t, text="板卡故障", reason="复核后改判")
    at(50, fire=False)
    visit = on_site(ticket=t)
    at(60, fire=False)
    visits.leave_site(
        actor=cast.b,
        visit=visit,
        result="unresolved",
        work_done="更换尾纤无效",
        next_step="明天带板卡再来",
        next_step_owner=cast.b,
        next_step_due=T0.replace(hour=18),
        customer_message="明天再来更换板卡",
    )
    h = adapter.history_of(t)
    assert h.severity == "P2" and h.id == t.number
    assert kinds(h)[:1] == ["customer_message"]
    assert h.events[0].text == "网络又断了，非常着急！"
    call = next(e for e in h.events if e.kind == "call")
    assert (call.direction, call.outcome, call.text) == ("outbound", "phone_off", "客户手机关机")
    messages = [e.text for e in h.events if e.kind == "customer_message"]
    assert messages == ["网络又断了，非常着急！", "怎么还没人来？我要投诉！"]
    note = next(e for e in h.events if e.kind == "staff_reply")
    assert note.public is False
    assert {"acknowledged", "handoff_proposed", "handoff_declined"} <= set(kinds(h))
    # The first conclusion is an answer; the second changed it.
    assert kinds(h).count("conclusion_changed") == 1
    left = [e for e in h.events if e.kind == "site_visit_left"]
    assert [e.resolved for e in left] == [False]
    assert [e.at for e in h.events] == sorted(e.at for e in h.events)
    assert h.customer.org_level == "city"


def test_reopening_and_resolution_are_read_with_the_customers_words(cast, at, open_request):
    at(0, fire=False)
    t = open_request()
    services.resolve(actor=cast.b, ticket=t, note="已恢复")
    at(30, fire=False)
    services.add_comment(actor=cast.y, ticket=t, body="问题又出现了，你们根本没修好")
    h = adapter.history_of(t)
    assert kinds(h)[-2:] == ["resolved", "reopened"]
    assert h.events[-1].text == "问题又出现了，你们根本没修好"


def test_prior_complaints_repeat_problems_and_province_are_the_customers_facts(
    cast, at, open_request, register
):
    first = open_request(title="上个月的断网")
    register(ticket=first)
    at(60 * 24 * 3, fire=False)
    t = open_request(title="又断网了")
    h = adapter.history_of(t)
    assert h.customer.prior_complaints == 1  # the earlier complaint, not about this ticket
    assert h.customer.repeat_problems_30d == 1  # the same product from Lakeside, 3 days ago
    assert adapter.history_of(first).customer.prior_complaints == 0  # its own complaint
    province = open_request(actor=cast.x, customer_org=cast.orgs.province)
    assert adapter.history_of(province).customer.org_level == "province"


def test_nothing_after_now_is_read(cast, at, open_request):
    start = at(0, fire=False)
    t = open_request()
    at(10, fire=False)
    services.add_comment(actor=cast.y, ticket=t, body="我要投诉")
    assert kinds(adapter.history_of(t, now=start)) == ["customer_message"]


@pytest.mark.parametrize("n", [1, 6])
def test_many_tickets_are_read_in_a_constant_number_of_queries(
    cast, at, open_request, one_refdata_check, n
):
    at(0, fire=False)
    tickets = []
    for i in range(n):
        t = open_request(title=f"t{i}")
        services.add_comment(actor=cast.y, ticket=t, body="还没好吗")
        services.log_call(actor=cast.b, ticket=t, direction="outbound", outcome="busy")
        tickets.append(t)
    one_refdata_check()
    adapter.histories_of(tickets)  # the process's reference data, once
    one_refdata_check()
    with CaptureQueriesContext(connection) as q:
        found = adapter.histories_of(tickets)
    assert len(found) == n
    assert len(q.captured_queries) <= 7


def test_a_subscribed_stakeholder_whose_message_failed_was_not_told(cast, at, open_request):
    from caredesk.notify.models import Message, MessageState
    from caredesk.stakeholders import services as stakeholders

    stakeholders.add_stakeholder(
        actor=cast.admin, organisation=cast.orgs.province, person=cast.x, include_branches=True
    )
    at(0, fire=False)
    t = open_request()
    services.resolve(actor=cast.b, ticket=t, note="已恢复")
    assert "stakeholder_not_told" not in kinds(adapter.history_of(t))
    Message.objects.filter(recipient=cast.x, topic=f"ticket:{t.pk}").update(state=MessageState.DEAD)
    assert "stakeholder_not_told" in kinds(adapter.history_of(t))
