"""The change pages: a partner sees why he may not start before he tries, a refused action
comes back as a form error under its 4xx, the approvals show who and when, the ticket page
lists the changes linked to it — in zh-Hans and English; outsiders get 404."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from caredesk import clock
from caredesk.fieldwork.changes import services
from caredesk.fieldwork.models import ChangeRequest, ChangeStatus


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in English leaves the thread's language active: the next test reads zh-Hans."""
    yield
    translation.deactivate()


def _session(person, language="zh-hans"):
    s = Client()
    s.force_login(person)
    s.cookies["django_language"] = language
    return s


def test_partner_sees_why_he_may_not_start(cast, make_change, at):
    at(0, fire=False)
    change = make_change(submit=True)
    page = _session(cast.d).get(f"/changes/{change.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="why-not-start"' in text and "尚未批准" in text
    assert 'data-testid="change-start"' not in text
    # Posting anyway is refused with the reason, nothing changes.
    at(150, fire=False)
    refused = _session(cast.d, "en").post(
        f"/changes/{change.pk}/start/", {"version": change.version}
    )
    assert refused.status_code == 409
    assert "not approved" in refused.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.SUBMITTED
    # Approved on the page by the product maintenance leader, the partner starts it.
    approved = _session(cast.p).post(f"/changes/{change.pk}/approve/", {"version": change.version})
    assert approved.status_code == 302
    page = _session(cast.d, "en").get(f"/changes/{change.pk}/").content.decode()
    assert 'data-testid="change-start"' in page and "周鹏" in page
    started = _session(cast.d).post(f"/changes/{change.pk}/start/", {"version": change.version + 1})
    assert started.status_code == 302
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.IN_PROGRESS
    assert _session(cast.o).get(f"/changes/{change.pk}/").status_code == 404


def test_new_change_form_and_ticket_card(cast, at, open_request):
    at(0, fire=False)
    ticket = open_request()
    s = _session(cast.b, "en")
    assert s.get("/changes/new/").status_code == 200
    start = (clock.now() + dt.timedelta(hours=2)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    form = {
        "customer_org": cast.orgs.lakeside.pk,
        "kind": "upgrade",
        "model": "normal",
        "title": "OTN-07 升级",
        "plan": "加载新版本",
        "rollback_plan": "",
        "service_impact": "on",
        "hard_to_undo": "on",
        "window_start": start.strftime("%Y-%m-%dT%H:%M"),
        "window_end": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "elements": "OTN-07, 湖滨二号机房\nOTN-08",
        "executor": cast.d.pk,
        "tickets": ticket.number,
    }
    refused = s.post("/changes/new/", form)
    assert refused.status_code == 422 and "rollback plan" in refused.content.decode()
    assert not ChangeRequest.objects.exists()
    made = s.post("/changes/new/", {**form, "rollback_plan": "回退到原版本"})
    assert made.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.risk == "high" and [t.element for t in change.targets.all()] == [
        "OTN-07",
        "OTN-08",
    ]
    assert list(change.tickets.all()) == [ticket]
    page = s.get(f"/t/{ticket.number}/").content.decode()
    assert 'data-testid="ticket-changes"' in page and change.number in page
    portal = _session(cast.y).get(f"/t/{ticket.number}/").content.decode()
    assert change.number in portal
    # Customers have no request form; the hotline is refused it.
    assert _session(cast.y).get("/changes/new/").status_code == 404
    assert _session(cast.h).get("/changes/new/").status_code == 403
    # The list: the requester's own office sees it; another operator's contact does not.
    assert change.number in s.get("/changes/").content.decode()
    assert change.number not in _session(cast.o).get("/changes/").content.decode()
    services.submit_change(actor=cast.b, change=change)
    medium_page = _session(cast.y, "en").get(f"/changes/{change.pk}/").content.decode()
    assert 'data-testid="customer-approval"' in medium_page
    assert 'data-testid="change-approve"' in medium_page
