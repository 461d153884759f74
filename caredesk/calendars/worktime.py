"""Business-time arithmetic over a Calendar: working hours on working days in its time zone,
public holidays off, make-up working days (调休) on even when they fall on a weekend.

Two questions: how much business time lies between two instants, and which instant lies a
given amount of business time after another. Both walk day by day in the calendar's zone, so
daylight-saving zones are handled by the zone rules, not by fixed offsets.
"""

import csv
import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass

from django.db import transaction

from caredesk.directory import refdata
from caredesk.errors import ValidationFailed

from .models import Calendar, CalendarDay, DayKind

MAX_DAYS = 3 * 366  # a target further away than this is a configuration error


@dataclass(frozen=True)
class WorkingTime:
    """A calendar with its special days loaded once, for repeated questions."""

    calendar: Calendar
    special: dict[dt.date, str]

    @classmethod
    def of(cls, calendar: Calendar) -> "WorkingTime":
        def load():
            days = CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind")
            return cls(calendar, dict(days))

        return refdata.get(f"working-time:{calendar.pk}", load)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.calendar.time_zone)

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.special.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return str(day.isoweekday()) in self.calendar.workdays

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working window of a local day, as aware datetimes, or None on a day off."""
        if not self.is_working_day(day):
            return None
        zone = self.zone
        start = dt.datetime.combine(day, self.calendar.work_start, tzinfo=zone)
        end = dt.datetime.combine(day, self.calendar.work_end, tzinfo=zone)
        return start, end

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Business seconds in [start, end); zero when end is not after start."""
        if end <= start:
            return 0
        if self.calendar.always_open:
            return int((end - start).total_seconds())
        zone = self.zone
        day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        total = 0.0
        while day <= last:
            win = self.window(day)
            if win:
                lo, hi = max(win[0], start), min(win[1], end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += dt.timedelta(days=1)
        return int(total)

    def add(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The instant `seconds` of business time after `start`."""
        if seconds <= 0:
            return start
        if self.calendar.always_open:
            return start + dt.timedelta(seconds=seconds)
        zone = self.zone
        day = start.astimezone(zone).date()
        remaining = float(seconds)
        for _ in range(MAX_DAYS):
            win = self.window(day)
            if win:
                lo = max(win[0], start)
                if win[1] > lo:
                    available = (win[1] - lo).total_seconds()
                    if remaining <= available:
                        return (lo + dt.timedelta(seconds=remaining)).astimezone(dt.UTC)
                    remaining -= available
            day += dt.timedelta(days=1)
        raise ValidationFailed(
            f"Calendar {self.calendar.name!r} has too little working time to fit this target."
        )


def import_days(calendar: Calendar, text: str) -> int:
    """Load holidays and make-up working days from CSV rows `date,kind,name` (kind: holiday or
    workday; a header row is allowed). All rows or none: a bad row names its line."""
    rows = []
    # newline="": a lone carriage return ends a line, as csv expects, instead of raising.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        numbered = list(enumerate(reader, start=1))
    except csv.Error as exc:  # e.g. a field past csv's size limit: a bad upload, not a 500
        raise ValidationFailed(fields={"csv": f"Line {reader.line_num}: {exc}"}) from exc
    for lineno, row in numbered:
        if not row or row[0].strip().startswith("#") or row[0].strip().lower() == "date":
            continue
        try:
            day = dt.date.fromisoformat(row[0].strip())
            kind = row[1].strip().lower()
            if kind not in DayKind.values:
                raise ValueError(kind)
        except (ValueError, IndexError) as exc:
            raise ValidationFailed(
                fields={"csv": f"Line {lineno}: expected YYYY-MM-DD,holiday|workday,name"}
            ) from exc
        rows.append((day, kind, row[2].strip() if len(row) > 2 else ""))
    with transaction.atomic():
        for day, kind, name in rows:
            CalendarDay.objects.update_or_create(
                calendar=calendar, date=day, defaults={"kind": kind, "name": name}
            )
    return len(rows)
