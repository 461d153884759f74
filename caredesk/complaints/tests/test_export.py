"""The complaints queue's export: its filters, every complaint the reader may see, past one
page of the queue, read back with csv and openpyxl."""

import csv
import io

from django.test import Client
from openpyxl import load_workbook

from caredesk.complaints import selectors
from caredesk.complaints.models import Category
from caredesk.complaints.services import open_complaint


def _session(person) -> Client:
    client = Client()
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


def test_complaint_export_is_the_queues_rows_in_csv_and_xlsx(cast, open_request, settings):
    settings.DEBUG = False
    ticket = open_request()
    category = Category.objects.get(code="buck_passing")
    made = [
        open_complaint(
            actor=cast.h,
            source="hotline",
            tickets=[ticket],
            complainant=cast.y,
            words=f"推来推去 {i}",
            remedy_sought="明确责任人",
            severity="low",
            impact="one_site",
            category=category,
        )
        for i in range(selectors.QUEUE_SIZE + 2)  # past one page of the queue
    ]
    expected = [c.number for c in selectors.queue(cast.a, scope="all", status="open", limit=999)]
    assert len(expected) == len(made)
    staff = _session(cast.a)
    body = b"".join(staff.get("/complaints/export.csv?scope=all").streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == expected
    book = load_workbook(
        io.BytesIO(b"".join(staff.get("/complaints/export.xlsx?scope=all").streaming_content)),
        read_only=True,
    )
    assert [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)] == expected
    assert _session(cast.y).get("/complaints/export.csv").status_code == 404
