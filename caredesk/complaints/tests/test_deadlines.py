"""Deadlines on the fake clock: an extension is asked before the deadline, and a missed one
brings the reminder the next working day and the escalation chain."""

import datetime as dt

import pytest
from django.test import Client

from caredesk.complaints import services
from caredesk.complaints.models import EntryKind, Extension
from caredesk.errors import PermissionDenied
from caredesk.escalation.models import EscalationRun, RunState, Trigger
from caredesk.notify.models import Message
from caredesk.tickets.models import TimelineEntry


def test_extension_before_the_deadline_moves_it_and_tells_the_complainant(cast, register, at):
    complaint = register()
    services.acknowledge(actor=cast.a, complaint=complaint)
    later = complaint.resolve_due + dt.timedelta(days=3)
    services.extend_deadline(
        actor=cast.a, complaint=complaint, until=later, reason="需要厂家二线分析日志"
    )
    complaint.refresh_from_db()
    assert complaint.resolve_due == later
    ext = Extension.objects.get(complaint=complaint)
    assert ext.reason == "需要厂家二线分析日志" and ext.asked_by == cast.a
    told = Message.objects.get(template="complaint_extended")
    assert told.recipient == cast.y
    assert "需要厂家二线分析日志" in told.context["reason"]


def test_extension_refused_after_the_deadline(cast, register, at):
    complaint = register()
    services.acknowledge(actor=cast.a, complaint=complaint)
    complaint.refresh_from_db()
    minutes = (complaint.callback_due - at(0, fire=False)).total_seconds() / 60
    at(minutes + 1, fire=False)
    with pytest.raises(services.ExtensionTooLate):
        services.extend_deadline(
            actor=cast.a,
            complaint=complaint,
            deadline="callback",
            until=complaint.callback_due + dt.timedelta(days=1),
            reason="客户出差",
        )
    assert not Extension.objects.exists()


def test_extension_is_the_handlers_not_the_hotline_agents(cast, register):
    complaint = register()
    with pytest.raises(PermissionDenied):
        services.extend_deadline(
            actor=cast.h,
            complaint=complaint,
            until=complaint.resolve_due + dt.timedelta(days=1),
            reason="x",
        )


def test_missed_deadline_reminds_the_handler_next_working_day_and_escalates(cast, register, at):
    complaint = register()  # Tuesday 10:00; medium: acknowledge within four business hours
    due = complaint.acknowledge_due
    minutes_to_due = (due - at(0, fire=False)).total_seconds() / 60
    at(minutes_to_due + 1)
    complaint.refresh_from_db()
    assert "acknowledge" in complaint.overdue
    run = EscalationRun.objects.get(trigger=Trigger.COMPLAINT)
    assert run.cause["complaint_id"] == complaint.pk and run.cause["deadline"] == "acknowledge"
    escalated = TimelineEntry.objects.filter(ticket=run.ticket, kind="escalated")
    assert {e.data["target"] for e in escalated} >= {cast.a.pk}
    assert not Message.objects.filter(template="complaint_reminder").exists()
    # The reminder comes at the start of the next working day (Wednesday 09:00).
    at(23 * 60 - 1)
    assert not Message.objects.filter(template="complaint_reminder").exists()
    at(23 * 60 + 1)
    reminder = Message.objects.get(template="complaint_reminder")
    assert reminder.recipient == cast.a
    assert complaint.timeline.filter(kind=EntryKind.REMINDER, internal=True).exists()
    # The ticket's timeline says why the chain fired, in the reader's words.
    staff = Client()
    staff.force_login(cast.b)
    page = staff.get(f"/t/{run.ticket.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "投诉超期" in page.content.decode()


def test_acknowledging_late_stops_the_escalation(cast, register, at):
    complaint = register()
    minutes_to_due = (complaint.acknowledge_due - at(0, fire=False)).total_seconds() / 60
    at(minutes_to_due + 1)
    services.acknowledge(actor=cast.a, complaint=complaint)
    run = EscalationRun.objects.get(trigger=Trigger.COMPLAINT)
    assert run.state == RunState.STOPPED
    at(23 * 60 + 1)
    assert not Message.objects.filter(template="complaint_reminder").exists()
