"""Escalation chains fire in order, on time, and stop when answered (seed cases 2, 3, 6)."""

import pytest

from caredesk.escalation import selectors
from caredesk.escalation.clocks import clocks_of
from caredesk.escalation.models import EscalationPolicy, EscalationRun, RunState
from caredesk.notify.models import Message
from caredesk.tickets import services
from caredesk.tickets.models import EntryKind, Ticket
from caredesk.timers.models import DueAction


def escalated_to(ticket, condition=None):
    entries = ticket.timeline.filter(kind=EntryKind.ESCALATED).order_by("at", "id")
    if condition:
        entries = entries.filter(data__condition=condition)
    return [e.data["target_name"] for e in entries]


def chain(ticket):
    """Who the not-acknowledged chain reached, in order."""
    return escalated_to(ticket, "not_acknowledged")


def p1(open_request, cast, at, **extra):
    at(0, fire=False)
    return open_request(severity="P1", **extra)  # core × lakeside: engineer.b owns it


def test_unacknowledged_p1_goes_engineer_backup_manager_in_order(chains, open_request, at):
    cast = chains
    ticket = p1(open_request, cast, at)
    at(0)
    assert chain(ticket) == [cast.b.name]
    at(9)
    assert chain(ticket) == [cast.b.name]
    at(10)
    assert chain(ticket) == [cast.b.name, cast.c.name]
    at(20)
    assert chain(ticket) == [cast.b.name, cast.c.name, cast.a.name]
    at(35)
    assert chain(ticket)[-1] == cast.p.name
    at(50)
    assert chain(ticket)[-1] == cast.s.name
    at(80)
    assert chain(ticket)[3:] == [cast.p.name, cast.s.name, cast.w.name]
    # The demo has no SMS gateway and no WeCom robot: each target got one email, which says
    # which channel its step asked for (the acknowledge breach reached manager.a in the same
    # run of the worker as level 3, so that is one message too).
    sent = Message.objects.filter(template="escalation")
    assert sorted(m.recipient.username for m in sent) == sorted(
        ["engineer.b", "engineer.c", "manager.a", "leader.p", "spm.s", "head.w"]
    )
    assert {m.channel for m in sent} == {"email"}
    assert {m.requested_channel for m in sent if m.recipient == cast.p} == {"sms"}


def test_acknowledging_stops_the_chain(chains, open_request, at):
    cast = chains
    ticket = p1(open_request, cast, at)
    at(0)
    at(10)
    assert chain(ticket) == [cast.b.name, cast.c.name]
    at(12, fire=False)
    services.acknowledge(actor=cast.b, ticket=ticket)
    run = EscalationRun.objects.get(ticket=ticket, trigger="opened")
    assert run.state == RunState.STOPPED
    assert run.step_states[2:] == ["cancelled"] * 4
    at(200)
    assert cast.a.name not in [
        e.data["target_name"]
        for e in ticket.timeline.filter(
            kind=EntryKind.ESCALATED, data__condition="not_acknowledged"
        )
    ]


def test_step_whose_condition_no_longer_holds_is_skipped(chains, open_request, at):
    cast = chains
    ticket = p1(open_request, cast, at)
    at(0)
    # Acknowledged through a path that does not stop the chain: the step re-checks anyway.
    Ticket.objects.filter(pk=ticket.pk).update(status="acknowledged")
    at(10)
    run = EscalationRun.objects.get(ticket=ticket, trigger="opened")
    assert run.step_states[1] == "skipped"
    assert chain(ticket) == [cast.b.name]


def test_handoff_not_accepted_escalates_and_stops_on_accept(chains, open_request, at):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P3")
    services.acknowledge(actor=cast.b, ticket=ticket)
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    at(29)
    assert escalated_to(ticket) == []
    at(30)
    # Reminder to the proposed owner, then the current owner at once.
    assert escalated_to(ticket) == [cast.c.name, cast.b.name]
    services.accept_handoff(actor=cast.c, handoff=handoff)
    at(120)
    assert escalated_to(ticket) == [cast.c.name, cast.b.name]
    run = EscalationRun.objects.get(ticket=ticket, trigger="handoff")
    assert (run.state, run.end_reason) == (RunState.STOPPED, "accepted")


def test_declined_handoff_stops_its_chain(chains, open_request, at):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P3")
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    services.decline_handoff(actor=cast.c, handoff=handoff, reason="not mine")
    at(120)
    assert not ticket.timeline.filter(
        kind=EntryKind.ESCALATED, data__condition="handoff_not_accepted"
    ).exists()


def test_acknowledge_clock_breach_escalates_to_service_manager(chains, open_request, at):
    cast = chains
    ticket = p1(open_request, cast, at)
    at(14)
    assert not ticket.timeline.filter(kind=EntryKind.CLOCK_BREACHED).exists()
    at(15)
    breach = ticket.timeline.get(kind=EntryKind.CLOCK_BREACHED, data__clock="acknowledge")
    assert breach.public is False
    clock_steps = ticket.timeline.filter(kind=EntryKind.ESCALATED, data__clock="acknowledge")
    assert [e.data["target_name"] for e in clock_steps] == [cast.a.name]
    view = {c.kind: c for c in clocks_of(ticket)}["acknowledge"]
    assert view.breached and view.level == "red"


def test_waiting_for_customer_pauses_the_clock(chains, open_request, at):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P2")  # 24×7: acknowledge 30, resolve 2880 minutes
    services.acknowledge(actor=cast.b, ticket=ticket)
    at(60, fire=False)
    t = Ticket.objects.get(pk=ticket.pk)
    services.edit_ticket(
        actor=cast.b, ticket=t, version=t.version, changes={"status": "waiting_customer"}
    )
    before = {c.kind: c for c in clocks_of(ticket)}["resolve"]
    at(600, fire=False)
    during = {c.kind: c for c in clocks_of(ticket)}["resolve"]
    assert during.state == "paused"
    assert during.elapsed_seconds == before.elapsed_seconds == 60 * 60
    services.add_comment(actor=cast.y, ticket=ticket, body="Here are the logs.")
    at(660, fire=False)
    after = {c.kind: c for c in clocks_of(ticket)}["resolve"]
    assert after.state == "running"
    assert after.elapsed_seconds == 120 * 60
    # The breach timer moved by the paused 9 hours.
    assert after.due_at == at(2880 + 540, fire=False)


def test_resolution_stops_every_chain_and_clock(chains, open_request, at):
    cast = chains
    ticket = p1(open_request, cast, at)
    at(5)
    services.resolve(actor=cast.b, ticket=ticket, note="Rebooted the server.")
    assert not EscalationRun.objects.filter(ticket=ticket, state=RunState.ACTIVE).exists()
    assert all(c.state == "stopped" for c in clocks_of(ticket))
    at(3000)
    assert chain(ticket) == [cast.b.name]


def test_reopened_ticket_gets_a_fresh_chain(chains, open_request, at):
    cast = chains
    ticket = p1(open_request, cast, at)
    services.acknowledge(actor=cast.b, ticket=ticket)
    services.resolve(actor=cast.b, ticket=ticket, note="done")
    at(100, fire=False)
    services.reopen(actor=cast.y, ticket=ticket, reason="down again")
    at(100)
    runs = EscalationRun.objects.filter(ticket=ticket, trigger="opened")
    assert [r.state for r in runs.order_by("pk")] == ["stopped", "active"]
    assert chain(ticket)[-1] == cast.b.name


def test_editing_a_policy_does_not_rewrite_a_running_chain(chains, open_request, at):
    cast = chains
    ticket = p1(open_request, cast, at)
    policy = EscalationPolicy.objects.get(trigger="opened", severity="P1")
    policy.steps.filter(order=2).update(target="account_head")
    at(0)
    at(10)
    assert chain(ticket)[1] == cast.c.name  # the frozen backup step, not the edit


def test_no_step_fires_twice_when_timers_run_again(chains, open_request, at):
    cast = chains
    ticket = p1(open_request, cast, at)
    at(80)
    fired = len(chain(ticket))
    DueAction.objects.filter(kind="escalation.step").update(done_at=None, claimed_until=None)
    at(81)
    assert len(chain(ticket)) == fired


def test_customer_sees_the_next_escalation_contact(chains, open_request, at):
    cast = chains
    ticket = p1(open_request, cast, at)
    at(0)
    upcoming = selectors.next_escalation(ticket)
    assert (upcoming.person, upcoming.role, upcoming.level) == (cast.c, "backup", 2)
    services.acknowledge(actor=cast.b, ticket=ticket)
    upcoming = selectors.next_escalation(ticket)
    # The clock chain's resolve breach: its owner warning is no escalation, and the
    # acknowledge breach can no longer happen.
    assert (upcoming.person, upcoming.level) == (cast.a, 3)


def test_on_call_target(chains, open_request, at):
    cast = chains
    policy = EscalationPolicy.objects.create(name="on call", trigger="opened", severity="P4")
    policy.steps.create(order=1, target="oncall", wait_minutes=5, condition="not_acknowledged")
    at(0, fire=False)
    ticket = open_request(severity="P4", product="wireless")  # 无线与传输组: daily c, d
    at(5)
    on_duty = ticket.timeline.get(kind=EntryKind.ESCALATED, data__target_role="oncall")
    assert on_duty.data["target_name"] in {cast.c.name, cast.d.name}


@pytest.mark.parametrize("severity", ["P3", "P4"])
def test_business_hours_policy_for_lower_severities(chains, open_request, at, severity):
    at(0, fire=False)
    ticket = open_request(severity=severity)
    ack = {c.kind: c for c in clocks_of(ticket)}["acknowledge"]
    assert ack.target_seconds in (240 * 60, 480 * 60)
    assert ack.due_at is not None


def test_clock_at_risk_warns_the_owner_at_its_threshold(chains, open_request, at):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P2")  # 24×7, resolve within 2880 min: 75 % at 2160
    services.acknowledge(actor=cast.b, ticket=ticket)
    at(2159)
    assert escalated_to(ticket, "clock_at_risk") == []
    at(2160)
    assert escalated_to(ticket, "clock_at_risk") == [cast.b.name]


def test_paused_clock_moves_its_clock_steps(chains, open_request, at):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P2")
    services.acknowledge(actor=cast.b, ticket=ticket)
    at(100, fire=False)
    t = Ticket.objects.get(pk=ticket.pk)
    services.edit_ticket(
        actor=cast.b, ticket=t, version=t.version, changes={"status": "waiting_customer"}
    )
    at(2200)  # would have been past 75 %, but the clock stood still since minute 100
    assert escalated_to(ticket, "clock_at_risk") == []
    t = Ticket.objects.get(pk=ticket.pk)
    services.edit_ticket(
        actor=cast.b, ticket=t, version=t.version, changes={"status": "in_progress"}
    )
    at(2200 + 2059)
    assert escalated_to(ticket, "clock_at_risk") == []
    at(2200 + 2060)  # 100 + 2060 running minutes = 2160 = 75 % of 2880
    assert escalated_to(ticket, "clock_at_risk") == [cast.b.name]


def test_escalation_messages_render_in_the_targets_language(chains, open_request, at):
    from caredesk.notify.rendering import render

    cast = chains
    ticket = p1(open_request, cast, at)
    at(0)
    message = Message.objects.filter(idempotency_key__startswith="escalation:").first()
    subject, body = render(message.template, message.language, message.context)
    assert subject.startswith(f"[#{ticket.number}]")
    assert "第1级升级" in subject
    assert "尚未确认受理" in body
    assert cast.b.phone in body
    subject_en, body_en = render(message.template, "en", message.context)
    assert "Escalation level 1" in subject_en
    assert "Nobody has acknowledged" in body_en
