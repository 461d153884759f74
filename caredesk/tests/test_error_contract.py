"""Under /api/ every error has one shape, whoever makes it: Ninja, Django or our handlers."""

import json

import pytest
from django.test import Client

from caredesk.tests.errorshape import error_of
from caredesk.tickets.models import Ticket, TimelineEntry


@pytest.fixture
def ticket(open_request):
    return open_request()


def test_unknown_api_paths_are_json_404(cast, api):
    for path in ("/nope", "/tickets/1/nope", "/tickets/"):
        assert error_of(api(cast.b).get(path), 404)["code"] == "not_found"
    assert error_of(api(cast.b).post("/nope", {}), 404)["code"] == "not_found"
    assert error_of(Client().get("/api/nope"), 404)["code"] == "not_found"


def test_a_method_the_path_lacks_is_json_405_with_allow(cast, api):
    res = api(cast.b).delete("/tickets")
    assert error_of(res, 405)["code"] == "method_not_allowed"
    assert set(res["Allow"].split(", ")) == {"GET", "POST"}


def test_an_unexpected_error_still_answers_the_json_shape(cast, api, monkeypatch):
    from caredesk.directory import api as directory_api

    def broken(person):
        raise RuntimeError("a bug")

    monkeypatch.setattr(directory_api, "person_out", broken)
    client = api(cast.b).client
    client.raise_request_exception = False
    error = error_of(client.get("/api/v1/me"), 500)
    assert error["code"] == "server_error"
    assert "a bug" not in error["message"]


def test_an_anonymous_write_is_401_not_a_csrf_failure(cast):
    client = Client(enforce_csrf_checks=True)
    before = Ticket.objects.count()
    res = client.post("/api/v1/tickets", data="{}", content_type="application/json")
    assert error_of(res, 401)["code"] == "unauthenticated"
    res = client.post(
        "/api/v1/tickets", data="{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer x"
    )
    assert error_of(res, 401)["code"] == "unauthenticated"
    assert Ticket.objects.count() == before


def test_a_signed_in_browser_without_the_csrf_token_is_403(cast, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.b)
    res = client.post(
        f"/api/v1/tickets/{ticket.pk}/comments",
        data=json.dumps({"body": "forged"}),
        content_type="application/json",
    )
    assert error_of(res, 403)["code"] == "forbidden"
    assert not TimelineEntry.objects.filter(body="forged").exists()


def test_a_signed_in_browser_with_the_csrf_token_writes(cast, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.b)
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    res = client.post(
        f"/api/v1/tickets/{ticket.pk}/comments",
        data=json.dumps({"body": "from the browser"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=secret,
    )
    assert res.status_code == 201, res.content
