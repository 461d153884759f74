"""A small client of Prometheus Alertmanager's API v2: create, expire and list silences.

Alertmanager has no approval step; CareDesk is the authorising front of it (seed case 5). This
module only speaks HTTP — it knows no rule and no database — and never raises past its
boundary: every call answers an Outcome (ok, or what went wrong and whether trying again can
help). Alertmanager's answers, as 0.25 gives them:

- POST /api/v2/silences → 200 {"silenceID": "…"}; 400 with a text body for a bad silence
  ("matchers in body should have at least 1 items", "end time can't be in the past",
  "start time must be before end time"), which will not heal by retrying.
- DELETE /api/v2/silence/{id} → 200; 404 when it does not know the id; 500 "silence … already
  expired" for one that ended (both mean: nothing left to expire).
- GET /api/v2/silences → 200 [{"id", "status": {"state": active|pending|expired}, "matchers",
  "startsAt", "endsAt", "createdBy", "comment", "updatedAt"}].
"""

import datetime as dt
import http.client
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

# The states of a silence that still mutes alerts (or will, once it starts).
LIVE_STATES = frozenset({"active", "pending"})


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str = ""
    permanent: bool = False  # trying again will not help (a refused silence, a wrong URL)
    silence_id: str = ""
    silences: list[dict[str, Any]] = field(default_factory=list)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> dt.datetime | None:
    """Alertmanager's RFC 3339 times ("2026-12-02T18:00:00.000Z"), aware; None if unreadable."""
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None


class Client:
    """One Alertmanager, reached at `base_url` (http://host:port, optionally a path prefix).

    Keeps one HTTP connection open between calls (the reconciler and a push batch make many),
    and opens it again when the server closed it."""

    def __init__(self, base_url: str, *, timeout: float | None = None):
        parts = urlsplit(base_url.rstrip("/"))
        self.base_url = base_url.rstrip("/")
        self.valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        self._scheme = parts.scheme
        self._host = parts.hostname or ""
        self._port = parts.port
        self._prefix = parts.path
        self.timeout = timeout if timeout is not None else settings.ALERTMANAGER_TIMEOUT
        self._conn: http.client.HTTPConnection | None = None

    # ------------------------------------------------------------ transport

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            kind = (
                http.client.HTTPSConnection
                if self._scheme == "https"
                else http.client.HTTPConnection
            )
            self._conn = kind(self._host, self._port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _request(self, method: str, path: str, body: Any = None) -> tuple[int, str]:
        raw = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json", "User-Agent": "CareDesk"}
        if raw is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, self._prefix + path, body=raw, headers=headers)
                resp = conn.getresponse()
                return resp.status, resp.read().decode("utf-8", "replace")
            except (http.client.HTTPException, OSError):
                self.close()
                # A kept-alive connection the server dropped: one fresh try, then give up.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _call(self, method: str, path: str, body: Any = None) -> tuple[int, str] | Outcome:
        if not self.valid:
            return Outcome(False, f"not an http(s) URL: {self.base_url!r}", permanent=True)
        try:
            return self._request(method, path, body)
        except (http.client.HTTPException, OSError) as exc:
            return Outcome(False, f"unreachable: {type(exc).__name__}: {exc}")

    # ------------------------------------------------------------ the API

    def create_silence(
        self,
        *,
        matchers: list[dict[str, Any]],
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        created_by: str,
        comment: str,
    ) -> Outcome:
        body = {
            "matchers": matchers,
            "startsAt": _iso(starts_at),
            "endsAt": _iso(ends_at),
            "createdBy": created_by,
            "comment": comment,
        }
        answer = self._call("POST", "/api/v2/silences", body)
        if isinstance(answer, Outcome):
            return answer
        status, text = answer
        if status == 200:
            try:
                silence_id = json.loads(text)["silenceID"]
            except (ValueError, KeyError, TypeError):
                return Outcome(False, f"unreadable answer: {text[:200]}")
            return Outcome(True, silence_id=str(silence_id))
        return Outcome(False, f"HTTP {status}: {text[:300]}", permanent=400 <= status < 500)

    def expire_silence(self, silence_id: str) -> Outcome:
        """End a silence now. One Alertmanager does not know (404) or that already ended counts
        as done: there is nothing left muting alarms."""
        answer = self._call("DELETE", f"/api/v2/silence/{silence_id}")
        if isinstance(answer, Outcome):
            return answer
        status, text = answer
        if status == 200 or status == 404 or "already expired" in text:
            return Outcome(True, detail="" if status == 200 else text[:200])
        return Outcome(False, f"HTTP {status}: {text[:300]}", permanent=400 <= status < 500)

    def list_silences(self) -> Outcome:
        """Every silence Alertmanager holds (expired ones too, until its retention drops them)."""
        answer = self._call("GET", "/api/v2/silences")
        if isinstance(answer, Outcome):
            return answer
        status, text = answer
        if status != 200:
            return Outcome(False, f"HTTP {status}: {text[:300]}")
        try:
            found = json.loads(text)
        except ValueError:
            return Outcome(False, f"unreadable answer: {text[:200]}")
        if not isinstance(found, list):
            return Outcome(False, f"unreadable answer: {text[:200]}")
        return Outcome(True, silences=[s for s in found if isinstance(s, dict)])


def configured() -> Client | None:
    """The Alertmanager of the settings (ALERTMANAGER_URL), or None when none is configured."""
    url = settings.ALERTMANAGER_URL
    return Client(url) if url else None
