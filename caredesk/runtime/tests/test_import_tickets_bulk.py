"""Historical tickets are written a chunk at a time (tickets.import_tickets): the same rows as
one by one, in any chunking; repeated numbers, bad rows and a refusing database still end as
the one-by-one import ends."""

import pytest
from django.db import IntegrityError

from caredesk.audit.models import AuditRecord
from caredesk.runtime import imports
from caredesk.runtime.imports import work
from caredesk.tickets import selectors
from caredesk.tickets.models import EntryKind, SearchDocument, Ticket, TicketSequence
from caredesk.tickets.search import number_words
from caredesk.tickets.services import importing

pytestmark = pytest.mark.django_db

HEADER = "工单号,客户,产品,区域,级别,状态,创建时间,解决时间,关闭时间,负责人,标题,描述,站点\n"
ROWS = [
    "{p}1,江南省电信湖滨分公司,core,lakeside,P2,已关闭,2025-03-01 09:15,,2025-03-02,engineer.b,"
    "核心网告警,客户说断网了,BTS-1",
    "{p}2,江南省电信湖滨分公司,core,lakeside,P1,处理中,2025-11-20 08:00,,,engineer.c,基站退服,"
    "十个基站退服,",
    "{p}3,江南省电信湖滨分公司,core,lakeside,P3,已解决,2025-04-01,2025-04-02,,engineer.b,"
    "光功率偏低,,BTS-3",
    "{p}4,江南省电信湖滨分公司,core,lakeside,P4,新建,2025-05-01 10:00,,,engineer.c,传输中断,"
    "传输链路中断两小时,",
    "{p}5,江南省电信湖滨分公司,core,lakeside,P2,已关闭,2025-06-01,2025-06-01 12:00,2025-06-02,"
    "engineer.b,板卡温度告警,温度过高,BTS-5",
]


def _file(tmp_path, prefix: str, rows=ROWS, name="t.csv"):
    path = tmp_path / name
    path.write_bytes(
        (HEADER + "\n".join(r.format(p=prefix) for r in rows) + "\n").encode("gb18030")
    )
    return path


def _written(prefix: str) -> list[tuple]:
    """Everything an import wrote for its tickets, without what differs by number and id."""
    out = []
    for ticket in Ticket.objects.filter(number__startswith=prefix).order_by("number"):
        entries = [
            (e.kind, e.at, e.body, e.public, e.actor_id, e.data) for e in ticket.timeline.all()
        ]
        words = SearchDocument.objects.get(ticket=ticket).public_words
        audit = AuditRecord.objects.filter(object_type="Ticket", object_id=str(ticket.pk))
        out.append(
            (
                ticket.number[len(prefix) :],
                {
                    f.attname: getattr(ticket, f.attname)
                    for f in Ticket._meta.concrete_fields
                    if f.attname not in {"id", "number", "updated_at"}
                },
                entries,
                words.replace(number_words(ticket.number), ""),
                list(audit.values_list("action", "actor_id", "before", "after")),
            )
        )
    return out


def test_chunks_write_exactly_what_one_by_one_writes(cast, tmp_path, monkeypatch):
    monkeypatch.setattr(work.Tickets, "chunk", 2)  # three chunks, the last one short
    chunked = imports.run(kind="tickets", path=_file(tmp_path, "OLD-A-"), actor=cast.admin)
    monkeypatch.setattr(work.Tickets, "apply_many", None)  # the runner goes row by row
    single = imports.run(kind="tickets", path=_file(tmp_path, "OLD-B-"), actor=cast.admin)
    assert (chunked.created, chunked.written, single.created, single.written) == (5, True, 5, True)
    assert _written("OLD-A-") == _written("OLD-B-")
    assert len(_written("OLD-A-")) == 5
    first = Ticket.objects.get(number="OLD-A-1")
    assert first.timeline.get().kind == EntryKind.OPENED
    assert first in selectors.tickets_visible_to(cast.b, selectors.TicketFilters(q="告警"))


def test_a_number_repeated_in_one_chunk_is_created_then_brought_up_to_date(cast, tmp_path):
    rows = [ROWS[0], ROWS[1], ROWS[0].replace("核心网告警", "核心网告警（复现）"), ROWS[0], ROWS[0]]
    report = imports.run(kind="tickets", path=_file(tmp_path, "R-", rows), actor=cast.admin)
    # Created, created, a new title, the first title back, the same again.
    assert (report.created, report.updated, report.unchanged, report.problems) == (2, 2, 1, [])
    ticket = Ticket.objects.get(number="R-1")
    assert (ticket.title, ticket.version) == ("核心网告警", 3)
    assert ticket.timeline.filter(kind=EntryKind.OPENED).count() == 1
    assert ticket.timeline.filter(kind=EntryKind.EDITED).count() == 2


@pytest.mark.parametrize("chunk", [1, 2, 500])
def test_bad_rows_across_chunks_are_reported_in_row_order(cast, tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(work.Tickets, "chunk", chunk)
    rows = [
        ROWS[0],
        ROWS[1].replace("P1", "P9"),  # row 3: severity, found when the cells are read
        ROWS[2].replace("engineer.b", "nobody"),  # row 4: owner, found when the chunk is written
        ROWS[3],
        ROWS[4].replace("2025-06-02", "2025-05-01"),  # row 6: closed before it was opened
    ]
    path = _file(tmp_path, "X-", rows)
    report = imports.run(kind="tickets", path=path, actor=cast.admin)
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "severity"),
        (4, "owner"),
        (6, "closed_at"),
    ]
    assert not report.written and not Ticket.objects.filter(number__startswith="X-").exists()
    kept = imports.run(kind="tickets", path=path, actor=cast.admin, skip_bad_rows=True)
    assert kept.created == 2 and kept.written
    assert set(Ticket.objects.filter(number__startswith="X-").values_list("number", flat=True)) == {
        "X-1",
        "X-4",
    }
    again = imports.run(kind="tickets", path=path, actor=cast.admin, skip_bad_rows=True)
    assert (again.created, again.unchanged, again.bad_rows) == (0, 2, 3)


def test_the_counter_moves_to_the_highest_caredesk_number_of_a_chunk(cast, tmp_path):
    rows = [
        ROWS[0].replace("{p}1,", "CD-2025-000777,"),
        ROWS[1].replace("{p}2,", "CD-2025-000123,"),
        ROWS[2].replace("{p}3,", "CD-2024-000050,"),
    ]
    imports.run(kind="tickets", path=_file(tmp_path, "", rows), actor=cast.admin)
    assert TicketSequence.objects.get(year=2025).last == 777
    assert TicketSequence.objects.get(year=2024).last == 50


def test_a_chunk_the_database_refuses_is_tried_row_by_row(cast, tmp_path, monkeypatch):
    calls = []
    original = importing._create_all

    def refusing(actor, pasts):
        calls.append(len(pasts))
        if len(calls) == 1:
            original(actor, pasts)  # written, then refused: the chunk's savepoint undoes it
            raise IntegrityError("refused")
        return original(actor, pasts)

    monkeypatch.setattr(importing, "_create_all", refusing)
    report = imports.run(kind="tickets", path=_file(tmp_path, "F-"), actor=cast.admin)
    assert calls == [5]
    assert (report.created, report.problems, report.written) == (5, [], True)
    assert Ticket.objects.filter(number__startswith="F-").count() == 5
    assert AuditRecord.objects.filter(action="ticket.import").count() == 5
