"""Answering and ending a complaint: the response (approved first when severity is high),
the call-back, withdrawal, closure only on the complainant's answer, reopening."""

import pytest

from caredesk.complaints import services
from caredesk.complaints.models import Closure, Complaint, Status
from caredesk.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from caredesk.events import EventKind
from caredesk.notify.models import Message
from caredesk.timers.models import DueAction


@pytest.fixture
def answered(cast, register):
    """A medium complaint acknowledged and answered by its handler, manager.a."""

    def make(**extra):
        complaint = register(**extra)
        services.acknowledge(actor=cast.a, complaint=complaint)
        services.record_callback(actor=cast.a, complaint=complaint, reached=True, note="已致电")
        services.respond(actor=cast.a, complaint=complaint, text="已指定陈晨为该产品责任人。")
        complaint.refresh_from_db()
        return complaint

    return make


def test_closure_refused_without_confirmation_or_recorded_refusal(cast, answered):
    complaint = answered()
    assert complaint.status == Status.RESPONDED
    with pytest.raises(services.ClosureNeedsAnswer):
        services.close(actor=cast.a, complaint=complaint, outcome=Closure.CONFIRMED)
    with pytest.raises(services.ClosureNeedsAnswer):
        services.close(
            actor=cast.a, complaint=complaint, outcome=Closure.REFUSED, recourse="可拨打12300"
        )
    complaint.refresh_from_db()
    assert complaint.status == Status.RESPONDED and complaint.closed_at is None


def test_closure_on_confirmation_publishes_the_agreed_event(cast, answered, monkeypatch):
    from caredesk import events

    seen = []
    monkeypatch.setattr(events, "_subscribers", [*events._subscribers, seen.append])
    complaint = answered()
    services.record_callback(actor=cast.a, complaint=complaint, reached=True, satisfied=True)
    services.close(actor=cast.a, complaint=complaint, outcome=Closure.CONFIRMED)
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.closed_by == cast.a
    closed = [e for e in seen if e.kind == EventKind.COMPLAINT_CLOSED]
    assert len(closed) == 1
    data = closed[0].data
    assert data["complaint_id"] == complaint.pk
    assert data["complainant_id"] == cast.y.pk
    assert data["ticket_ids"] == [link.ticket_id for link in complaint.links.all()]
    assert data["handler_id"] == cast.a.pk
    assert not DueAction.objects.filter(
        subject__startswith=f"complaint:{complaint.pk}:", done_at__isnull=True
    ).exists()


def test_a_rejected_answer_keeps_the_complaint_open_until_refusal_is_recorded(cast, answered):
    complaint = answered()
    services.record_callback(
        actor=cast.a, complaint=complaint, reached=True, satisfied=False, note="不认可"
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    with pytest.raises(services.ClosureNeedsAnswer) as refused:
        services.close(actor=cast.a, complaint=complaint, outcome=Closure.REFUSED)
    assert "recourse" in refused.value.fields
    services.close(
        actor=cast.a,
        complaint=complaint,
        outcome=Closure.REFUSED,
        recourse="可向工信部 12300 申诉",
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert complaint.recourse_told == "可向工信部 12300 申诉"
    told = Message.objects.get(template="complaint_closed")
    assert told.context["outcome"] == "refused"


def test_withdrawal_recorded_with_time_and_by_whom(cast, register, at):
    complaint = register()
    services.acknowledge(actor=cast.a, complaint=complaint)
    moment = at(45, fire=False)
    # The customer rang the 400 line back: the agent who registered it records it.
    services.withdraw(actor=cast.h, complaint=complaint, note="工程师回电后问题已解决，客户撤诉")
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    assert complaint.withdrawn_at == moment
    assert complaint.withdrawn_by == cast.h
    assert complaint.withdrawn_name == cast.y.name
    entry = complaint.timeline.get(kind="withdrawn")
    assert entry.actor == cast.h and not entry.internal
    with pytest.raises(PermissionDenied):
        services.reopen(actor=cast.h, complaint=complaint, reason="again")
    services.reopen(actor=cast.a, complaint=complaint, reason="客户再次来电")
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS and complaint.withdrawn_at is None


def test_a_response_sent_at_once_is_kept_on_the_complaint(cast, answered):
    complaint = answered()  # medium: sent without approval
    assert complaint.status == Status.RESPONDED
    assert complaint.response == "已指定陈晨为该产品责任人。"
    assert complaint.response_by == cast.a


def test_high_severity_response_waits_for_the_managers_approval(cast, register):
    complaint = register(severity="high")
    services.acknowledge(actor=cast.a, complaint=complaint)
    services.respond(actor=cast.a, complaint=complaint, text="答复草稿")
    complaint.refresh_from_db()
    assert complaint.status == Status.AWAITING_APPROVAL
    assert not Message.objects.filter(template="complaint_response").exists()
    with pytest.raises(PermissionDenied):
        services.approve_response(actor=cast.a, complaint=complaint)
    approval = Message.objects.get(template="complaint_approval")
    assert approval.recipient == cast.s  # the SPM above the service manager
    services.approve_response(actor=cast.s, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == Status.RESPONDED
    assert complaint.response_approved_by == cast.s
    assert Message.objects.get(template="complaint_response").recipient == cast.y


def test_a_stale_version_is_refused(cast, register):
    complaint = register()
    with pytest.raises(StaleVersion):
        services.acknowledge(actor=cast.a, complaint=complaint, version=complaint.version + 1)


# ---- the complainant's own answer on the portal


def test_the_complainant_accepting_the_response_closes_it_confirmed(cast, answered):
    complaint = services.answer_response(actor=cast.y, complaint=answered(), accepted=True)
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.closure == Closure.CONFIRMED
    assert complaint.closed_by == cast.y
    answer = complaint.callbacks.get(by=cast.y)
    assert answer.satisfied is True and answer.after_response
    told = Message.objects.get(template="complaint_answered")
    assert told.recipient == cast.a and told.context["accepted"] is True


def test_not_accepting_needs_a_comment_and_sends_it_back_to_work(cast, answered, at):
    complaint = answered()
    with pytest.raises(ValidationFailed) as refused:
        services.answer_response(actor=cast.y, complaint=complaint, accepted=False)
    assert "comment" in refused.value.fields
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESPONDED  # nothing written
    before = Complaint.objects.get(pk=complaint.pk).resolve_due
    at(60, fire=False)
    services.answer_response(
        actor=cast.y, complaint=complaint, accepted=False, comment="专线还是时断时续"
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS and complaint.closed_at is None
    assert complaint.resolve_due > before  # a fresh deadline for the new answer
    pending = DueAction.objects.filter(subject=f"complaint:{complaint.pk}:resolve", done_at=None)
    assert pending.get().due_at == complaint.resolve_due
    told = Message.objects.get(template="complaint_answered")
    assert told.recipient == cast.a and "专线还是时断时续" in told.context["text"]


def test_only_the_complainant_answers_and_only_a_sent_response(cast, answered, register):
    complaint = answered()
    for person in (cast.x, cast.a, cast.b):  # the province sees it; staff handle it
        with pytest.raises(PermissionDenied):
            services.answer_response(actor=person, complaint=complaint, accepted=True)
    with pytest.raises(NotFound):  # another operator's contact does not see it
        services.answer_response(actor=cast.o, complaint=complaint, accepted=True)
    fresh = register()  # nothing sent yet
    with pytest.raises(services.ComplaintNotInStep):
        services.answer_response(actor=cast.y, complaint=fresh, accepted=True)
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESPONDED
