"""The API's one error shape, asserted the same way by every contract test."""


def error_of(res, status: int) -> dict:
    """The `error` object of an answer that must be `status` with the JSON error shape (a test
    client's answer or, from a live server, an httpx one)."""
    assert res.status_code == status, (res.status_code, res.content[:300])
    content_type = res.headers["Content-Type"]
    assert content_type.startswith("application/json"), content_type
    body = res.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error
