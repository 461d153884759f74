"""Each risk signal on a crafted timeline: the sign it reads gives it strength, the same
timeline without the sign (or with it answered) gives none. Times are minutes after 10:00."""

import datetime as dt

import pytest

from caredesk.insights.risk import signals
from caredesk.insights.risk.history import Customer, Event, History

T0 = dt.datetime(2026, 6, 8, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def ev(minutes: float, kind: str, **fields) -> Event:
    return Event(at=at(minutes), kind=kind, **fields)


def story(*events: Event, severity="P3", customer: Customer | None = None) -> History:
    return History("t", severity, T0, customer or Customer(), tuple(events))


MSG = {"channel": "portal", "text": "专线中断了"}


def test_handoffs_count_the_last_hour_only():
    twice = story(ev(0, "handoff_proposed"), ev(25, "handoff_proposed"), ev(30, "staff_reply"))
    assert signals.handoffs(twice).strength == 1.0  # passed on twice in half an hour
    long_ago = story(ev(0, "handoff_proposed"), ev(25, "handoff_proposed"), ev(200, "call"))
    assert signals.handoffs(long_ago).strength == 0


def test_a_declined_handoff_is_a_full_sign():
    assert signals.declined_handoffs(story(ev(0, "handoff_declined"))).strength == 1.0
    assert signals.declined_handoffs(story(ev(0, "handoff_accepted"))).strength == 0


def test_unanswered_calls_and_a_phone_switched_off_weigh_more():
    off = story(ev(0, "call", direction="outbound", outcome="phone_off"))
    busy = story(ev(0, "call", direction="outbound", outcome="busy"))
    answered = story(ev(0, "call", direction="outbound", outcome="answered"))
    assert signals.unanswered_calls(off).strength == 0.75
    assert signals.unanswered_calls(busy).strength == 0.5
    assert signals.unanswered_calls(answered).strength == 0


def test_repeated_contacts_without_a_reply_and_a_reply_resets_them():
    calling = story(
        ev(0, "customer_message", **MSG),
        ev(10, "call", direction="inbound", outcome="answered"),
        ev(20, "customer_message", **MSG),
    )
    assert signals.repeated_contacts(calling).strength == 1.0  # three, two beyond the first
    answered = story(*calling.events, ev(25, "staff_reply", public=True))
    assert signals.repeated_contacts(answered).strength == 0
    internal_note = story(*calling.events, ev(25, "staff_reply", public=False))
    assert signals.repeated_contacts(internal_note).strength == 1.0  # the customer saw nothing


def test_silence_grows_with_the_wait_against_the_severitys_patience():
    waited = lambda minutes, sev: story(  # noqa: E731
        ev(0, "customer_message", **MSG), ev(minutes, "escalated", level=1), severity=sev
    )
    assert signals.silence(waited(10, "P1")).strength == 0  # under half of P1's 30 minutes
    assert signals.silence(waited(60, "P1")).strength == 1.0  # twice its patience
    assert 0 < signals.silence(waited(60, "P2")).strength < 1  # P2 waits 90 minutes
    replied = story(ev(0, "customer_message", **MSG), ev(5, "staff_reply"), ev(60, "call"))
    assert signals.silence(replied).strength == 0
    resolved = story(ev(0, "customer_message", **MSG), ev(60, "resolved"), severity="P1")
    assert signals.silence(resolved).strength == 0


def test_clock_breaches_name_their_clocks():
    r = signals.clock_breaches(
        story(
            ev(0, "clock_breached", clock="acknowledge"), ev(9, "clock_breached", clock="restore")
        )
    )
    assert r.strength == 1.0 and r.detail == "acknowledge, restore"
    assert signals.clock_breaches(story(ev(0, "acknowledged"))).strength == 0


def test_escalations_by_the_highest_level_reached():
    r = signals.escalations(story(ev(0, "escalated", level=1), ev(30, "escalated", level=2)))
    assert r.strength == pytest.approx(2 / 3) and r.detail == "2"
    assert signals.escalations(story(ev(0, "acknowledged"))).strength == 0


def test_a_visit_left_unresolved_until_something_resolves_it():
    left = story(ev(0, "site_visit_left", resolved=False))
    assert signals.visit_unresolved(left).strength == 1.0
    assert signals.visit_unresolved(story(*left.events, ev(60, "resolved"))).strength == 0
    fixed = story(
        ev(0, "site_visit_left", resolved=False), ev(90, "site_visit_left", resolved=True)
    )
    assert signals.visit_unresolved(fixed).strength == 0


def test_a_conclusion_changed_twice_is_contradicting_answers():
    once = story(ev(0, "conclusion_changed"))
    assert signals.conclusion_changed(once).strength == 0.5
    assert (
        signals.conclusion_changed(story(*once.events, ev(9, "conclusion_changed"))).strength == 1
    )
    assert signals.conclusion_changed(story(ev(0, "staff_reply"))).strength == 0


def test_reopened_or_written_to_again_after_the_resolution():
    reopened = story(ev(0, "resolved"), ev(60, "reopened"))
    assert signals.reopenings(reopened).strength == 1.0
    wrote_again = story(ev(0, "resolved"), ev(60, "customer_message", **MSG))
    assert signals.reopenings(wrote_again).strength == 1.0
    before_resolution = story(ev(0, "customer_message", **MSG), ev(60, "resolved"))
    assert signals.reopenings(before_resolution).strength == 0


def test_the_customers_facts_repeat_problem_prior_complaints_low_scores_province():
    facts = Customer(
        org_level="province", prior_complaints=1, low_survey_scores=2, repeat_problems_30d=1
    )
    h, plain = story(customer=facts), story()
    assert signals.repeat_problem(h).strength == 1.0 and signals.repeat_problem(plain).strength == 0
    assert signals.prior_complaints(h).strength == 0.5
    assert signals.prior_complaints(plain).strength == 0
    assert signals.low_surveys(h).strength == 1.0 and signals.low_surveys(plain).strength == 0
    assert signals.province_customer(h).strength == 1.0
    assert signals.province_customer(plain).strength == 0


def test_a_stakeholder_not_told_is_a_full_sign():
    assert signals.stakeholder_not_told(story(ev(0, "stakeholder_not_told"))).strength == 1.0
    assert signals.stakeholder_not_told(story(ev(0, "escalated", level=1))).strength == 0


def test_severity_and_the_services_a_fault_takes_down():
    assert signals.severity(story(severity="P1")).strength == 1.0
    assert signals.severity(story(severity="P4")).strength == 0
    many = story(customer=Customer(services_affected=5))
    assert signals.services_affected(many).strength == 1.0
    assert signals.services_affected(story()).strength == 0


def test_text_cues_read_every_message_and_calm_down_by_half_on_a_calm_last_word():
    angry = ev(0, "customer_message", channel="portal", text="再不处理我就投诉到工信部")
    threat = signals.SIGNALS["text_threat"]
    first = threat(story(angry))
    later = threat(story(ev(0, "customer_message", **MSG), angry, ev(9, "staff_reply")))
    assert first.strength > 0 and later.strength == first.strength  # not only the first
    assert {"投诉", "工信部"} <= set(first.words)
    calm = threat(story(angry, ev(30, "customer_message", channel="portal", text="好的，谢谢")))
    assert calm.strength == pytest.approx(first.strength / 2)
    assert threat(story(ev(0, "customer_message", **MSG))).strength == 0


def test_every_signal_reads_only_the_events_it_is_given():
    h = story(
        ev(0, "customer_message", **MSG),
        ev(10, "handoff_declined"),
        ev(20, "clock_breached", clock="acknowledge"),
        severity="P2",
    )
    for name, fn in signals.SIGNALS.items():
        assert fn(h.upto(1)).strength <= fn(h).strength or name == "silence", name
    assert signals.declined_handoffs(h.upto(1)).strength == 0  # the decline comes later
