"""A complaint's deadlines — acknowledge, first call-back, resolve — on the business calendar,
configurable per severity; the extension asked before a deadline passes; and what happens
when one is missed (the 12345 ladder): at the deadline the escalation engine is told (it
starts the complaint chain on the main ticket), the next working day the handler gets a
reminder (催办), and five working days after that the handler's manager a supervision notice
(督办) — each re-checked when its timer fires, so a deadline met meanwhile does nothing.

Timers are durable rows (caredesk.timers), one subject per complaint and deadline, so an
extension or a met deadline cancels exactly its own.
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.calendars.models import Calendar
from caredesk.calendars.worktime import WorkingTime
from caredesk.directory.models import Person
from caredesk.errors import Conflict
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind
from caredesk.inputs import moment_problem
from caredesk.timers import services as timers
from caredesk.timers.models import DueAction

from .. import policy, selectors
from ..models import (
    ENDED_STATUSES,
    OPEN_STATUSES,
    Complaint,
    DeadlineKind,
    DeadlinePolicy,
    EntryKind,
    Extension,
    Status,
)
from . import _base

TIMER = "complaint.deadline"
DAY = 9 * 60  # a working day of the default calendar, in minutes
# Business minutes per severity when no DeadlinePolicy row says otherwise:
# (acknowledge, first call-back, resolve).
DEFAULTS = {
    "high": (60, 4 * 60, 3 * DAY),
    "medium": (4 * 60, DAY, 5 * DAY),
    "low": (DAY, 2 * DAY, 10 * DAY),
}
SUPERVISION_AFTER_DAYS = 5
MAX_EXTENSION = dt.timedelta(days=60)
FIELDS = {
    DeadlineKind.ACKNOWLEDGE: "acknowledge_due",
    DeadlineKind.CALLBACK: "callback_due",
    DeadlineKind.RESOLVE: "resolve_due",
}


class ExtensionTooLate(Conflict):
    code = "extension_too_late"
    default_message = _("An extension is asked before the deadline passes, not after.")


class DeadlineAlreadyMet(Conflict):
    code = "deadline_met"
    default_message = _("This deadline has been met already.")


# ---------------------------------------------------------------- computing


def calendar_for(policy_row: DeadlinePolicy | None) -> Calendar | None:
    if policy_row is not None and policy_row.calendar_id:
        return policy_row.calendar
    return Calendar.objects.filter(always_open=False).order_by("pk").first()


def _later(start: dt.datetime, minutes: int, calendar: Calendar | None) -> dt.datetime:
    if calendar is None:
        return start + dt.timedelta(minutes=minutes)
    return WorkingTime.of(calendar).add(start, minutes * 60)


def targets(severity: str) -> tuple[tuple[int, int, int], Calendar | None]:
    row = DeadlinePolicy.objects.select_related("calendar").filter(severity=severity).first()
    minutes = (
        (row.acknowledge_minutes, row.callback_minutes, row.resolve_minutes)
        if row
        else DEFAULTS[severity]
    )
    return minutes, calendar_for(row)


def compute(severity: str, start: dt.datetime) -> dict[str, dt.datetime]:
    """The three deadlines of a complaint received at `start`, on the business calendar."""
    (ack, callback, resolve), calendar = targets(severity)
    return {
        DeadlineKind.ACKNOWLEDGE: _later(start, ack, calendar),
        DeadlineKind.CALLBACK: _later(start, callback, calendar),
        DeadlineKind.RESOLVE: _later(start, resolve, calendar),
    }


def fresh_resolve_due(complaint: Complaint, start: dt.datetime) -> dt.datetime:
    return compute(complaint.severity, start)[DeadlineKind.RESOLVE]


def is_met(complaint: Complaint, deadline: str) -> bool:
    if complaint.status in ENDED_STATUSES:
        return True
    if deadline == DeadlineKind.ACKNOWLEDGE:
        return complaint.acknowledged_at is not None
    if deadline == DeadlineKind.CALLBACK:
        return complaint.first_callback_at is not None
    return complaint.status == Status.RESPONDED


def due_of(complaint: Complaint, deadline: str) -> dt.datetime:
    return getattr(complaint, FIELDS[deadline])


def refresh_next_due(complaint: Complaint) -> None:
    """The nearest deadline still to meet (the queue's order); None when none is left."""
    pending = [due_of(complaint, k) for k in FIELDS if not is_met(complaint, k)]
    complaint.next_due = min(pending) if pending else None


def _subject(complaint: Complaint, deadline: str) -> str:
    return f"complaint:{complaint.pk}:{deadline}"


def schedule(complaint: Complaint, deadline: str) -> None:
    """(Re)arm a deadline's timer at its due moment."""
    timers.cancel(subject=_subject(complaint, deadline), kind=TIMER)
    if not is_met(complaint, deadline):
        timers.schedule(
            kind=TIMER,
            subject=_subject(complaint, deadline),
            due_at=due_of(complaint, deadline),
            payload={"complaint": complaint.pk, "deadline": deadline, "stage": "due"},
        )


def settle(complaint: Complaint, *deadlines: str) -> list[str]:
    """Deadlines met by the step just taken: their timers are cancelled. Returns them."""
    met = [d for d in deadlines if is_met(complaint, d)]
    for deadline in met:
        timers.cancel(subject=_subject(complaint, deadline), kind=TIMER)
    refresh_next_due(complaint)
    return met


def cancel_all(complaint: Complaint) -> None:
    for deadline in FIELDS:
        timers.cancel(subject=_subject(complaint, deadline), kind=TIMER)


def next_working_start(after: dt.datetime, calendar: Calendar | None) -> dt.datetime:
    """The start of the first working day after the one `after` falls on."""
    if calendar is None or calendar.always_open:
        return after + dt.timedelta(days=1)
    wt = WorkingTime.of(calendar)
    day = after.astimezone(wt.zone).date()
    for _step in range(60):
        day += dt.timedelta(days=1)
        window = wt.window(day)
        if window:
            return window[0].astimezone(dt.UTC)
    return after + dt.timedelta(days=1)


# ---------------------------------------------------------------- the extension


@transaction.atomic
def extend_deadline(
    *,
    actor: Person,
    complaint: Complaint,
    until: dt.datetime,
    reason: str,
    deadline: str = DeadlineKind.RESOLVE,
    version: int | None = None,
) -> Complaint:
    """Move a deadline later (延期申请): asked by the handler before it passes, with a reason
    the complainant is told (outbox). A deadline already missed or met cannot be extended."""
    complaint = _base.lock(complaint, version)
    policy.check_handle(actor, complaint)
    _base.require(complaint, OPEN_STATUSES)
    if deadline not in FIELDS:
        raise Invalid(fields={"deadline": str(_("Choose acknowledge, callback or resolve."))})
    if is_met(complaint, deadline):
        raise DeadlineAlreadyMet()
    now = clock.now()
    old = due_of(complaint, deadline)
    if now >= old:
        raise ExtensionTooLate(fields={"until": str(_("The deadline has passed already."))})
    if problem := moment_problem(until):
        raise Invalid(fields={"until": problem})
    if until <= old:
        raise Invalid(fields={"until": str(_("Give a time later than the current deadline."))})
    if until > now + MAX_EXTENSION:
        raise Invalid(fields={"until": str(_("Give an earlier time."))})
    why = _base.text(reason, "reason", required=True, limit=2000)
    before = _base.snapshot(complaint)
    setattr(complaint, FIELDS[deadline], until)
    refresh_next_due(complaint)
    _base.save(complaint, FIELDS[deadline], "next_due")
    Extension.objects.create(
        complaint=complaint,
        deadline=deadline,
        old_due=old,
        new_due=until,
        reason=why,
        asked_by=actor,
        asked_at=now,
    )
    schedule(complaint, deadline)
    told = _base.tell_complainant(
        complaint,
        "complaint_extended",
        f"extended:{deadline}",
        old_due=_base.local(old),
        new_due=_base.local(until),
        reason=why,
    )
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.EXTENDED,
        event=EventKind.COMPLAINT_EXTENDED,
        body=why,
        data={
            "deadline": deadline,
            "old_due": old.isoformat(),
            "new_due": until.isoformat(),
            "told": told,
        },
        event_data={"answered": [deadline]},
        action="complaint.extend",
        before=before,
    )
    return complaint


# ---------------------------------------------------------------- missed deadlines


def _missed(complaint: Complaint, deadline: str, action: DueAction) -> str:
    """At the deadline: recorded on the timeline, the escalation engine told (it starts the
    complaint chain), the reminder armed for the next working day."""
    before = _base.snapshot(complaint)
    due = due_of(complaint, deadline)
    complaint.overdue = {**complaint.overdue, deadline: due.isoformat()}
    _base.save(complaint, "overdue")
    _base.tell(
        actor=None,
        complaint=complaint,
        kind=EntryKind.OVERDUE,
        event=EventKind.COMPLAINT_OVERDUE,
        internal=True,
        data={"deadline": deadline, "due_at": due.isoformat()},
        event_data={
            "deadline": deadline,
            "due_at": due.isoformat(),
            "handler_name": complaint.handler.name,
        },
        action="complaint.overdue",
        before=before,
    )
    calendar = targets(complaint.severity)[1]
    timers.schedule(
        kind=TIMER,
        subject=_subject(complaint, deadline),
        due_at=next_working_start(due, calendar),
        payload={"complaint": complaint.pk, "deadline": deadline, "stage": "reminder"},
    )
    return "fired"


def _remind(complaint: Complaint, deadline: str, action: DueAction) -> str:
    """The day after: a reminder (催办) to the handler; supervision armed five working days on."""
    due = due_of(complaint, deadline)
    _base.tell_staff(
        complaint,
        complaint.handler,
        "complaint_reminder",
        f"reminder:{deadline}:{action.pk}",
        deadline=deadline,
        due=_base.local(due),
    )
    _base.tell(
        actor=None,
        complaint=complaint,
        kind=EntryKind.REMINDER,
        event=EventKind.COMPLAINT_WORKED,
        internal=True,
        data={"deadline": deadline, "due_at": due.isoformat(), "to": complaint.handler.name},
        action="complaint.remind",
        before=None,
    )
    calendar = targets(complaint.severity)[1]
    later = _later(action.due_at, SUPERVISION_AFTER_DAYS * DAY, calendar)
    timers.schedule(
        kind=TIMER,
        subject=_subject(complaint, deadline),
        due_at=later,
        payload={"complaint": complaint.pk, "deadline": deadline, "stage": "supervision"},
    )
    return "fired"


def _supervise(complaint: Complaint, deadline: str, action: DueAction) -> str:
    """Still missed five working days after the reminder: the handler's manager is told (督办)."""
    manager = selectors.approver_for(complaint)
    due = due_of(complaint, deadline)
    _base.tell_staff(
        complaint,
        manager,
        "complaint_supervision",
        f"supervision:{deadline}:{action.pk}",
        deadline=deadline,
        due=_base.local(due),
    )
    _base.tell(
        actor=None,
        complaint=complaint,
        kind=EntryKind.SUPERVISION,
        event=EventKind.COMPLAINT_WORKED,
        internal=True,
        data={
            "deadline": deadline,
            "due_at": due.isoformat(),
            "to": manager.name if manager else "",
        },
        action="complaint.supervise",
        before=None,
    )
    return "fired"


STAGES = {"due": _missed, "reminder": _remind, "supervision": _supervise}


@timers.handler(TIMER)
def on_deadline(action: DueAction) -> str:
    """Re-check, then act: a deadline met, moved or ended meanwhile is skipped."""
    payload = action.payload
    complaint = Complaint.objects.filter(pk=payload.get("complaint")).first()
    if complaint is None:
        return "skipped"
    complaint = _base.lock(complaint)
    deadline, stage = payload["deadline"], payload["stage"]
    if is_met(complaint, deadline):
        return "skipped"
    if stage == "due" and due_of(complaint, deadline) > action.due_at:
        return "skipped"  # extended: its own timer waits for the new moment
    return STAGES[stage](complaint, deadline, action)
