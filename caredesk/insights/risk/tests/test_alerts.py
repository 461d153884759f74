"""Rescoring in the running system: every event on a ticket marks it, the worker's loop
rescores marked tickets; crossing the threshold raises one alert per crossing — a message to
the customer's service manager with the reasons and what to do, and a timer that escalates it
unacknowledged; the acknowledgement and what was done are recorded; a complaint that follows
records the alert's lead time. On the fake clock."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Q

from caredesk import claiming, events
from caredesk.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from caredesk.events import EventKind
from caredesk.insights.risk import services
from caredesk.insights.risk.models import RiskAlert, RiskDirty, RiskScore
from caredesk.notify.models import Message
from caredesk.tickets import services as tickets

ANGRY = "网管又断了，打了三次电话都没人接，再不处理我们就投诉到工信部！！"
CALM = "请帮忙看一下这个告警，不着急，谢谢。"


def work():
    return services.rescore_dirty(worker="test", batch=100, lease=dt.timedelta(minutes=1))


@pytest.fixture
def angry(cast, at, open_request):
    at(0, fire=False)
    t = open_request(severity="P1", customer_voice=ANGRY)
    work()
    return t


def test_an_event_marks_the_ticket_and_the_worker_rescores_it(cast, at, open_request):
    at(0, fire=False)
    t = open_request(customer_voice=CALM)
    assert RiskDirty.objects.filter(ticket=t).exists()
    assert work() == 1
    assert not RiskDirty.objects.exists()
    assert RiskScore.objects.get(ticket=t).score < 35
    assert work() == 0  # nothing marked, nothing done


def test_a_calm_well_handled_ticket_stays_low_and_raises_nothing(cast, at, open_request):
    at(0, fire=False)
    t = open_request(customer_voice=CALM, severity="P3")
    at(5, fire=False)
    tickets.acknowledge(actor=cast.b, ticket=t)
    at(20, fire=False)
    tickets.add_comment(actor=cast.b, ticket=t, body="已远程查看，告警已消除。")
    at(30, fire=False)
    tickets.add_comment(actor=cast.y, ticket=t, body="好的，谢谢！")
    work()
    assert RiskScore.objects.get(ticket=t).score < 20
    assert not RiskAlert.objects.exists()


def test_crossing_the_threshold_alerts_the_service_manager_once_with_reasons(cast, at, angry):
    alert = RiskAlert.objects.get()
    assert alert.ticket_id == angry.pk and alert.manager == cast.a
    assert alert.score >= 35
    signals = [r["signal"] for r in alert.reasons]
    assert "text_threat" in signals
    threat = next(r for r in alert.reasons if r["signal"] == "text_threat")
    assert "工信部" in threat["words"] and threat["points"] > 0
    message = Message.objects.get(template="risk_alert")
    assert message.recipient == cast.a
    assert message.context["number"] == angry.number
    assert "工信部" in message.context["reasons"]
    assert cast.b.name in message.context["suggestion"]  # the owner, named
    # More of the same while it stays above: no second alert.
    at(10, fire=False)
    tickets.add_comment(actor=cast.y, ticket=angry, body="还没人管？我要找你们领导！")
    work()
    assert RiskAlert.objects.count() == 1
    assert Message.objects.filter(template="risk_alert").count() == 1


def test_an_unacknowledged_alert_goes_to_the_spm_after_the_wait(cast, at, angry, settings):
    settings.RISK_ACK_MINUTES = 30
    at(29)
    assert RiskAlert.objects.get().escalated_at is None
    at(31)
    alert = RiskAlert.objects.get()
    assert alert.escalated_to == cast.s and alert.escalated_at is not None
    assert Message.objects.get(template="risk_alert_escalated").recipient == cast.s


def test_acknowledging_records_who_when_and_what_was_done(cast, at, angry):
    alert = RiskAlert.objects.get()
    at(10, fire=False)
    with pytest.raises(ValidationFailed):
        services.acknowledge(actor=cast.a, alert=alert, action_taken="  ")
    with pytest.raises(PermissionDenied):  # the owner reads it, the manager answers it
        services.acknowledge(actor=cast.b, alert=alert, action_taken="已回电")
    with pytest.raises(NotFound):  # a customer: no such thing
        services.acknowledge(actor=cast.y, alert=alert, action_taken="已回电")
    with pytest.raises(NotFound):  # another operator's contact
        services.acknowledge(actor=cast.o, alert=alert, action_taken="已回电")
    done = services.acknowledge(
        actor=cast.a, alert=alert, action_taken="已致电客户，说明责任人李博和升级联系人。"
    )
    assert done.acknowledged_by == cast.a and done.acknowledged_at is not None
    assert done.action_taken.startswith("已致电客户")
    with pytest.raises(StaleVersion):
        services.acknowledge(actor=cast.a, alert=done, action_taken="再次确认")
    at(40)  # the wait is over, but it was answered: nobody above is told
    assert RiskAlert.objects.get().escalated_at is None
    assert not Message.objects.filter(template="risk_alert_escalated").exists()


def test_a_new_crossing_after_falling_below_alerts_again(cast, at, angry, settings):
    alert = RiskAlert.objects.get()
    services.acknowledge(actor=cast.a, alert=alert, action_taken="已回电")
    settings.RISK_THRESHOLD = 101  # nothing is above now
    at(5, fire=False)
    tickets.add_comment(actor=cast.b, ticket=angry, body="正在处理")
    work()
    assert RiskScore.objects.get(ticket=angry).above is False
    settings.RISK_THRESHOLD = 35
    at(10, fire=False)
    tickets.add_comment(actor=cast.y, ticket=angry, body="还是不行，我要投诉！")
    work()
    assert RiskAlert.objects.count() == 2


def test_a_complaint_after_the_alert_records_its_lead_time(cast, at, angry, register):
    at(90, fire=False)
    complaint = register(ticket=angry)
    alert = RiskAlert.objects.get()
    assert alert.complaint_id == complaint.pk
    assert alert.lead_minutes == pytest.approx(90)


def test_inline_rescoring_scores_in_the_events_transaction(cast, at, open_request, settings):
    settings.RISK_INLINE = True
    at(0, fire=False)
    t = open_request(severity="P1", customer_voice=ANGRY)
    assert not RiskDirty.objects.exists()
    assert RiskScore.objects.get(ticket=t).above
    assert RiskAlert.objects.filter(ticket=t).exists()


def test_an_event_about_no_ticket_marks_nothing(cast, at):
    moment = at(0, fire=False)
    with transaction.atomic():
        events.publish(
            events.Event(kind=EventKind.SURVEY_LOW_SCORE, ticket_id=0, actor_id=None, at=moment)
        )
    assert not RiskDirty.objects.exists()


def test_a_mark_made_while_the_worker_scores_stays_for_the_next_pass(cast, at, open_request):
    at(0, fire=False)
    t = open_request(customer_voice=CALM)
    ids = claiming.claim(
        RiskDirty,
        ready=Q(),
        order_by="marked_at",
        worker="other",
        now=at(1, fire=False),
        batch=10,
        lease=dt.timedelta(minutes=1),
    )
    assert ids == [t.pk]
    later = at(2, fire=False)
    services.mark_dirty(ticket_ids=[t.pk], at=later)  # touched again: the claim is cleared
    row = RiskDirty.objects.get()
    assert row.claimed_by == "" and row.marked_at == later
    assert work() == 1 and not RiskDirty.objects.exists()
