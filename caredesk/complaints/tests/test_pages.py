"""The complaint pages: the hotline's registration from a phone number, the handler's page
with the current step's form, the queue by deadline, the banner on the ticket pages, and a
refused step shown as a form error."""

import pytest
from django.test import Client

from caredesk.complaints import services
from caredesk.complaints.models import Category, Complaint, Status


def _client(person) -> Client:
    c = Client()
    c.force_login(person)
    return c


def test_hotline_registers_from_the_callers_phone(cast, open_request, calendars, at):
    at(0, fire=False)
    ticket = open_request()
    page = _client(cast.h).get("/complaints/new/?q=137-0000-0102")
    assert page.status_code == 200
    assert ticket.number in page.content.decode()
    answer = _client(cast.h).post(
        "/complaints/new/",
        {
            "source": "hotline",
            "tickets": ticket.number,
            "complainant": cast.y.pk,
            "category": Category.objects.get(code="buck_passing").pk,
            "words": "三个工程师互相推",
            "remedy_sought": "给个负责人",
            "severity": "medium",
            "impact": "branch",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    complaint = Complaint.objects.get()
    assert complaint.handler == cast.a and complaint.registered_by == cast.h
    assert answer["Location"] == f"/complaints/{complaint.number}/"


def test_handler_page_offers_the_current_step_and_the_banner_shows(cast, register):
    complaint = register()
    page = _client(cast.a).get(f"/complaints/{complaint.number}/").content.decode()
    assert 'data-testid="do-acknowledge"' in page
    assert 'data-testid="do-respond"' not in page
    done = _client(cast.a).post(f"/complaints/{complaint.number}/acknowledge/")
    assert done.status_code == 302
    page = _client(cast.a).get(f"/complaints/{complaint.number}/").content.decode()
    assert 'data-testid="do-callback"' in page
    ticket = complaint.links.get().ticket
    for person in (cast.b, cast.y):
        shown = _client(person).get(f"/t/{ticket.number}/").content.decode()
        assert 'data-testid="complaint-banner"' in shown and cast.a.name in shown
    assert "complaint-banner" not in _client(cast.o).get(f"/t/{ticket.number}/").content.decode()


def test_a_refused_step_shows_its_reason(cast, register):
    complaint = register()
    services.acknowledge(actor=cast.a, complaint=complaint)
    answer = _client(cast.a).post(
        f"/complaints/{complaint.number}/close/", {"outcome": "confirmed"}
    )
    assert answer.status_code == 409
    assert "alert" in answer.content.decode()
    assert Complaint.objects.get().status == Status.IN_PROGRESS


def test_queue_orders_by_deadline_and_customer_sees_no_queue(cast, register, open_request, at):
    low = register(severity="low")
    high = register(severity="high")
    page = _client(cast.a).get("/complaints/").content.decode()
    assert page.index(high.number) < page.index(low.number)
    assert _client(cast.y).get("/complaints/").status_code == 404


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_complaint_page_reads_in_both_languages(cast, register, lang):
    complaint = register()
    c = _client(cast.a)
    c.cookies["django_language"] = lang
    page = c.get(f"/complaints/{complaint.number}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    word = "投诉处理人" if lang == "zh-hans" else "Complaint handler"
    assert word in page


def test_the_step_forms_draw_each_field_with_its_widgets_type(cast, register):
    """A deadline is a datetime-local input (the browser's picker, the value it sends is the
    one the form reads); the version rides hidden, with no label of its own."""
    complaint = register()
    services.acknowledge(actor=cast.a, complaint=complaint)
    services.record_callback(actor=cast.a, complaint=complaint, reached=True, note="已致电")
    root = Category.objects.get(code="buck_passing")
    services.record_root_cause(actor=cast.a, complaint=complaint, cause=root, note="只给号码")
    page = _client(cast.a).get(f"/complaints/{complaint.number}/").content.decode()
    assert '<input type="datetime-local"' in page and 'name="due_at"' in page
    assert '<input type="hidden" name="version"' in page
    assert ">Version<" not in page and ">版本<" not in page


def test_the_complainant_answers_the_response_on_the_complaint_page(cast, register):
    complaint = register()
    services.acknowledge(actor=cast.a, complaint=complaint)
    services.record_callback(actor=cast.a, complaint=complaint, reached=True, note="已致电")
    services.respond(actor=cast.a, complaint=complaint, text="已指定专人负责。")
    ticket = complaint.links.get().ticket
    customer = _client(cast.y)
    assert 'data-testid="banner-answer"' in customer.get(f"/t/{ticket.number}/").content.decode()
    page = customer.get(f"/complaints/{complaint.number}/").content.decode()
    assert 'data-testid="answer-card"' in page and "已指定专人负责。" in page
    province = _client(cast.x).get(f"/complaints/{complaint.number}/").content.decode()
    assert 'data-testid="answer-card"' not in province  # sees it, does not speak for y
    refused = customer.post(f"/complaints/{complaint.number}/answer/", {"accepted": "no"})
    assert refused.status_code == 422 and 'data-testid="answer-card"' in refused.content.decode()
    done = customer.post(f"/complaints/{complaint.number}/answer/", {"accepted": "yes"})
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.closed_by == cast.y
    shown = customer.get(f"/complaints/{complaint.number}/").content.decode()
    assert 'data-testid="answer-card"' not in shown
