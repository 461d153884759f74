"""Pages through Django's test client: who sees what, forms, errors, language and time zone."""

import datetime as dt
import re

import pytest

from caredesk import clock
from caredesk.tickets import services
from caredesk.tickets.models import EntryKind, Handoff, Status, Ticket


@pytest.fixture
def ticket(open_request):
    with clock.frozen_at(dt.datetime(2026, 6, 7, 1, 12, tzinfo=dt.UTC)):
        return open_request(product="wireless")  # owned by engineer.c


def login(client, person, lang="en"):
    client.force_login(person)
    client.cookies["django_language"] = lang
    return client


def test_anonymous_is_sent_to_login(client):
    res = client.get("/queue/")
    assert res.status_code == 302
    assert res["Location"].startswith("/login/")


def test_login_with_demo_password_sets_language(cast, client):
    res = client.post("/login/", {"username": "customer.o", "password": "caredesk-demo"})
    assert res.status_code == 302
    assert res.cookies["django_language"].value == "en"
    assert client.get("/", follow=True).request["PATH_INFO"] == "/portal/"


def test_wrong_password_shows_an_error(cast, client):
    res = client.post("/login/", {"username": "customer.y", "password": "nope"})
    assert res.status_code == 200
    assert "alert-danger" in res.content.decode()


def test_staff_home_is_the_workbench_with_waiting_handoffs(cast, client, ticket):
    services.propose_handoff(actor=cast.c, ticket=ticket, to_person=cast.b, reason="core")
    login(client, cast.b)
    page = client.get("/queue/?tab=handoffs").content.decode()
    assert 'data-testid="handoff-count">1<' in page
    assert ticket.number in page
    mine = client.get("/queue/?tab=mine").content.decode()
    assert ticket.number not in mine  # proposed, not yet accepted


def test_queue_filters_stay_in_the_url_and_search_works(cast, client, open_request, ticket):
    other = open_request(title="Optical line down", product="wireless")
    login(client, cast.c)
    page = client.get("/queue/?tab=mine&q=Optical").content.decode()
    assert other.number in page
    assert ticket.number not in page


def test_ticket_page_shows_owner_phone_and_time_in_shanghai(cast, client, ticket):
    page = login(client, cast.y).get(f"/t/{ticket.number}/").content.decode()
    assert cast.c.name in page
    assert cast.c.phone in page
    assert "2026-06-07 09:12" in page  # 01:12 UTC is 09:12 in Asia/Shanghai
    assert "Escalation contacts" in page


def test_customer_of_another_operator_gets_not_found(cast, client, ticket):
    res = login(client, cast.o).get(f"/t/{ticket.number}/")
    assert res.status_code == 404
    assert ticket.title not in res.content.decode()


def test_customer_page_hides_internal_entries(cast, client, ticket):
    services.add_comment(actor=cast.c, ticket=ticket, body="internal-note-123", public=False)
    services.add_comment(actor=cast.c, ticket=ticket, body="public-reply-456")
    page = login(client, cast.y).get(f"/t/{ticket.number}/").content.decode()
    assert "public-reply-456" in page
    assert "internal-note-123" not in page
    staff_page = login(client, cast.c).get(f"/t/{ticket.number}/").content.decode()
    assert "internal-note-123" in staff_page


def test_portal_new_request_routes_and_names_the_owner(cast, client):
    login(client, cast.y)
    res = client.post(
        "/portal/new/",
        {
            "customer_org": cast.orgs.lakeside.pk,
            "product": cast.products.transport.pk,
            "region": cast.regions.lakeside.pk,
            "severity": "P2",
            "title": "High temperature alarm",
            "customer_voice": "设备一直报高温告警。",
        },
        follow=True,
    )
    ticket = Ticket.objects.get(title="High temperature alarm")
    assert ticket.owner == cast.d
    assert ticket.channel == "portal"
    assert cast.d.name in res.content.decode()


def test_portal_form_errors_keep_the_input(cast, client):
    login(client, cast.y)
    res = client.post(
        "/portal/new/",
        {
            "customer_org": cast.orgs.lakeside.pk,
            "product": cast.products.core.pk,
            "region": cast.regions.lakeside.pk,
            "severity": "P2",
            "title": "",
            "customer_voice": "my words stay here",
        },
    )
    assert res.status_code == 422
    page = res.content.decode()
    assert "invalid-feedback" in page
    assert "my words stay here" in page
    assert not Ticket.objects.exists()


def test_customer_cannot_pick_another_operator_in_the_portal(cast, client):
    login(client, cast.y)
    res = client.post(
        "/portal/new/",
        {
            "customer_org": cast.orgs.other.pk,
            "product": cast.products.core.pk,
            "region": cast.regions.lakeside.pk,
            "severity": "P2",
            "title": "t",
            "customer_voice": "v",
        },
    )
    assert res.status_code == 422
    assert not Ticket.objects.exists()


def test_handoff_through_pages(cast, client, ticket):
    login(client, cast.c)
    res = client.post(
        f"/t/{ticket.number}/handoff/", {"to_person": cast.b.pk, "reason": "core"}, follow=True
    )
    assert "Hand-off pending" in res.content.decode()
    handoff = Handoff.objects.get()
    assert Ticket.objects.get(pk=ticket.pk).owner == cast.c
    login(client, cast.b)
    client.post(f"/handoffs/{handoff.pk}/accept/")
    assert Ticket.objects.get(pk=ticket.pk).owner == cast.b


def test_handoff_page_error_for_missing_reason(cast, client, ticket):
    login(client, cast.c)
    res = client.post(f"/t/{ticket.number}/handoff/", {"to_person": cast.b.pk, "reason": ""})
    assert res.status_code == 422
    assert not Handoff.objects.exists()


def test_colleague_number_refused_on_the_page(cast, client, ticket):
    login(client, cast.c)
    res = client.post(
        f"/t/{ticket.number}/comment/",
        {"body": "Please call 李博 on 138-0000-0002", "visibility": "public"},
    )
    assert res.status_code == 422
    assert "hand-off" in res.content.decode()


def test_customer_confirms_closure_on_the_page(cast, client, ticket):
    services.resolve(actor=cast.c, ticket=ticket, note="Cleaned the filter.")
    login(client, cast.y)
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert 'data-testid="confirm-closure"' in page
    client.post(f"/t/{ticket.number}/confirm/", {"note": ""})
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_staff_cannot_confirm_closure_on_the_page(cast, client, ticket):
    services.resolve(actor=cast.c, ticket=ticket, note="done")
    login(client, cast.c)
    res = client.post(f"/t/{ticket.number}/confirm/", {"note": ""})
    assert res.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_language_switch_is_remembered(cast, client):
    login(client, cast.y, lang="en")
    res = client.post("/lang/", {"language": "zh-hans", "next": "/portal/"})
    assert res.status_code == 302
    assert res.cookies["django_language"].value == "zh-hans"
    cast.y.refresh_from_db()
    assert cast.y.language == "zh-hans"
    assert client.post("/lang/", {"language": "klingon"}).status_code == 400


def test_language_switch_refuses_offsite_redirects(cast, client):
    res = client.post("/lang/", {"language": "en", "next": "https://evil.example/"})
    assert res["Location"] == "/"


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_handoff_form_is_fetched_on_demand(cast, client, ticket):
    login(client, cast.c)
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert f"/t/{ticket.number}/handoff-form/" in page
    assert 'name="to_person"' not in page  # the long list is not on every page view
    form = client.get(f"/t/{ticket.number}/handoff-form/").content.decode()
    assert f'value="{cast.b.pk}"' in form and 'name="reason"' in form
    assert f'value="{cast.y.pk}"' not in form  # customers never take tickets over


def test_handoff_form_hidden_from_customers_and_strangers(cast, client, ticket):
    for person in (cast.y, cast.o):
        login(client, person)
        assert client.get(f"/t/{ticket.number}/handoff-form/").status_code == 404


def test_refused_status_change_is_shown_on_the_page(cast, client, ticket):
    # A new ticket must be acknowledged first: the service refuses the move, the page says so.
    login(client, cast.c)
    res = client.post(
        f"/t/{ticket.number}/status/", {"status": "in_progress", "version": ticket.version}
    )
    assert res.status_code == 409
    page = res.content.decode()
    assert "This action is not possible in the ticket&#x27;s current status." in page
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


def test_stale_status_change_says_reload_and_changes_nothing(cast, client, ticket):
    services.acknowledge(actor=cast.c, ticket=ticket)
    loaded = Ticket.objects.get(pk=ticket.pk).version
    services.edit_ticket(
        actor=cast.c, ticket=ticket, version=loaded, changes={"status": "waiting_customer"}
    )
    login(client, cast.c)
    res = client.post(f"/t/{ticket.number}/status/", {"status": "in_progress", "version": loaded})
    assert res.status_code == 409
    page = res.content.decode()
    assert "Someone changed this ticket after you loaded it." in page
    assert res["HX-Replace-Url"] == f"/t/{ticket.number}/"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WAITING_CUSTOMER


def _comments(ticket):
    return list(ticket.timeline.filter(kind=EntryKind.COMMENT).values_list("body", "public"))


def test_staff_reply_and_internal_note_are_two_explicit_choices(cast, client, ticket):
    login(client, cast.c)
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert 'name="visibility" value="public"' in page
    assert 'name="visibility" value="internal"' in page
    assert 'type="checkbox"' not in page  # no tick to forget
    client.post(f"/t/{ticket.number}/comment/", {"body": "On our way.", "visibility": "public"})
    client.post(f"/t/{ticket.number}/comment/", {"body": "Spare part?", "visibility": "internal"})
    assert _comments(ticket) == [("On our way.", True), ("Spare part?", False)]


def test_staff_comment_without_a_choice_is_refused_and_not_sent(cast, client, ticket):
    # The old form's "public" tick alone, or nothing: neither makes a reply by default.
    login(client, cast.c)
    for data in ({"body": "Forgot to choose."}, {"body": "Old form.", "public": "on"}):
        res = client.post(f"/t/{ticket.number}/comment/", data)
        assert res.status_code == 422
        assert "Choose: a reply to the customer or an internal note." in res.content.decode()
    assert _comments(ticket) == []


def test_customer_comment_is_public_without_a_choice(cast, client, ticket):
    login(client, cast.y)
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert 'name="visibility"' not in page
    client.post(f"/t/{ticket.number}/comment/", {"body": "Still dropping."})
    assert _comments(ticket) == [("Still dropping.", True)]


def test_signed_in_pages_are_never_stored(cast, client, ticket):
    login(client, cast.y)
    for path in (f"/t/{ticket.number}/", "/portal/", "/healthz"):
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control


def test_htmx_keeps_no_page_copies(cast, client, ticket):
    # The copies would sit in sessionStorage with phone numbers, for Back after sign-out.
    page = login(client, cast.c).get(f"/t/{ticket.number}/").content.decode()
    assert '"historyCacheSize":0' in page
    assert '"refreshOnHistoryMiss":true' in page


def test_get_logout_asks_with_a_button_instead_of_an_empty_405(cast, client):
    login(client, cast.b)
    res = client.get("/logout/")
    assert res.status_code == 200
    page = res.content.decode()
    assert 'data-testid="confirm-sign-out"' in page
    assert cast.b.name in page
    assert "_auth_user_id" in client.session  # a GET signs no one out
    assert client.post("/logout/")["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/logout/")["Location"] == "/login/"  # already signed out


def test_api_docs_load_nothing_from_outside(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "/static/vendor/swagger-ui/swagger-ui.css" in page
    assert '"url": "/api/v1/openapi.json"' in page
    assert re.findall(r'(?:src|href)="(https?:)?//', page) == []


def test_refusal_is_shown_where_the_form_is_not(cast, client):
    # A customer's map has no add form, yet a refused add must still say why.
    login(client, cast.x)
    res = client.post(
        f"/customers/{cast.orgs.lakeside.pk}/stakeholders/add/",
        {"person": cast.x.pk, "channel": "email"},
    )
    assert res.status_code == 403
    page = res.content.decode()
    assert 'data-testid="add-stakeholder"' not in page
    assert "Only administrators and service managers edit stakeholder maps." in page


def test_refused_override_says_why_on_the_on_call_page(cast, client):
    login(client, cast.b)  # an engineer: reads the rosters, may not change them
    res = client.post(
        "/oncall/overrides/",
        {
            "team": cast.teams["核心网组"].pk,
            "person": cast.c.pk,
            "starts_at": "2026-06-07T08:00",
            "ends_at": "2026-06-07T20:00",
        },
    )
    assert res.status_code == 422
    assert "Only service managers and administrators edit rosters." in res.content.decode()


def test_sign_in_after_the_session_ran_out_mid_form_lands_on_the_ticket(cast, client, ticket):
    res = client.post(f"/t/{ticket.number}/comment/", {"body": "x", "visibility": "public"})
    assert res["Location"] == f"/login/?next=/t/{ticket.number}/comment/"
    res = client.post(
        res["Location"],
        {
            "username": "engineer.c",
            "password": "caredesk-demo",
            "next": f"/t/{ticket.number}/comment/",
        },
        follow=True,
    )
    assert res.status_code == 200
    assert res.redirect_chain[-1][0] == f"/t/{ticket.number}/"
    assert ticket.number in res.content.decode()
