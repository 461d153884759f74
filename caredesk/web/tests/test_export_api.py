"""Exports through the API (/api/v1/…/export): the lists' own filters and visibility, every row
(not one page), streamed, read back with csv and openpyxl; a customer of another organisation
exports none of ours; the export paths leave /tickets/{id} and /surveys/{token} alone."""

import csv
import io

import pytest
from openpyxl import load_workbook

from caredesk.complaints import selectors as complaint_selectors
from caredesk.complaints.models import Category
from caredesk.complaints.services import open_complaint
from caredesk.conftest import ApiClient
from caredesk.satisfaction.tests.factories import low_answer, sent_survey

pytestmark = pytest.mark.django_db


def _english(client: ApiClient) -> ApiClient:
    client.client.cookies["django_language"] = "en"
    return client


def _csv(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"].startswith("attachment;")
    body = b"".join(answer.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx(answer) -> list[list]:
    assert answer.status_code == 200, answer.content
    book = load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def _listed(client: ApiClient, query: str) -> list[str]:
    return [t["number"] for t in client.get(f"/tickets?limit=200&{query}").json()["items"]]


def test_ticket_export_is_the_lists_rows_with_its_filters(cast, open_request):
    p2 = [open_request(title=f"掉话 {i}") for i in range(3)]
    p4 = open_request(severity="P4", title='=HYPERLINK("http://x")')
    staff = _english(ApiClient(cast.b))
    query = "status=open&severity=P2"
    rows = _csv(staff.client.get(f"/api/v1/tickets/export?format=csv&{query}"))
    assert rows[0][:2] == ["Number", "Severity"]
    assert [r[0] for r in rows[1:]] == _listed(staff, query) == [t.number for t in p2[::-1]]
    sheet = _xlsx(staff.client.get(f"/api/v1/tickets/export?format=xlsx&{query}"))
    assert [r[0] for r in sheet[1:]] == [t.number for t in p2[::-1]]
    assert sheet[1][2] == cast.orgs.lakeside.name and sheet[1][3] == p2[-1].title
    everything = _csv(staff.client.get("/api/v1/tickets/export?status="))  # csv by default
    formula = next(r for r in everything if r[0] == p4.number)
    assert formula[3].startswith("'=")  # no formula from a customer's words
    # the export's path is not taken for a ticket's id, nor a ticket's for the export's
    assert staff.get(f"/tickets/{p4.pk}").json()["number"] == p4.number


def test_ticket_export_is_every_row_not_one_page(cast, open_request):
    made = [open_request(title=f"t{i}") for i in range(60)]
    rows = _csv(ApiClient(cast.b).client.get("/api/v1/tickets/export?status="))
    assert len(rows) - 1 == len(made)


def test_a_customer_exports_only_its_own_tree(cast, open_request):
    own = open_request()
    other = open_request(actor=cast.o, customer_org=cast.orgs.other)
    mine = [r[0] for r in _csv(ApiClient(cast.y).client.get("/api/v1/tickets/export?status="))]
    assert own.number in mine and other.number not in mine
    theirs = _xlsx(ApiClient(cast.o).client.get("/api/v1/tickets/export?format=xlsx&status="))
    assert [r[0] for r in theirs[1:]] == [other.number]
    # asking for our organisation by its id changes nothing for them
    asked = f"/api/v1/tickets/export?status=&customer_org={cast.orgs.lakeside.pk}"
    assert _csv(ApiClient(cast.o).client.get(asked))[1:] == []


def test_bad_export_queries_are_422_and_nobody_is_401(cast):
    staff = ApiClient(cast.b)
    for path in ("/tickets/export?format=pdf", "/tickets/export?severity=P9"):
        answer = staff.get(path)
        assert answer.status_code == 422 and set(answer.json()["error"]) == {
            "code",
            "message",
            "fields",
        }
    assert staff.get("/complaints/export?status=wrong").status_code == 422
    assert staff.get("/masks/export?format=doc").status_code == 422
    from django.test import Client

    assert Client().get("/api/v1/tickets/export").status_code == 401


def _complaint(cast, ticket, category, words):
    return open_complaint(
        actor=cast.h,
        source="hotline",
        tickets=[ticket],
        complainant=cast.y,
        words=words,
        remedy_sought="明确责任人",
        severity="low",
        impact="one_site",
        category=category,
    )


def test_complaint_export_is_the_lists_rows_past_one_page(cast, open_request):
    ticket = open_request()
    category = Category.objects.get(code="buck_passing")
    made = [
        _complaint(cast, ticket, category, f"推来推去 {i}")
        for i in range(complaint_selectors.QUEUE_SIZE + 2)
    ]
    expected = [
        c.number for c in complaint_selectors.queue(cast.a, scope="all", status="open", limit=999)
    ]
    assert len(expected) == len(made)
    staff = _english(ApiClient(cast.a))
    rows = _csv(staff.client.get("/api/v1/complaints/export?scope=all"))
    assert rows[0][:3] == ["Number", "Severity", "Status"]
    assert [r[0] for r in rows[1:]] == expected
    sheet = _xlsx(staff.client.get("/api/v1/complaints/export?scope=all&format=xlsx"))
    assert [r[0] for r in sheet[1:]] == expected
    listed = staff.get("/complaints?scope=all&limit=200").json()["items"]
    assert {c["number"] for c in listed} == set(expected)
    # another operator's contact sees none of them, in the list or the export
    other = ApiClient(cast.o)
    assert other.get("/complaints?scope=all").json()["items"] == []
    assert _csv(other.client.get("/api/v1/complaints/export?scope=all&status=all"))[1:] == []


def test_survey_export_is_the_lists_rows_and_staff_only(cast, open_request):
    first, _token = sent_survey(open_request(), cast.y)
    second, token = sent_survey(open_request(actor=cast.x, customer_org=cast.orgs.province), cast.x)
    low_answer(token)
    staff = _english(ApiClient(cast.a))
    rows = _csv(staff.client.get("/api/v1/surveys/export"))
    assert rows[0][:3] == ["Sent", "About", "Ticket"]
    assert [r[2] for r in rows[1:]] == [second.ticket.number, first.ticket.number]
    listed = staff.get("/surveys").json()["items"]
    assert len(listed) == len(rows) - 1
    low = _xlsx(staff.client.get("/api/v1/surveys/export?format=xlsx&state=low"))
    assert [r[2] for r in low[1:]] == [second.ticket.number] and low[1][8] == 2
    for person in (cast.y, cast.o, cast.d):
        refused = ApiClient(person).get("/surveys/export")
        assert refused.status_code == ApiClient(person).get("/surveys").status_code == 403
    # a survey's link still answers at /surveys/{token}
    assert staff.client.get(f"/api/v1/surveys/{token}").status_code == 200
