"""Who is on call: rotations with hand-over times, overrides, and the API question."""

import datetime as dt
import zoneinfo

import pytest

from caredesk.escalation.models import RosterOverride, Rotation, RotationMember
from caredesk.escalation.rosters import on_call

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def radio(cast):
    team = cast.teams["无线与传输组"]
    rotation = Rotation.objects.create(
        team=team,
        name="daily",
        period="daily",
        start_date=dt.date(2026, 1, 5),
        handover_time=dt.time(9, 0),
    )
    for i, person in enumerate([cast.c, cast.d, cast.a]):
        RotationMember.objects.create(rotation=rotation, person=person, position=i)
    return team


def test_daily_rotation_turns_at_the_handover_time(cast, radio):
    assert on_call(radio, dt.datetime(2026, 1, 5, 9, 0, tzinfo=SH)) == (cast.c, "rotation")
    assert on_call(radio, dt.datetime(2026, 1, 6, 8, 59, tzinfo=SH))[0] == cast.c
    assert on_call(radio, dt.datetime(2026, 1, 6, 9, 0, tzinfo=SH))[0] == cast.d
    assert on_call(radio, dt.datetime(2026, 1, 7, 23, 0, tzinfo=SH))[0] == cast.a
    assert on_call(radio, dt.datetime(2026, 1, 8, 10, 0, tzinfo=SH))[0] == cast.c


def test_hand_over_time_is_local_to_the_rotation(cast, radio):
    # 00:30 UTC on 6 Jan is 08:30 in Shanghai: still the first shift.
    assert on_call(radio, dt.datetime(2026, 1, 6, 0, 30, tzinfo=dt.UTC))[0] == cast.c
    assert on_call(radio, dt.datetime(2026, 1, 6, 1, 0, tzinfo=dt.UTC))[0] == cast.d


def test_weekly_rotation(cast):
    team = cast.teams["核心网组"]
    rotation = Rotation.objects.create(
        team=team, name="weekly", period="weekly", start_date=dt.date(2026, 1, 5)
    )
    RotationMember.objects.create(rotation=rotation, person=cast.b, position=0)
    RotationMember.objects.create(rotation=rotation, person=cast.a, position=1)
    assert on_call(team, dt.datetime(2026, 1, 11, 12, tzinfo=SH))[0] == cast.b
    assert on_call(team, dt.datetime(2026, 1, 12, 9, tzinfo=SH))[0] == cast.a
    assert on_call(team, dt.datetime(2026, 1, 19, 9, tzinfo=SH))[0] == cast.b


def test_override_wins_inside_its_window_only(cast, radio):
    RosterOverride.objects.create(
        team=radio,
        person=cast.b,
        reason="holiday swap",
        starts_at=dt.datetime(2026, 1, 6, 9, tzinfo=SH),
        ends_at=dt.datetime(2026, 1, 7, 9, tzinfo=SH),
    )
    assert on_call(radio, dt.datetime(2026, 1, 6, 12, tzinfo=SH)) == (cast.b, "override")
    assert on_call(radio, dt.datetime(2026, 1, 7, 9, tzinfo=SH)) == (cast.a, "rotation")


def test_inactive_member_is_not_on_call(cast, radio):
    cast.c.is_active = False
    cast.c.save()
    assert on_call(radio, dt.datetime(2026, 1, 5, 12, tzinfo=SH)) == (None, "")


def test_before_the_rotation_starts_nobody(cast, radio):
    assert on_call(radio, dt.datetime(2026, 1, 4, 12, tzinfo=SH)) == (None, "")
