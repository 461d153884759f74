"""The surveys list's export: its filters, every survey the reader may see, with the scores, as
CSV and xlsx read back; those who may not read surveys get 404."""

import csv
import io

from django.test import Client
from openpyxl import load_workbook

from .factories import low_answer, sent_survey


def _session(person) -> Client:
    client = Client()
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


def test_survey_export_has_the_lists_rows_and_filters(cast, open_request, settings):
    settings.DEBUG = False
    first, _token = sent_survey(open_request(), cast.y)
    second, token = sent_survey(open_request(actor=cast.x, customer_org=cast.orgs.province), cast.x)
    low_answer(token)
    staff = _session(cast.a)
    assert b"export-xlsx" in staff.get("/surveys/").content
    body = b"".join(staff.get("/surveys/export.csv").streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Sent", "About", "Ticket"]
    assert [r[2] for r in rows[1:]] == [second.ticket.number, first.ticket.number]
    low = rows[1]
    assert low[8:12] == ["2", "3", "3", "2"] and low[12:14] == ["No", "Yes"]
    assert low[14] == "等了三天才有人来" and rows[2][7:] == [""] * 8
    answered = staff.get("/surveys/export.xlsx?state=low")
    book = load_workbook(io.BytesIO(b"".join(answered.streaming_content)), read_only=True)
    cells = list(book.active.iter_rows(min_row=2, values_only=True))
    assert [c[2] for c in cells] == [second.ticket.number] and cells[0][8] == 2
    for person in (cast.y, cast.d):
        assert _session(person).get("/surveys/export.csv").status_code == 404
