"""Writes to the escalation configuration (calendars, SLA and escalation policies), audited.
Admins only; the API checks the role before calling."""

import zoneinfo

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from caredesk.audit import services as audit
from caredesk.directory.models import Organisation
from caredesk.errors import Conflict, PermissionDenied, ValidationFailed
from caredesk.inputs import moment_problem

from . import calendars
from .models import (
    Calendar,
    EscalationPolicy,
    EscalationStep,
    RosterOverride,
    Rotation,
    RotationMember,
    StepCondition,
    StepTarget,
    Trigger,
)


def save_config(obj, action: str, actor):
    """Validate and save a calendar or SLA policy, audited; a duplicate is a conflict."""
    if isinstance(obj, Calendar):
        try:
            zoneinfo.ZoneInfo(obj.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationFailed(fields={"time_zone": "Unknown time zone."}) from exc
        for field in ("work_start", "work_end"):
            if getattr(obj, field).tzinfo is not None:  # the database keeps a time of day only
                raise ValidationFailed(fields={field: "A time of day without a zone: 09:00."})
        if not obj.always_open and obj.work_start >= obj.work_end:
            raise ValidationFailed(fields={"work_end": "Work must end after it starts."})
    try:
        with transaction.atomic():
            obj.save()
            audit.record(actor=actor, action=action, obj=obj, after={"name": str(obj)})
    except IntegrityError as exc:
        raise Conflict("That entry exists already.") from exc
    return obj


def customer_org(org_id: int) -> Organisation:
    org = Organisation.objects.filter(pk=org_id, kind="customer").first()
    if org is None:
        raise ValidationFailed(fields={"customer_org": f"No customer organisation {org_id}."})
    return org


def delete_config(obj, action: str, actor) -> None:
    with transaction.atomic():
        audit.record(actor=actor, action=action, obj=obj)
        obj.delete()


def import_calendar_days(calendar: Calendar, text: str, actor) -> int:
    with transaction.atomic():
        count = calendars.import_days(calendar, text)
        audit.record(actor=actor, action="calendar.days", obj=calendar, after={"rows": count})
    return count


def write_policy(policy: EscalationPolicy, payload, actor, action: str) -> EscalationPolicy:
    """Create or replace a policy and its steps. Running chains keep their frozen copy."""
    errors = {}
    for i, step in enumerate(payload.steps):
        clocked = step.condition in (StepCondition.CLOCK_AT_RISK, StepCondition.CLOCK_BREACHED)
        if clocked and not step.clock:
            errors[f"steps.{i}.clock"] = "A clock condition names its clock."
        if step.target == StepTarget.HANDOFF_TARGET and payload.trigger != Trigger.HANDOFF:
            errors[f"steps.{i}.target"] = "Only hand-off chains have a proposed new owner."
    if errors:
        raise ValidationFailed(fields=errors)
    policy.name, policy.trigger = payload.name, payload.trigger
    policy.severity, policy.active = payload.severity, payload.active
    policy.customer_org = customer_org(payload.customer_org) if payload.customer_org else None
    with transaction.atomic():
        policy.save()
        policy.steps.all().delete()
        for order, step in enumerate(payload.steps, 1):
            EscalationStep.objects.create(
                policy=policy,
                order=order,
                target=step.target,
                wait_minutes=step.wait_minutes,
                channels=",".join(step.channels),
                condition=step.condition,
                clock=step.clock or "",
                percent=step.percent,
            )
        audit.record(
            actor=actor,
            action=action,
            obj=policy,
            after={"steps": len(payload.steps), "name": policy.name},
        )
    return policy


# ------------------------------------------------------------------ rosters


def can_edit_rosters(person) -> bool:
    return person.is_active and (person.role in ("admin", "service_manager") or person.is_superuser)


def _require_roster_editor(person) -> None:
    if not can_edit_rosters(person):
        raise PermissionDenied(_("Only service managers and administrators edit rosters."))


def add_override(*, actor, team, person, starts_at, ends_at, reason: str = "") -> RosterOverride:
    """Someone covers a team's on-call duty for a window (a holiday swap, sick leave)."""
    _require_roster_editor(actor)
    errors = {}
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if problem := moment_problem(moment):
            errors[field] = problem
    if not errors and ends_at <= starts_at:
        errors["ends_at"] = str(_("The end must come after the start."))
    if not person.can_own_tickets:
        errors["person"] = str(_("This person cannot be on call."))
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        override = RosterOverride.objects.create(
            team=team, person=person, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
        )
        audit.record(
            actor=actor,
            action="roster.override",
            obj=override,
            after={"team": team.pk, "person": person.pk, "from": starts_at, "until": ends_at},
        )
    return override


def remove_override(*, actor, override: RosterOverride) -> None:
    _require_roster_editor(actor)
    delete_config(override, "roster.override_removed", actor)


def update_rotation(*, actor, rotation: Rotation, period: str, handover_time, members) -> Rotation:
    """Change a rotation's rhythm and its members, in turn order."""
    _require_roster_editor(actor)
    if not members:
        raise ValidationFailed(fields={"members": str(_("A rotation needs at least one member."))})
    if len({m.pk for m in members}) != len(members):
        raise ValidationFailed(fields={"members": str(_("Each member takes one turn."))})
    with transaction.atomic():
        rotation.period, rotation.handover_time = period, handover_time
        rotation.save(update_fields=["period", "handover_time"])
        rotation.slots.all().delete()
        for position, person in enumerate(members):
            RotationMember.objects.create(rotation=rotation, person=person, position=position)
        audit.record(
            actor=actor,
            action="roster.rotation",
            obj=rotation,
            after={"period": period, "handover": handover_time, "members": [m.pk for m in members]},
        )
    return rotation
