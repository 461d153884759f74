"""The hand-over's due actions: a shift change (tell the incoming shift) and the reminder.
Each re-checks before acting: a schedule edited or switched off since the timer was set
skips it (the edit armed its own); a notice everyone acknowledged needs no reminder."""

import datetime as dt

from caredesk.timers import services as timers
from caredesk.timers.models import DueAction

from . import services
from .models import HandoverNotice, ShiftSchedule, ShiftSlot


@timers.handler(services.SHIFT)
def shift_changes(action: DueAction) -> str:
    pk = int(action.subject.partition(":")[2])
    schedule = ShiftSchedule.objects.select_related("created_by").filter(pk=pk).first()
    payload = action.payload
    if schedule is None or not schedule.active or schedule.version != payload.get("version"):
        return "skipped"
    slot = ShiftSlot.objects.filter(pk=payload.get("slot"), schedule=schedule).first()
    shift_at = dt.datetime.fromisoformat(payload["shift_at"])
    if slot is None or HandoverNotice.objects.filter(schedule=schedule, shift_at=shift_at).exists():
        return "skipped"
    services.send_shift_notice(schedule=schedule, slot=slot, shift_at=shift_at)
    return "fired"


@timers.handler(services.REMIND)
def remind(action: DueAction) -> str:
    pk = int(action.subject.partition(":")[2])
    notice = HandoverNotice.objects.select_related("schedule").filter(pk=pk).first()
    if notice is None or not services.remind_unacknowledged(notice=notice):
        return "skipped"
    return "fired"
