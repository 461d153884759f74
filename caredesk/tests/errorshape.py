"""The API's one error shape, asserted the same way by every contract test."""


def error_of(res, status: int) -> dict:
    """The `error` object of an answer that must be `status` with the JSON error shape."""
    assert res.status_code == status, (res.status_code, res.content[:300])
    assert res["Content-Type"].startswith("application/json"), res["Content-Type"]
    body = res.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error
