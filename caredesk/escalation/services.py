"""Writes to the rosters (rotations, on-call overrides), audited. The configuration's verbs
(calendars, SLA policies, escalation chains) are in config.py."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk.audit import services as audit
from caredesk.directory.models import Person, Team
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


def _member_problems(members) -> dict[str, str]:
    if not members:
        return {"members": str(_("A rotation needs at least one member."))}
    if len({m.pk for m in members}) != len(members):
        return {"members": str(_("Each member takes one turn."))}
    return {}


def _set_members(rotation: Rotation, members) -> None:
    rotation.slots.all().delete()
    for position, person in enumerate(members):
        RotationMember.objects.create(rotation=rotation, person=person, position=position)


def update_rotation(*, actor, rotation: Rotation, period: str, handover_time, members) -> Rotation:
    """Change a rotation's rhythm and its members, in turn order."""
    _require_roster_editor(actor)
    if errors := _member_problems(members):
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        rotation.period, rotation.handover_time = period, handover_time
        rotation.save(update_fields=["period", "handover_time"])
        _set_members(rotation, members)
        audit.record(
            actor=actor,
            action="roster.rotation",
            obj=rotation,
            after={"period": period, "handover": handover_time, "members": [m.pk for m in members]},
        )
    return rotation


@dataclass(frozen=True)
class RotationSpec:
    """A rotation as a roster file describes it: the team's turns, in member order."""

    name: str
    period: str
    handover_time: dt.time
    time_zone: str
    start_date: dt.date
    members: tuple[Person, ...]


def _spec_of(rotation: Rotation) -> RotationSpec:
    return RotationSpec(
        name=rotation.name,
        period=rotation.period,
        handover_time=rotation.handover_time,
        time_zone=rotation.time_zone,
        start_date=rotation.start_date,
        members=tuple(s.person for s in rotation.slots.select_related("person")),
    )


def set_rotation(*, actor, team: Team, spec: RotationSpec) -> tuple[Rotation, str]:
    """Make the team's rotation named `spec.name` say what `spec` says, creating it when the
    team has none by that name; returns it and "created", "updated" or "unchanged". Members
    take their turns in the order given and must be able to be on call."""
    _require_roster_editor(actor)
    errors = _member_problems(spec.members)
    if spec.period not in dict(Rotation.PERIODS):
        errors["period"] = str(_("A rotation turns daily or weekly."))
    if spec.time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = str(_("Unknown time zone."))
    if not spec.name.strip():
        errors["name"] = str(_("Give the rotation a name."))
    for person in spec.members:
        if not person.can_own_tickets:
            errors["members"] = str(_("%(name)s cannot be on call.") % {"name": person.name})
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        rotation = team.rotations.select_for_update().filter(name=spec.name).first()
        outcome = "created" if rotation is None else "updated"
        if rotation is None:
            rotation = Rotation(team=team, name=spec.name)
        elif _spec_of(rotation) == spec:
            return rotation, "unchanged"
        for field in ("period", "handover_time", "time_zone", "start_date"):
            setattr(rotation, field, getattr(spec, field))
        rotation.save()
        _set_members(rotation, spec.members)
        audit.record(
            actor=actor,
            action="roster.rotation",
            obj=rotation,
            after={
                "team": team.pk,
                "name": spec.name,
                "period": spec.period,
                "handover": spec.handover_time,
                "time_zone": spec.time_zone,
                "start_date": spec.start_date,
                "members": [m.pk for m in spec.members],
            },
        )
    return rotation, outcome
