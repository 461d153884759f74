"""Importing the work apps' data: the teams' on-call rotations and last year's tickets, from
CSV (UTF-8 and GB18030) and xlsx; bad rows reported, nothing kept on error, re-imports idempotent.
An imported ticket is history: it starts no clock or escalation, sends nothing, asks no survey."""

import datetime as dt
import zoneinfo

import pytest
from openpyxl import Workbook

from caredesk.audit.models import AuditRecord
from caredesk.escalation.models import EscalationRun, Rotation
from caredesk.escalation.rosters import on_call
from caredesk.notify.models import Message
from caredesk.runtime import imports
from caredesk.satisfaction.models import Survey
from caredesk.tickets import selectors
from caredesk.tickets.models import EntryKind, Ticket, TicketSequence
from caredesk.timers.models import DueAction

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")

ROSTER_CSV = (
    "团队,名称,周期,交接时间,开始日期,成员\n"
    "无线与传输组,夜班,每天,09:00,2026-01-05,engineer.c、partner.d、manager.a\n"
    '核心网组,weekly,weekly,8:30,2026-01-05,"engineer.b, manager.a"\n'
)
TICKETS_CSV = (
    "工单号,客户,产品,区域,级别,状态,创建时间,关闭时间,负责人,标题,描述\n"
    "OLD-2025-0001,江南省电信湖滨分公司,core,lakeside,P2,已关闭,2025-03-01 09:15,"
    "2025-03-02 18:00,engineer.b,核心网告警,客户说断网了\n"
    "CD-2025-000777,江南省电信湖滨分公司,core,lakeside,P1,处理中,2025-11-20 08:00,,"
    "engineer.c,基站退服,十个基站退服\n"
)


def write(tmp_path, name, content, encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def test_rosters_from_csv_set_the_rotation_and_who_is_on_call(cast, tmp_path):
    report = imports.run(
        kind="rosters", path=write(tmp_path, "r.csv", ROSTER_CSV), actor=cast.admin
    )
    assert (report.created, report.problems, report.written) == (2, [], True)
    night = Rotation.objects.get(team=cast.teams["无线与传输组"], name="夜班")
    assert (night.period, night.handover_time) == ("daily", dt.time(9))
    assert [s.person for s in night.slots.all()] == [cast.c, cast.d, cast.a]
    team = cast.teams["无线与传输组"]
    assert on_call(team, dt.datetime(2026, 1, 6, 9, 0, tzinfo=SH)) == (cast.d, "rotation")
    weekly = Rotation.objects.get(name="weekly")
    assert weekly.handover_time == dt.time(8, 30)
    assert AuditRecord.objects.filter(action="roster.rotation").count() == 2


def test_reimporting_rosters_changes_nothing_and_a_new_order_updates(cast, tmp_path):
    path = write(tmp_path, "r.csv", ROSTER_CSV, "gb18030")
    imports.run(kind="rosters", path=path, actor=cast.admin)
    again = imports.run(kind="rosters", path=path, actor=cast.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    swapped = ROSTER_CSV.replace("engineer.c、partner.d", "partner.d、engineer.c")
    third = imports.run(kind="rosters", path=write(tmp_path, "r2.csv", swapped), actor=cast.admin)
    assert (third.updated, third.unchanged) == (1, 1)
    night = Rotation.objects.get(name="夜班")
    assert [s.person for s in night.slots.all()] == [cast.d, cast.c, cast.a]
    assert Rotation.objects.count() == 2


def test_bad_roster_rows_are_all_reported_and_nothing_is_kept(cast, tmp_path):
    content = (
        "team,name,period,handover_time,start_date,members\n"
        "无线与传输组,ok,daily,09:00,2026-01-05,engineer.c\n"
        "没有的组,x,daily,09:00,2026-01-05,engineer.c\n"  # row 3
        "核心网组,y,monthly,09:00,2026-01-05,engineer.b\n"  # row 4
        "核心网组,z,weekly,9点,2026-01-05,engineer.b\n"  # row 5
        "核心网组,w,weekly,09:00,2026-01-05,engineer.b nobody.here\n"  # row 6
        "核心网组,v,weekly,09:00,2026-01-05,customer.y\n"  # row 7: cannot be on call
        "核心网组,u,weekly,09:00,2026-01-05,engineer.b engineer.b\n"  # row 8
    )
    report = imports.run(kind="rosters", path=write(tmp_path, "r.csv", content), actor=cast.admin)
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "team"),
        (4, "period"),
        (5, "handover_time"),
        (6, "members"),
        (7, "members"),
        (8, "members"),
    ]
    assert "nobody.here" in report.problems[3].reason
    assert not report.written and not Rotation.objects.exists()
    assert not AuditRecord.objects.filter(action="roster.rotation").exists()


def test_historical_tickets_keep_their_numbers_and_times_and_start_nothing(cast, tmp_path):
    before = {m: m.objects.count() for m in (Message, DueAction, EscalationRun, Survey)}
    path = write(tmp_path, "t.csv", TICKETS_CSV)
    report = imports.run(kind="tickets", path=path, actor=cast.admin)
    assert (report.created, report.problems, report.written) == (2, [], True)
    old = Ticket.objects.get(number="OLD-2025-0001")
    assert (old.status, old.owner, old.customer_org, old.severity) == (
        "closed",
        cast.b,
        cast.orgs.lakeside,
        "P2",
    )
    assert old.created_at == dt.datetime(2025, 3, 1, 9, 15, tzinfo=SH)
    assert old.closed_at == old.resolved_at == dt.datetime(2025, 3, 2, 18, tzinfo=SH)
    assert old.office == cast.regions.lakeside.office and old.customer_voice == "客户说断网了"
    opened = old.timeline.get()
    assert (opened.kind, opened.at, opened.data["imported"]) == (
        EntryKind.OPENED,
        old.created_at,
        True,
    )
    running = Ticket.objects.get(number="CD-2025-000777")
    assert (running.status, running.next_due_at, running.urgency) == ("in_progress", None, 2)
    # Nothing sent, no clock, no escalation, no survey: the import publishes no event.
    assert {m: m.objects.count() for m in before} == before
    assert AuditRecord.objects.filter(action="ticket.import").count() == 2
    # The old tickets are found like any other, by their owner and by their words.
    found = selectors.tickets_visible_to(cast.b, selectors.TicketFilters(q="告警"))
    assert old in found
    assert (
        not selectors.tickets_visible_to(cast.z, selectors.TicketFilters())
        .filter(pk=old.pk)
        .exists()
    )


def test_the_year_counter_moves_past_an_imported_caredesk_number(cast, tmp_path):
    imports.run(kind="tickets", path=write(tmp_path, "t.csv", TICKETS_CSV), actor=cast.admin)
    assert TicketSequence.objects.get(year=2025).last == 777


def test_reimporting_tickets_is_idempotent_and_a_changed_row_updates(cast, tmp_path):
    book = Workbook()
    sheet = book.active
    for line in TICKETS_CSV.splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "t.xlsx"
    book.save(path)
    assert imports.run(kind="tickets", path=path, actor=cast.admin).created == 2
    again = imports.run(kind="tickets", path=path, actor=cast.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = TICKETS_CSV.replace("基站退服,十个", "基站退服（已定位）,十个")
    third = imports.run(kind="tickets", path=write(tmp_path, "t2.csv", changed), actor=cast.admin)
    assert (third.updated, third.unchanged) == (1, 1)
    ticket = Ticket.objects.get(number="CD-2025-000777")
    assert ticket.title == "基站退服（已定位）" and ticket.version == 2
    assert ticket.timeline.filter(kind=EntryKind.EDITED).count() == 1
    assert Ticket.objects.filter(number__in=["OLD-2025-0001", "CD-2025-000777"]).count() == 2


def test_bad_ticket_rows_are_all_reported_and_nothing_is_kept(cast, tmp_path, open_request):
    live = open_request()
    header = TICKETS_CSV.splitlines()[0]
    lines = [
        "A-1,江南省电信湖滨分公司,core,lakeside,P2,已关闭,2025-03-01 09:15,2025-03-02,"
        "engineer.b,好的一行,x",
        "A-2,江南代表处,core,lakeside,P2,新建,2025-03-01 09:15,,engineer.b,不是客户,x",  # 3
        "A-3,江南省电信湖滨分公司,core,lakeside,P9,新建,2025-03-01,,engineer.b,级别,x",  # 4
        "A-4,江南省电信湖滨分公司,core,lakeside,P2,已关闭,2025-03-01,,engineer.b,没关,x",  # 5
        "A-5,江南省电信湖滨分公司,core,lakeside,P2,新建,昨天,,engineer.b,时间,x",  # 6
        f"{live.number},江南省电信湖滨分公司,core,lakeside,P2,新建,2025-03-01,,engineer.b,"
        "占号,x",  # 7
        "A-7,江南省电信湖滨分公司,core,lakeside,P2,已关闭,2025-03-05,2025-03-01,"
        "engineer.b,倒序,x",  # 8
        "A-8,江南省电信湖滨分公司,core,lakeside,P2,新建,2025-03-01,,nobody,无人,x",  # 9
    ]
    path = write(tmp_path, "t.csv", "\n".join([header, *lines]) + "\n")
    count = Ticket.objects.count()
    report = imports.run(kind="tickets", path=path, actor=cast.admin)
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "customer"),
        (4, "severity"),
        (5, "closed_at"),
        (6, "opened_at"),
        (7, "number"),
        (8, "closed_at"),
        (9, "owner"),
    ]
    assert not report.written and Ticket.objects.count() == count
    assert Ticket.objects.get(pk=live.pk).title == live.title
    kept = imports.run(kind="tickets", path=path, actor=cast.admin, skip_bad_rows=True)
    assert kept.created == 1 and Ticket.objects.filter(number="A-1").exists()
