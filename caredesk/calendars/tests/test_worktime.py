"""Business-time arithmetic: weekends, public holidays, make-up working days, time zones."""

import datetime as dt
import zoneinfo

import pytest

from caredesk.calendars.models import Calendar, CalendarDay
from caredesk.calendars.worktime import WorkingTime, import_days
from caredesk.errors import ValidationFailed

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
HOUR = 3600


def at(y, m, d, h, mi=0, tz=SH):
    return dt.datetime(y, m, d, h, mi, tzinfo=tz)


@pytest.fixture
def business(db):
    cal = Calendar.objects.create(name="Beijing office hours")  # 09:00–18:00, Mon–Fri
    import_days(
        cal,
        "date,kind,name\n"
        "2026-10-01,holiday,National Day\n2026-10-02,holiday,National Day\n"
        "2026-10-10,workday,make-up Saturday\n",
    )
    return WorkingTime.of(cal)


def test_within_one_working_day(business):
    assert business.seconds_between(at(2026, 9, 29, 10), at(2026, 9, 29, 12)) == 2 * HOUR


def test_outside_hours_counts_nothing(business):
    assert business.seconds_between(at(2026, 9, 29, 19), at(2026, 9, 30, 8)) == 0


def test_weekend_is_skipped(business):
    # Friday 17:00 + 2 business hours → Monday 10:00.
    assert business.add(at(2026, 9, 25, 17), 2 * HOUR) == at(2026, 9, 28, 10).astimezone(dt.UTC)
    assert business.seconds_between(at(2026, 9, 25, 17), at(2026, 9, 28, 10)) == 2 * HOUR


def test_public_holiday_is_skipped(business):
    # Wednesday 30 Sep 17:00 + 2h: Thu 1 and Fri 2 Oct are holidays, then the weekend.
    assert business.add(at(2026, 9, 30, 17), 2 * HOUR) == at(2026, 10, 5, 10).astimezone(dt.UTC)


def test_make_up_saturday_is_a_working_day(business):
    assert business.is_working_day(dt.date(2026, 10, 10))
    assert not business.is_working_day(dt.date(2026, 10, 11))
    # Friday 9 Oct 17:00 + 2h → Saturday 10 Oct 10:00 (调休), not Monday.
    assert business.add(at(2026, 10, 9, 17), 2 * HOUR) == at(2026, 10, 10, 10).astimezone(dt.UTC)


def test_start_before_opening_begins_at_opening(business):
    assert business.add(at(2026, 9, 29, 7), HOUR) == at(2026, 9, 29, 10).astimezone(dt.UTC)


def test_time_zone_of_the_calendar_rules(db):
    berlin = Calendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    wt = WorkingTime.of(berlin)
    # 08:00 UTC on a Tuesday in summer is 10:00 in Berlin: one hour in.
    start = dt.datetime(2026, 7, 7, 7, 0, tzinfo=dt.UTC)
    assert wt.seconds_between(start, start + dt.timedelta(hours=2)) == 2 * HOUR
    # Across the October DST change the working day is still 9 hours of local time.
    monday = dt.datetime(2026, 10, 26, 0, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    assert wt.seconds_between(monday, monday + dt.timedelta(days=1)) == 9 * HOUR


def test_round_trip_add_then_measure(business):
    start = at(2026, 9, 24, 15, 30)
    for hours in (1, 5, 9, 27, 60):
        end = business.add(start, hours * HOUR)
        assert business.seconds_between(start, end) == hours * HOUR


def test_always_open_calendar_counts_wall_time(db):
    wt = WorkingTime.of(Calendar.objects.create(name="24x7", always_open=True))
    start = at(2026, 10, 1, 23)
    assert wt.add(start, 2 * HOUR) == start + dt.timedelta(hours=2)
    assert wt.seconds_between(start, start + dt.timedelta(days=1)) == 24 * HOUR


def test_calendar_without_working_days_is_refused(db):
    wt = WorkingTime.of(Calendar.objects.create(name="never", workdays=""))
    with pytest.raises(ValidationFailed):
        wt.add(at(2026, 1, 5, 9), HOUR)


def test_csv_import_is_all_or_nothing(db):
    cal = Calendar.objects.create(name="import me")
    with pytest.raises(ValidationFailed) as err:
        import_days(cal, "2026-01-01,holiday,New Year\n2026-13-01,holiday,nonsense\n")
    assert "Line 2" in err.value.fields["csv"]
    assert not CalendarDay.objects.filter(calendar=cal).exists()
    assert import_days(cal, "# comment\n2026-01-01,holiday,New Year\n") == 1
    assert import_days(cal, "2026-01-01,workday,changed\n") == 1  # re-import updates
    assert CalendarDay.objects.get(calendar=cal).kind == "workday"
