"""Who is on call: an override covering the moment wins, else the rotation's turn."""

import datetime as dt
import zoneinfo

from caredesk.directory import refdata
from caredesk.directory.models import Person, Team

from .models import RosterOverride, Rotation

PERIOD_DAYS = {"daily": 1, "weekly": 7}


def turn_of(rotation: Rotation, at: dt.datetime) -> Person | None:
    """The member whose shift covers `at`. Shifts change at the hand-over time, local to the
    rotation's zone, starting with position order on `start_date`."""
    slots = list(rotation.slots.select_related("person").order_by("position"))
    if not slots:
        return None
    zone = zoneinfo.ZoneInfo(rotation.time_zone)
    anchor = dt.datetime.combine(rotation.start_date, rotation.handover_time, tzinfo=zone)
    local = at.astimezone(zone)
    if local < anchor:
        return None
    # Count whole local days, so a daylight-saving change never shifts the hand-over hour.
    days = (local.date() - anchor.date()).days
    if local.timetz().replace(tzinfo=None) < rotation.handover_time:
        days -= 1
    index = days // PERIOD_DAYS[rotation.period]
    return slots[index % len(slots)].person


def on_call(team: Team, at: dt.datetime) -> tuple[Person | None, str]:
    """(person, why): why is "override" or "rotation" (or "" when nobody is on call)."""
    override = (
        RosterOverride.objects.select_related("person")
        .filter(team=team, starts_at__lte=at, ends_at__gt=at)
        .order_by("-starts_at", "-pk")
        .first()
    )
    if override and override.person.is_active:
        return override.person, "override"
    for rotation in team.rotations.order_by("pk"):
        person = turn_of(rotation, at)
        if person and person.is_active:
            return person, "rotation"
    return None, ""


def team_for(product_id: int, region_id: int) -> Team | None:
    cell = refdata.cell(product_id, region_id)
    return Team.objects.filter(pk=cell.team_id).first() if cell and cell.team_id else None
