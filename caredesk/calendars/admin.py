from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from caredesk.directory.admin import AuditedAdmin

from . import services
from .models import Calendar, CalendarDay


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1


class CalendarForm(forms.ModelForm):
    """The same rules as services.create_calendar: a known zone, work that ends after it starts."""

    class Meta:
        model = Calendar
        fields = ("name", "time_zone", "always_open", "work_start", "work_end", "workdays")

    def clean(self):
        data = super().clean()
        if all(k in data for k in ("time_zone", "work_start", "work_end")):
            errors = services.validate_calendar(
                time_zone=data["time_zone"],
                always_open=data.get("always_open", False),
                work_start=data["work_start"],
                work_end=data["work_end"],
            )
            if errors:
                raise ValidationError(errors)
        return data


@admin.register(Calendar)
class CalendarAdmin(AuditedAdmin):
    form = CalendarForm
    list_display = ("name", "time_zone", "always_open", "work_start", "work_end", "workdays")
    inlines = [CalendarDayInline]
