from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from caredesk.audit import services as audit
from caredesk.directory.admin import AuditedAdmin

from . import config
from .models import (
    EscalationPolicy,
    EscalationRun,
    EscalationStep,
    RosterOverride,
    Rotation,
    RotationMember,
    SlaPolicy,
)


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


def _spec(data: dict) -> config.StepSpec:
    return config.StepSpec(
        target=data.get("target", ""),
        condition=data.get("condition", ""),
        wait_minutes=data.get("wait_minutes") or 0,
        channels=tuple(c.strip() for c in (data.get("channels") or "").split(",") if c.strip()),
        clock=data.get("clock") or "",
        percent=data.get("percent") or 100,
    )


class StepFormSet(forms.BaseInlineFormSet):
    """A chain edited here passes the same rules as one written through the API
    (config.validate_steps): clock conditions name their clock, channels exist, …"""

    def clean(self):
        super().clean()
        steps = [
            _spec(f.cleaned_data)
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        trigger = getattr(self.instance, "trigger", "")
        errors = config.validate_steps(trigger, steps)
        if errors:
            raise ValidationError([f"{k}: {v}" for k, v in errors.items()])


class StepInline(admin.TabularInline):
    model = EscalationStep
    formset = StepFormSet
    extra = 1


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(AuditedAdmin):
    list_display = ("name", "trigger", "customer_org", "severity", "active")
    list_filter = ("trigger", "active")
    inlines = [StepInline]

    def save_related(self, request, form, formsets, change):
        # The steps are audited like the chain itself (the admin's view is one transaction).
        super().save_related(request, form, formsets, change)
        steps = [s.frozen() for s in form.instance.steps.all()]
        audit.record(
            actor=request.user,
            action="escalation_policy.steps",
            obj=form.instance,
            after={"steps": steps},
        )


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
