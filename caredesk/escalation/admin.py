from django.contrib import admin

from caredesk.directory.admin import AuditedAdmin

from .models import (
    Calendar,
    CalendarDay,
    EscalationPolicy,
    EscalationRun,
    EscalationStep,
    RosterOverride,
    Rotation,
    RotationMember,
    SlaPolicy,
)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(AuditedAdmin):
    list_display = ("name", "time_zone", "always_open", "work_start", "work_end", "workdays")
    inlines = [CalendarDayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    list_display = (
        "name",
        "customer_org",
        "severity",
        "calendar",
        "acknowledge_minutes",
        "respond_minutes",
        "restore_minutes",
        "resolve_minutes",
    )
    list_filter = ("severity", "calendar")


class StepInline(admin.TabularInline):
    model = EscalationStep
    extra = 1


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(AuditedAdmin):
    list_display = ("name", "trigger", "customer_org", "severity", "active")
    list_filter = ("trigger", "active")
    inlines = [StepInline]


class RotationMemberInline(admin.TabularInline):
    model = RotationMember
    extra = 1


@admin.register(Rotation)
class RotationAdmin(AuditedAdmin):
    list_display = ("team", "name", "period", "handover_time", "start_date")
    inlines = [RotationMemberInline]


@admin.register(RosterOverride)
class RosterOverrideAdmin(AuditedAdmin):
    list_display = ("team", "person", "starts_at", "ends_at", "reason")


@admin.register(EscalationRun)
class EscalationRunAdmin(admin.ModelAdmin):
    list_display = ("ticket", "policy_name", "trigger", "state", "started_at", "end_reason")
    list_filter = ("state", "trigger")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
