"""Importing who covers a team's on-call duty when (the `roster-overrides` kind): from xlsx and
GB18030 CSV, every bad row reported with nothing kept, a re-import changing nothing."""

import datetime as dt
import zoneinfo

import pytest
from openpyxl import Workbook

from caredesk.audit.models import AuditRecord
from caredesk.escalation.models import RosterOverride
from caredesk.escalation.rosters import on_call
from caredesk.runtime import imports

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")

ROSTERS = (
    "团队,名称,周期,交接时间,开始日期,成员\n"
    "无线与传输组,夜班,每天,09:00,2026-01-05,engineer.c、partner.d、manager.a\n"
    "核心网组,周班,每周,09:00,2026-01-05,engineer.b、manager.a\n"
)
OVERRIDES = (
    "团队,值班人员,替谁,开始时间,结束时间,原因\n"
    "无线与传输组,engineer.b,partner.d,2026-02-10 09:00,2026-02-12 09:00,年假\n"
    "核心网组,engineer.c,,2026-02-16 00:00,2026-02-17 00:00,\n"
)


def _csv(tmp_path, name, content, encoding="gb18030"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


@pytest.fixture
def rotations(cast, tmp_path):
    report = imports.run(kind="rosters", path=_csv(tmp_path, "r.csv", ROSTERS), actor=cast.admin)
    assert report.written
    return cast


def test_overrides_from_a_gb18030_csv_decide_who_is_on_call(rotations, tmp_path):
    cast = rotations
    wireless, core = cast.teams["无线与传输组"], cast.teams["核心网组"]
    during = dt.datetime(2026, 2, 11, 3, 0, tzinfo=SH)
    assert on_call(wireless, during)[1] == "rotation"
    report = imports.run(
        kind="roster-overrides", path=_csv(tmp_path, "o.csv", OVERRIDES), actor=cast.admin
    )
    assert (report.rows, report.created, report.problems, report.written) == (2, 2, [], True)
    assert on_call(wireless, during) == (cast.b, "override")
    assert on_call(wireless, dt.datetime(2026, 2, 12, 9, 0, tzinfo=SH))[1] == "rotation"
    assert on_call(core, dt.datetime(2026, 2, 16, 12, 0, tzinfo=SH)) == (cast.c, "override")
    swap = RosterOverride.objects.get(team=wireless)
    assert swap.starts_at == dt.datetime(2026, 2, 10, 9, 0, tzinfo=SH)
    assert swap.reason == f"{cast.d.name} → {cast.b.name}: 年假"
    assert RosterOverride.objects.get(team=core).reason == ""
    assert AuditRecord.objects.filter(action="roster.override").count() == 2


def test_overrides_from_xlsx_and_a_reimport_changes_nothing(rotations, tmp_path):
    cast = rotations
    book = Workbook()
    sheet = book.active
    sheet.append(["team", "on call", "covers", "from", "until", "reason"])
    sheet.append(
        [
            "核心网组",
            "engineer.c",
            "engineer.b",
            dt.datetime(2026, 3, 1, 9),
            "2026-03-02 09:00",
            "病假",
        ]
    )
    sheet.append(
        ["无线与传输组", "engineer.b", None, dt.datetime(2026, 3, 5), dt.datetime(2026, 3, 6), None]
    )
    path = tmp_path / "o.xlsx"
    book.save(path)
    first = imports.run(kind="roster-overrides", path=path, actor=cast.admin)
    assert (first.created, first.problems) == (2, [])
    again = imports.run(kind="roster-overrides", path=path, actor=cast.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert RosterOverride.objects.count() == 2
    # The same window with another reason replaces the override (both steps audited).
    sheet.cell(row=2, column=6, value="病假（延长）")
    book.save(path)
    third = imports.run(kind="roster-overrides", path=path, actor=cast.admin)
    assert (third.updated, third.unchanged) == (1, 1)
    assert RosterOverride.objects.get(team=cast.teams["核心网组"]).reason.endswith("病假（延长）")
    assert RosterOverride.objects.count() == 2
    assert AuditRecord.objects.filter(action="roster.override_removed").count() == 1


def test_bad_override_rows_are_all_reported_and_nothing_is_kept(rotations, tmp_path):
    cast = rotations
    content = (
        "团队,值班人员,替谁,开始时间,结束时间,原因\n"
        "核心网组,engineer.c,,2026-02-16 00:00,2026-02-17 00:00,好的\n"
        "没有的组,engineer.c,,2026-02-16 00:00,2026-02-17 00:00,\n"  # 3
        "核心网组,nobody,,2026-02-16 00:00,2026-02-17 00:00,\n"  # 4
        "核心网组,customer.y,,2026-02-16 00:00,2026-02-17 00:00,\n"  # 5: cannot be on call
        "核心网组,engineer.c,,2026-02-17 00:00,2026-02-16 00:00,\n"  # 6: ends first
        "核心网组,engineer.c,,明天,2026-02-16 00:00,\n"  # 7
        "核心网组,engineer.c,partner.d,2026-02-16 00:00,2026-02-17 00:00,\n"  # 8: not a member
        "核心网组,engineer.b,engineer.b,2026-02-16 00:00,2026-02-17 00:00,\n"  # 9
        f"核心网组,engineer.c,,2026-02-16 00:00,2026-02-17 00:00,{'长' * 201}\n"  # 10
    )
    report = imports.run(
        kind="roster-overrides", path=_csv(tmp_path, "o.csv", content), actor=cast.admin
    )
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "team"),
        (4, "person"),
        (5, "person"),
        (6, "ends_at"),
        (7, "starts_at"),
        (8, "covers"),
        (9, "covers"),
        (10, "reason"),
    ]
    assert not report.written and not RosterOverride.objects.exists()
    assert not AuditRecord.objects.filter(action="roster.override").exists()
    kept = imports.run(
        kind="roster-overrides",
        path=_csv(tmp_path, "o.csv", content),
        actor=cast.admin,
        skip_bad_rows=True,
    )
    assert kept.created == 1 and RosterOverride.objects.count() == 1


def test_the_import_page_offers_the_kind_in_chinese(cast, client):
    client.force_login(cast.admin)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/imports/").content.decode()
    assert 'value="roster-overrides"' in page and "顶班（谁替谁值班）" in page
