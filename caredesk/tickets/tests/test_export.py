"""Exports of the queue and the portal: the page's filters, every row the reader may see (not
one page), read back with openpyxl and csv."""

import csv
import io

from django.test import Client
from openpyxl import load_workbook

from caredesk.tickets import selectors
from caredesk.tickets.views.queue import queue_filters


def _session(person) -> Client:
    client = Client()
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Chinese Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx(response) -> list[list]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_queue_export_has_the_pages_filtered_rows_in_csv_and_xlsx(cast, open_request, rf):
    p2 = [open_request(title=f"掉话 {i}") for i in range(3)]
    open_request(severity="P4", title='=HYPERLINK("http://x")')
    query = "?tab=all&status=open&severity=P2"
    staff = _session(cast.b)
    request = rf.get("/queue/" + query)
    request.user = cast.b
    expected = list(selectors.tickets_visible_to(cast.b, queue_filters(request)[4]))
    assert {t.pk for t in expected} == {t.pk for t in p2}
    rows = _csv(staff.get("/queue/export.csv" + query))
    assert rows[0][:2] == ["Number", "Severity"]
    assert [r[0] for r in rows[1:]] == [t.number for t in expected]
    assert {r[1] for r in rows[1:]} == {"P2"}
    sheet = _xlsx(staff.get("/queue/export.xlsx" + query))
    assert [r[0] for r in sheet[1:]] == [t.number for t in expected]
    assert sheet[1][3] == expected[0].title and sheet[1][2] == cast.orgs.lakeside.name


def test_export_cells_never_start_a_formula(cast, open_request):
    open_request(title='=HYPERLINK("http://x","click")')
    rows = _csv(_session(cast.b).get("/queue/export.csv?tab=all"))
    assert rows[1][3].startswith("'=")


def test_portal_export_has_only_the_customers_tree(cast, open_request):
    own = open_request()
    other = open_request(actor=cast.o, customer_org=cast.orgs.other)
    numbers = [r[0] for r in _csv(_session(cast.y).get("/portal/export.csv?show=all"))[1:]]
    assert own.number in numbers and other.number not in numbers
    numbers = [r[0] for r in _xlsx(_session(cast.o).get("/portal/export.xlsx?show=all"))[1:]]
    assert numbers == [other.number]


def test_export_is_every_row_not_one_page(cast, open_request, settings):
    made = [open_request(title=f"t{i}") for i in range(60)]  # more than a page (50)
    rows = _csv(_session(cast.b).get("/queue/export.csv?tab=all&status="))
    assert len(rows) - 1 == len(made)


def test_unknown_format_is_not_found_and_nobody_is_sent_to_sign_in(cast):
    assert _session(cast.b).get("/queue/export.pdf").status_code == 404
    assert Client().get("/queue/export.csv").status_code == 302
