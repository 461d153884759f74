"""The calendars' verbs: a new working calendar, its holidays and make-up working days.
Administrators only; each change is audited. SLA clocks (escalation), and later complaint
deadlines and change windows, count time in these calendars (worktime.py)."""

import datetime as dt
import zoneinfo

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from caredesk.audit import services as audit
from caredesk.directory.models import Person
from caredesk.directory.policy import can_write_reference_data
from caredesk.errors import Conflict, PermissionDenied, ValidationFailed

from . import worktime
from .models import Calendar, CalendarDay, DayKind


def _check_admin(actor: Person) -> None:
    if not can_write_reference_data(actor):
        raise PermissionDenied()


def validate_calendar(
    *, time_zone: str, always_open: bool, work_start: dt.time, work_end: dt.time
) -> dict[str, str]:
    """The rules of a working calendar, as field errors (empty: valid)."""
    errors = {}
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = str(_("Unknown time zone."))
    for field, value in (("work_start", work_start), ("work_end", work_end)):
        if value.tzinfo is not None:  # the database keeps a time of day only
            errors[field] = str(_("A time of day without a zone: 09:00."))
    if not errors and not always_open and work_start >= work_end:
        errors["work_end"] = str(_("Work must end after it starts."))
    return errors


def create_calendar(
    *,
    actor: Person,
    name: str,
    time_zone: str = "Asia/Shanghai",
    always_open: bool = False,
    work_start: dt.time = dt.time(9),
    work_end: dt.time = dt.time(18),
    workdays: str = "12345",
) -> Calendar:
    _check_admin(actor)
    errors = validate_calendar(
        time_zone=time_zone, always_open=always_open, work_start=work_start, work_end=work_end
    )
    if errors:
        raise ValidationFailed(fields=errors)
    cal = Calendar(
        name=name,
        time_zone=time_zone,
        always_open=always_open,
        work_start=work_start,
        work_end=work_end,
        workdays=workdays,
    )
    try:
        with transaction.atomic():
            cal.save()
            audit.record(actor=actor, action="calendar.create", obj=cal, after={"name": name})
    except IntegrityError as exc:
        raise Conflict(_("That entry exists already.")) from exc
    return cal


@transaction.atomic
def import_calendar_days(*, actor: Person, calendar: Calendar, text: str) -> int:
    """Holidays and make-up working days (调休) from CSV, all or nothing."""
    _check_admin(actor)
    count = worktime.import_days(calendar, text)
    audit.record(actor=actor, action="calendar.days", obj=calendar, after={"rows": count})
    return count


@transaction.atomic
def set_calendar_day(
    *, actor: Person, calendar: Calendar, date, kind: str, name: str = ""
) -> tuple[CalendarDay, bool]:
    """Declare one date of a calendar a public holiday or a make-up working day (or change
    what it was); returns the day and whether it was new. Audited."""
    _check_admin(actor)
    if kind not in DayKind.values:
        raise ValidationFailed(fields={"kind": str(_("Choose holiday or workday."))})
    day, created = CalendarDay.objects.update_or_create(
        calendar=calendar, date=date, defaults={"kind": kind, "name": name[:100]}
    )
    audit.record(
        actor=actor,
        action="calendar.day",
        obj=calendar,
        after={"date": date.isoformat(), "kind": kind, "name": name[:100]},
    )
    return day, created
