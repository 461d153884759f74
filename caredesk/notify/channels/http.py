"""A JSON POST with a timeout, for the webhook adapters (standard library only)."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from . import Outcome


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict
    text: str
    retry_after: str = ""


class Unreachable(Exception):
    """The receiver could not be reached or did not answer in time: try again later."""


def post_json(url: str, payload: dict, *, key: str, headers: dict | None = None) -> Reply:
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return post_raw(url, raw, key=key, headers=headers)


def post_raw(url: str, raw: bytes, *, key: str, headers: dict | None = None) -> Reply:
    request = urllib.request.Request(
        url,
        data=raw,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            # Vendors ignore it; our own receivers (and the generic webhook's) drop repeats.
            "Idempotency-Key": key,
            "User-Agent": "CareDesk",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_HTTP_TIMEOUT) as resp:
            return _reply(resp.status, resp.read(), resp.headers.get("Retry-After", ""))
    except urllib.error.HTTPError as err:
        return _reply(err.code, err.read(), err.headers.get("Retry-After", ""))
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(f"{type(exc).__name__}: {reason}") from exc


def _reply(status: int, raw: bytes, retry_after: str) -> Reply:
    text = raw.decode("utf-8", "replace")[:2000]
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {}
    return Reply(status, body if isinstance(body, dict) else {}, text, retry_after)


def http_failure(reply: Reply) -> tuple[str, bool]:
    """(detail, permanent) for a non-2xx answer: 4xx other than 408/429 will not get better."""
    permanent = 400 <= reply.status < 500 and reply.status not in (408, 429)
    return f"HTTP {reply.status}: {reply.text[:300]}", permanent


def post_robot(
    url: str,
    payload: dict,
    *,
    key: str,
    code_field: str,
    message_field: str,
    throttled: dict[int, float],
    permanent: set[int],
) -> Outcome:
    """POST to a group robot that answers HTTP 200 with a JSON code (0: sent). `throttled`
    maps the codes that mean "too fast" to how long to wait; `permanent` codes will not heal."""
    try:
        reply = post_json(url, payload, key=key)
    except Unreachable as exc:
        return Outcome.failed(str(exc))
    if reply.status != 200 and code_field not in reply.body:
        detail, permanent_http = http_failure(reply)
        return Outcome.failed(detail, permanent=permanent_http)
    code = reply.body.get(code_field)
    if code == 0:
        return Outcome.sent()
    detail = f"{code_field} {code}: {reply.body.get(message_field, reply.text[:200])}"
    if code in throttled:
        return Outcome.throttled(detail, throttled[code])
    return Outcome.failed(detail, permanent=code in permanent)
