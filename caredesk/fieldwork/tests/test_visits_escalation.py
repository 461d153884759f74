"""A visit left unresolved is a condition escalation acts on (seed case 6): the service
manager hears at once, and when the next step's time passes with nobody back on site and the
ticket unresolved, the chain escalates. Fieldwork and escalation never import each other: the
event (caredesk.events) carries the next step, escalation's reaction starts the chain."""

import datetime as dt

import pytest

from caredesk.conftest import T0
from caredesk.escalation import config
from caredesk.escalation import demo as escalation_demo
from caredesk.escalation.models import EscalationRun, RunState
from caredesk.fieldwork.visits import services
from caredesk.notify import rendering
from caredesk.notify.models import Message
from caredesk.tickets import services as ticket_services
from caredesk.tickets.models import EntryKind

DAY = 24 * 60
NEXT_MORNING = T0 + dt.timedelta(minutes=DAY)  # Wednesday 10:00


@pytest.fixture
def chains(cast):
    escalation_demo.setup(cast.world)  # the demo's chains, its site-visit chain among them
    return cast


def escalated(ticket, condition):
    entries = ticket.timeline.filter(kind=EntryKind.ESCALATED, data__condition=condition)
    return [e.data["target_name"] for e in entries.order_by("at", "id")]


def leave_unresolved(cast, on_site, at, *, due=NEXT_MORNING):
    """engineer.b is on site from 13:00 (T0 is 10:00), cannot find the cause by 17:00 and
    leaves, promising engineer.c on site again by `due`."""
    at(3 * 60, fire=False)
    visit = on_site()
    ticket_services.acknowledge(actor=cast.b, ticket=visit.ticket)  # no other chain in the way
    at(7 * 60, fire=False)
    return services.leave_site(
        actor=cast.b,
        visit=visit,
        result="unresolved",
        work_done="专线逐段排查到五点，未找到根因。",
        next_step="携带光功率计复查全段光路",
        next_step_owner=cast.c,
        next_step_due=due,
        customer_message="今天未能找到根因，明天上午十点前再次到站。",
    )


def test_service_manager_told_at_once_and_overdue_next_step_escalates(chains, on_site, at):
    cast = chains
    visit = leave_unresolved(cast, on_site, at)
    ticket = visit.ticket
    at(7 * 60)
    # Whoever takes the next step is reminded; the service manager is called in.
    assert escalated(ticket, "visit_unresolved") == [cast.c.name, cast.a.name]
    assert Message.objects.filter(
        template="escalation", recipient=cast.c, context__target_role="next_step_owner"
    ).exists()
    (told,) = Message.objects.filter(
        template="escalation", recipient=cast.a, context__condition="visit_unresolved"
    )
    subject, body = rendering.render(told.template, told.language, told.context)
    assert "上站未解决" in subject
    assert "携带光功率计复查全段光路" in body and cast.c.name in body and "17:00" in body
    run = EscalationRun.objects.get(ticket=ticket, trigger="visit")
    assert run.cause["visit"] == visit.pk and run.cause["next_step_owner"] == cast.c.pk

    at(DAY - 1)  # 09:59 next morning: the next step is not due yet
    assert escalated(ticket, "next_step_overdue") == []
    at(DAY)  # 10:00, nobody back on site, the ticket not resolved
    assert escalated(ticket, "next_step_overdue") == [cast.a.name]
    at(DAY + 60)
    assert escalated(ticket, "next_step_overdue") == [cast.a.name, cast.p.name]
    overdue = Message.objects.get(
        template="escalation", recipient=cast.p, context__condition="next_step_overdue"
    )
    subject, body = rendering.render(overdue.template, overdue.language, overdue.context)
    assert "后续计划超期" in subject and "仍无人再次到站" in body
    # The customer heard of the report, and that the service manager was called in.
    assert Message.objects.filter(template="visit_left", recipient=cast.y).count() == 1
    assert Message.objects.filter(
        template="ticket_escalated", recipient=cast.y, context__condition="visit_unresolved"
    ).exists()


def test_back_on_site_in_time_stops_the_chain(chains, on_site, at):
    cast = chains
    visit = leave_unresolved(cast, on_site, at)
    at(7 * 60)
    at(DAY - 90, fire=False)  # 08:30 next morning engineer.c is back on site
    again = services.plan_visit(
        actor=cast.b,
        ticket=visit.ticket,
        engineer=cast.c,
        planned_at=T0 + dt.timedelta(minutes=DAY - 60),
        purpose="复查光路",
    )
    services.arrive(actor=cast.c, visit=again)
    run = EscalationRun.objects.get(ticket=visit.ticket, trigger="visit")
    assert run.state == RunState.STOPPED and run.end_reason == "back on site"
    at(DAY + 120)
    assert escalated(visit.ticket, "next_step_overdue") == []


def test_resolving_the_ticket_stops_the_chain(chains, on_site, at):
    cast = chains
    visit = leave_unresolved(cast, on_site, at)
    at(7 * 60)
    at(8 * 60)
    ticket_services.resolve(actor=cast.b, ticket=visit.ticket, note="远程调整后恢复。")
    at(DAY + 120)
    assert escalated(visit.ticket, "visit_unresolved") == [cast.c.name, cast.a.name]
    assert escalated(visit.ticket, "next_step_overdue") == []


def test_visit_conditions_belong_to_visit_chains_only():
    spec = config.StepSpec(target="service_manager", condition="next_step_overdue")
    assert set(config.validate_steps("clock", [spec])) == {"steps.0.condition"}
    assert config.validate_steps("visit", [spec]) == {}
    clocked = config.StepSpec(target="owner", condition="clock_breached", clock="resolve")
    assert set(config.validate_steps("visit", [clocked])) == {"steps.0.condition"}
    reminder = config.StepSpec(target="next_step_owner", condition="not_acknowledged")
    assert set(config.validate_steps("opened", [reminder])) == {"steps.0.target"}
