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


def test_a_body_over_the_upload_limit_is_json_413(cast, api, ticket, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = TimelineEntry.objects.count()
    res = api(cast.b).post(f"/tickets/{ticket.pk}/comments", {"body": "x" * 2000})
    assert error_of(res, 413)["code"] == "body_too_large"
    assert TimelineEntry.objects.count() == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_json_body_sent_as_something_else_is_415(cast, api, ticket, content_type):
    body = json.dumps({"body": "hello"})
    res = api(cast.b).client.post(
        f"/api/v1/tickets/{ticket.pk}/comments", data=body, content_type=content_type
    )
    assert error_of(res, 415)["code"] == "unsupported_media_type"
    assert not TimelineEntry.objects.filter(body="hello").exists()


def test_json_with_a_charset_or_a_json_suffix_is_accepted(cast, api, ticket):
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        res = api(cast.b).client.post(
            f"/api/v1/tickets/{ticket.pk}/comments",
            data=json.dumps({"body": content_type}),
            content_type=content_type,
        )
        assert res.status_code == 201, res.content


@pytest.mark.parametrize("body", ["[null, null]", "[]", '"text"', "3", "true"])
def test_a_body_that_is_not_a_json_object_is_422(cast, api, body):
    from caredesk.stakeholders.services import add_stakeholder

    entry = add_stakeholder(
        actor=cast.a, organisation=cast.orgs.lakeside, person=cast.y, channel="email"
    )
    res = api(cast.a).client.patch(
        f"/api/v1/stakeholders/{entry.pk}", data=body, content_type="application/json"
    )
    assert "body" in error_of(res, 422)["fields"]


def test_null_stands_for_an_optional_body_and_is_refused_for_a_required_one(cast, api, ticket):
    client = api(cast.b).client
    res = client.post(
        f"/api/v1/tickets/{ticket.pk}/acknowledge", data="null", content_type="application/json"
    )
    assert res.status_code == 200, res.content
    res = client.post(
        f"/api/v1/tickets/{ticket.pk}/comments", data="null", content_type="application/json"
    )
    assert error_of(res, 422)["code"] == "validation_failed"


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


def test_nul_and_lone_surrogates_in_bodies_and_queries_are_422(cast, api, ticket):
    before = TimelineEntry.objects.count()
    res = api(cast.b).post(f"/tickets/{ticket.pk}/comments", {"body": "a\x00b"})
    assert "body" in error_of(res, 422)["fields"]
    note = {"person": cast.y.pk, "sites": ["ok", "bad\x00"]}
    res = api(cast.a).post(f"/customers/{cast.orgs.lakeside.pk}/stakeholders", note)
    assert "sites.1" in error_of(res, 422)["fields"]
    assert "q" in error_of(api(cast.b).get("/tickets?q=%00"), 422)["fields"]
    res = api(cast.b).client.post(
        f"/api/v1/tickets/{ticket.pk}/comments",
        data='{"body": "half a pair: \\ud800"}',
        content_type="application/json",
    )
    assert "body" in error_of(res, 422)["fields"]
    assert TimelineEntry.objects.count() == before


def test_openapi_declares_413_and_415_where_a_json_body_is_read(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            if "requestBody" in operation:
                assert {"413", "415"} <= declared, (method, path)
                error = operation["responses"]["415"]["content"]["application/json"]["schema"]
                assert (
                    error == operation["responses"]["400"]["content"]["application/json"]["schema"]
                )
            else:
                assert not {"413", "415"} & declared, (method, path)
    # The copy at /api/openapi.json is the same document.
    assert client.get("/api/openapi.json").json()["paths"] == spec["paths"]
