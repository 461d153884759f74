"""Writes to the rosters (rotations, on-call overrides), audited. The configuration's verbs
(calendars, SLA policies, escalation chains) are in config.py."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk.audit import services as audit
from caredesk.errors import PermissionDenied, ValidationFailed
from caredesk.inputs import moment_problem

from . import policy
from .models import (
    RosterOverride,
    Rotation,
    RotationMember,
)

can_edit_rosters = policy.can_edit_rosters


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
    with transaction.atomic():
        audit.record(actor=actor, action="roster.override_removed", obj=override)
        override.delete()


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
