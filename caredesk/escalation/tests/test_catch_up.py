"""A worker back from a long outage does not fire a chain's whole ladder at once: per chain
the highest step whose condition holds fires, the steps missed under it are recorded as
caught up with their due times, and each person hears once (issue 9, item 3)."""

import datetime as dt

from caredesk.escalation.models import EscalationRun
from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message
from caredesk.tickets.models import EntryKind
from caredesk.timers.models import DueAction

from .conftest import T0


def test_worker_started_after_a_long_outage_fires_one_step_per_chain_and_one_message_each(
    chains, open_request, at, smtp, client
):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P1")  # engineer.b owns it; nobody acknowledges
    at(300)  # the worker was down for five hours
    escalations = list(ticket.timeline.filter(kind=EntryKind.ESCALATED).order_by("id"))
    by_chain = {e.data["policy"]: e.data for e in escalations}
    assert len(escalations) == 2 == len(by_chain)  # one step per chain
    opened = by_chain["P1 未确认受理升级"]
    assert (opened["step"], opened["target_name"]) == (6, cast.w.name)
    assert opened["late"] is True
    assert opened["due_at"] == (T0 + dt.timedelta(minutes=80)).astimezone(dt.UTC).isoformat()
    assert [(c["step"], c["target_name"]) for c in opened["caught_up"]] == [
        (1, cast.b.name),
        (2, cast.c.name),
        (3, cast.a.name),
        (4, cast.p.name),
        (5, cast.s.name),
    ]
    assert [c["due_at"] for c in opened["caught_up"]] == [
        (T0 + dt.timedelta(minutes=m)).astimezone(dt.UTC).isoformat() for m in (0, 10, 20, 35, 50)
    ]
    clock = by_chain["时限预警与超时升级"]
    assert (clock["step"], clock["clock"], clock["target_name"]) == (2, "acknowledge", cast.a.name)
    # Its own channels (email, WeCom), though manager.a's one message also covers level 3.
    assert clock["deliveries"] == [{"channel": "email", "requested": "wecom", "missing": "robot"}]
    run = EscalationRun.objects.get(ticket=ticket, trigger="opened")
    assert run.step_states == ["caught_up"] * 5 + ["fired"]
    timers = DueAction.objects.filter(kind="escalation.step", subject=str(run.pk))
    assert sorted(timers.values_list("outcome", flat=True)) == ["caught_up"] * 5 + ["fired"]
    # Everyone on the ladder hears once — manager.a, called by both chains, too.
    sent = Message.objects.filter(template="escalation")
    assert sorted(m.recipient.username for m in sent) == sorted(
        ["engineer.b", "engineer.c", "manager.a", "leader.p", "spm.s", "head.w"]
    )
    deliver_due(worker="w1", batch=50)
    escalation_mails = [
        rcpt[0] for rcpt, mail in smtp.inbox.messages if "级升级" in str(mail["Subject"])
    ]
    assert sorted(escalation_mails) == sorted(
        p.email for p in (cast.b, cast.c, cast.a, cast.p, cast.s, cast.w)
    )
    # manager.a's one message names the other chain's step it stands for: the timeline says the
    # acknowledge breach reached him, so the message he got must say it too.
    to_a = Message.objects.get(template="escalation", recipient=cast.a)
    assert "本条同时告知：确认受理已超时（第2级）" in to_a.body
    assert "本条同时告知" not in Message.objects.get(template="escalation", recipient=cast.b).body
    to_b = Message.objects.get(template="escalation", recipient=cast.b)
    assert "第6级" in to_b.subject and "延迟后补发" in to_b.body and "10:00" in to_b.body
    # The page shows when each was due beside when it fired, and what was caught up.
    client.force_login(cast.b)
    client.cookies["django_language"] = "en"
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert "due 2026-11-24 11:20 · fired 2026-11-24 15:00" in page
    assert "level 1 李博 (due 10:00)" in page


def test_a_second_run_of_the_worker_fires_nothing_more(chains, open_request, at):
    at(0, fire=False)
    ticket = open_request(severity="P1")
    at(300)
    before = Message.objects.count(), ticket.timeline.count()
    at(301)
    assert (Message.objects.count(), ticket.timeline.count()) == before


def test_steps_due_together_on_time_all_fire(chains, open_request, at):
    """Not a catch-up: the hand-off chain's reminder and the owner's step share a due time."""
    from caredesk.tickets import services

    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P3")
    services.acknowledge(actor=cast.b, ticket=ticket)
    services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    at(30)
    fired = ticket.timeline.filter(kind=EntryKind.ESCALATED).order_by("id")
    assert [(e.data["step"], e.data["caught_up"], e.data["late"]) for e in fired] == [
        (1, [], False),
        (2, [], False),
    ]
