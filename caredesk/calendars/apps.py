from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "caredesk.calendars"
    label = "calendars"
    verbose_name = _("Calendars")

    def ready(self):
        from caredesk.directory import refdata

        from . import models

        # Working time is read from each process's cached copy.
        refdata.watch(models.Calendar, models.CalendarDay)
