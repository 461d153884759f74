"""Under /api/ every error has one shape, whoever makes it: Ninja, Django or our handlers."""

from django.test import Client

from caredesk.tests.errorshape import error_of


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
