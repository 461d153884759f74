"""Receipt: who handles a complaint (never the hotline agent who registers it), its
deadlines on the business calendar, and who is told."""

import datetime as dt

import pytest

from caredesk.calendars.models import Calendar, CalendarDay
from caredesk.complaints import services
from caredesk.complaints.models import Complaint, Status
from caredesk.conftest import T0
from caredesk.errors import ValidationFailed
from caredesk.notify.models import Message
from caredesk.timers.models import DueAction


def test_hotline_agent_never_becomes_the_handler(cast, register):
    complaint = register()
    assert complaint.registered_by == cast.h
    assert complaint.handler == cast.a  # the service manager of Lakeside's customer
    assert complaint.handler != cast.h
    with pytest.raises(ValidationFailed) as refused:
        register(handler=cast.h)
    assert "handler" in refused.value.fields
    assert Complaint.objects.filter(handler=cast.h).count() == 0


def test_handler_and_complainant_are_told(cast, register):
    complaint = register()
    to_handler = Message.objects.get(template="complaint_assigned")
    assert to_handler.recipient == cast.a
    to_complainant = Message.objects.get(template="complaint_received")
    assert to_complainant.recipient == cast.y
    assert to_complainant.context["handler_name"] == cast.a.name
    assert complaint.number.startswith("CP-2026-")


def test_acknowledge_deadline_on_the_business_calendar_across_a_holiday(cast, register, at):
    calendar = Calendar.objects.filter(always_open=False).order_by("pk").first()
    # Wednesday 25 November is a holiday in this test's calendar.
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 11, 25), kind="holiday")
    at(7 * 60 + 30, fire=False)  # Tuesday 17:30 Shanghai, half an hour before work ends
    complaint = register(severity="medium")  # four business hours to acknowledge
    shanghai = dt.timezone(dt.timedelta(hours=8))
    # 30 minutes on Tuesday, none on the holiday, 3 h 30 on Thursday from 09:00.
    assert complaint.acknowledge_due == dt.datetime(2026, 11, 26, 12, 30, tzinfo=shanghai)
    assert complaint.next_due == complaint.acknowledge_due
    timer = DueAction.objects.get(subject=f"complaint:{complaint.pk}:acknowledge")
    assert timer.due_at == complaint.acknowledge_due


def test_free_name_and_phone_when_the_caller_is_not_a_contact(cast, register):
    complaint = register(
        complainant=None, complainant_name="刘先生", complainant_phone="13900001111"
    )
    assert complaint.complainant is None
    assert complaint.complainant_name == "刘先生"
    with pytest.raises(ValidationFailed) as refused:
        register(complainant=None, complainant_name=" ")
    assert "complainant_name" in refused.value.fields


def test_a_contact_of_another_customer_is_not_the_complainant(cast, register):
    with pytest.raises(ValidationFailed) as refused:
        register(complainant=cast.o)
    assert "complainant" in refused.value.fields


def test_acknowledge_meets_the_deadline_and_cancels_its_timer(cast, register, at):
    complaint = register()
    services.acknowledge(actor=cast.a, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert complaint.next_due == complaint.callback_due
    timer = DueAction.objects.get(subject=f"complaint:{complaint.pk}:acknowledge")
    assert timer.outcome == "cancelled"
    assert complaint.acknowledged_at >= T0
