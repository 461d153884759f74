"""API tokens with a name, an expiry and a revocation, listed and revoked by their owner and
by administrators (API, page, command); a rate limit per token; sign-ins audited; sessions
with an idle timeout and an absolute lifetime; a password policy."""

import datetime as dt
import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings

from caredesk import clock
from caredesk.audit.models import AuditRecord
from caredesk.directory.models import ApiToken


def _bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_token_made_through_the_api_is_shown_once_and_works_until_revoked(cast, api):
    res = api(cast.b).post("/tokens", {"name": "网管对接", "expires_in_days": 30})
    assert res.status_code == 201, res.content
    made = res.json()
    key = made["key"]
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only its hash is kept
    assert made["expires_at"] is not None
    assert _bearer(key).get("/api/v1/me").json()["username"] == "engineer.b"
    listed = api(cast.b).get("/tokens").json()
    assert made["id"] in {t["id"] for t in listed} and all("key" not in t for t in listed)
    assert made["id"] not in {t["id"] for t in api(cast.c).get("/tokens").json()}
    # A colleague cannot revoke it (nor learn it exists); the owner can.
    assert api(cast.c).post(f"/tokens/{made['id']}/revoke").status_code == 404
    assert api(cast.b).post(f"/tokens/{made['id']}/revoke").status_code == 200
    assert _bearer(key).get("/api/v1/me").status_code == 401
    assert api(cast.b).post(f"/tokens/{made['id']}/revoke").status_code == 409
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"token.create", "token.revoke"} <= actions


def test_an_expired_token_answers_401(cast, api):
    made = api(cast.y).post("/tokens", {"name": "portal sync", "expires_in_days": 1}).json()
    later = clock.now() + dt.timedelta(days=1, minutes=1)
    with clock.frozen_at(later):
        res = _bearer(made["key"]).get("/api/v1/me")
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "unauthenticated"


def test_only_administrators_make_tokens_that_never_expire(cast, api):
    res = api(cast.b).post("/tokens", {"name": "forever", "expires_in_days": None})
    assert res.status_code == 422 and "expires_in_days" in res.json()["error"]["fields"]
    res = api(cast.admin).post(
        "/tokens", {"name": "monitoring", "expires_in_days": None, "person": cast.h.pk}
    )
    assert res.status_code == 201
    assert res.json()["person"] == cast.h.pk and res.json()["expires_at"] is None
    # The administrator sees and revokes everyone's.
    other = api(cast.b).post("/tokens", {"name": "mine", "expires_in_days": 5}).json()
    assert api(cast.admin).post(f"/tokens/{other['id']}/revoke").status_code == 200


@override_settings(API_RATE_PER_MINUTE=3)
def test_a_token_past_its_rate_answers_429_with_retry_after(cast, api):
    client = api(cast.b)
    # Held inside one minute's window, so the count cannot start again halfway.
    with clock.frozen_at(dt.datetime(2026, 11, 24, 8, 0, 10, tzinfo=dt.UTC)):
        answers = [client.get("/me").status_code for _ in range(4)]
        res = client.get("/me")
    assert answers == [200, 200, 200, 429]
    assert res.status_code == 429
    assert int(res["Retry-After"]) == 50  # the window turns at 08:01:00
    assert res.json()["error"]["code"] == "rate_limited"
    assert api(cast.c).get("/me").status_code == 200  # another token, its own count


def test_tokens_page_creates_shows_once_and_revokes(cast, client):
    client.force_login(cast.y)
    client.cookies["django_language"] = "en"
    res = client.post("/directory/tokens/", {"name": "reports", "expires_in_days": 30})
    assert res.status_code == 201
    page = res.content.decode()
    token = ApiToken.objects.get(person=cast.y, name="reports")
    key = page.split('class="user-select-all d-block mt-1">')[1].split("<")[0]
    assert key.startswith(token.prefix) and ApiToken.hash_key(key) == token.key_hash
    again = client.get("/directory/tokens/").content.decode()
    assert key not in again and token.prefix in again
    assert client.post(f"/directory/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    bad = client.post("/directory/tokens/", {"name": "", "expires_in_days": 900})
    assert bad.status_code == 422


def test_token_commands_create_list_and_revoke(cast):
    out = io.StringIO()
    call_command("createtoken", "engineer.c", "--name", "nightly export", "--days", "7", stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    assert token.name == "nightly export" and token.expires_at is not None
    listing = io.StringIO()
    call_command("tokens", "--user", "engineer.c", stdout=listing)
    assert token.prefix in listing.getvalue() and "live" in listing.getvalue()
    call_command("tokens", "--revoke", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_sign_ins_failures_and_lockouts_are_audited(cast, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    client.post("/login/", {"username": "engineer.b", "password": "caredesk-demo"})
    for _ in range(2):
        Client().post("/login/", {"username": "engineer.c", "password": "wrong"})
    records = {(r.action, r.actor_name) for r in AuditRecord.objects.all()}
    assert ("auth.login", "engineer.b") in records
    assert ("auth.login_failed", "engineer.c") in records
    assert ("auth.locked_out", "engineer.c") in records


def test_a_session_ends_after_its_absolute_lifetime(cast, settings):
    settings.SESSION_MAX_HOURS = 12
    start = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
    client = Client()
    with clock.frozen_at(start):
        client.force_login(cast.b)
        assert client.get("/queue/").status_code == 200
    with clock.frozen_at(start + dt.timedelta(hours=11)):
        assert client.get("/queue/").status_code == 200
    with clock.frozen_at(start + dt.timedelta(hours=12, minutes=1)):
        res = client.get("/queue/")
    assert res.status_code == 302 and res["Location"].startswith("/login/")
    assert client.get("/queue/").status_code == 302  # signed out for good


def test_idle_timeout_and_password_policy_settings(settings, cast):
    assert settings.SESSION_COOKIE_AGE == 120 * 60
    with pytest.raises(ValidationError):
        validate_password("short-pw1")
    with pytest.raises(ValidationError):
        validate_password("123456789012")
    validate_password("机房值班-2026-湖滨-cd", user=cast.b)
