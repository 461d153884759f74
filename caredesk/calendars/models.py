"""Working calendars: 24×7, or working hours on working days in a time zone, with public
holidays and make-up working days (调休). SLA clocks, complaint deadlines and change windows
all count time in them. (The tables keep the names they had under escalation.)"""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Calendar(models.Model):
    """Working time: 24×7, or working hours on working days in a time zone, with public
    holidays and make-up working days (调休) listed as CalendarDay rows."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    always_open = models.BooleanField(_("24×7"), default=False)
    work_start = models.TimeField(_("work starts"), default=dt.time(9))
    work_end = models.TimeField(_("work ends"), default=dt.time(18))
    # ISO weekdays (1 = Monday … 7 = Sunday) that are working days unless a CalendarDay says not.
    workdays = models.CharField(_("working weekdays"), max_length=7, default="12345")

    class Meta:
        db_table = "escalation_calendar"
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        constraints = [
            models.CheckConstraint(
                condition=Q(always_open=True) | Q(work_start__lt=models.F("work_end")),
                name="calendar_day_has_working_hours",
            )
        ]

    def __str__(self) -> str:
        return self.name


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up working day")


class CalendarDay(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        db_table = "escalation_calendarday"
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_entry_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
