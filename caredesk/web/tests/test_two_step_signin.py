"""Signing in with two-step verification: the code is asked for after the password only of
people with a confirmed authenticator, and nobody is signed in before it — not for a page, not
for the API with the session cookie, not for the Django admin, whose sign-in is the same page.
Wrong codes are throttled; with CAREDESK_TOTP_REQUIRED_FOR_ADMINS an administrator without an
authenticator can only set one up; API tokens are not affected."""

import datetime as dt

import pytest
from django.test import Client

from caredesk import clock
from caredesk.audit.models import AuditRecord
from caredesk.conftest import ApiClient
from caredesk.demo.world import DEMO_PASSWORD
from caredesk.directory import totp
from caredesk.directory.tests.totp_helpers import code_for, enrolled

T = dt.datetime(2026, 11, 24, 2, 0, 0, tzinfo=dt.UTC)


def browser(lang="en", address="10.0.0.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = lang
    return client


def password_step(client, username, path="/login/", next_url=""):
    data = {"username": username, "password": DEMO_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(path, data)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_asks_for_the_code_after_the_password(cast):
    with clock.frozen_at(T):
        device, _ = enrolled(cast.b)
        client = browser()
        res = password_step(client, "engineer.b", next_url="/oncall/")
        assert (res.status_code, res["Location"]) == (302, "/login/code/")
        assert not signed_in(client)
        # Between the steps: no page, no API through the session.
        assert client.get("/queue/").status_code == 302
        assert client.get("/api/v1/me").status_code == 401
        page = client.get("/login/code/")
        assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
        wrong = client.post("/login/code/", {"code": "000000"})
        assert wrong.status_code == 422 and not signed_in(client)
        assert "That code is not right" in wrong.content.decode()
        done = client.post("/login/code/", {"code": code_for(device, steps=1)})
    assert (done.status_code, done["Location"]) == (302, "/oncall/")
    assert signed_in(client) and done.cookies["django_language"].value == cast.b.language
    actions = [
        a
        for a in AuditRecord.objects.order_by("id").values_list("action", flat=True)
        if a.startswith("auth.")
    ]
    assert actions == ["auth.second_factor_failed", "auth.second_factor", "auth.login"]
    ok = AuditRecord.objects.get(action="auth.second_factor")
    assert ok.after == {"purpose": "sign_in", "address": "10.0.0.7", "method": "totp"}


def test_people_without_a_confirmed_authenticator_sign_in_with_the_password(cast):
    totp.start_setup(actor=cast.c, person=cast.c)  # begun, never confirmed
    for username in ("engineer.c", "customer.y", "admin"):
        client = browser()
        res = password_step(client, username)
        assert res.status_code == 302 and res["Location"] != "/login/code/", username
        assert signed_in(client)


def test_wrong_codes_lock_the_code_step_and_end_the_sign_in(cast, settings):
    settings.TOTP_FAILURE_LIMIT = 3
    with clock.frozen_at(T):
        device, _ = enrolled(cast.b)
        client = browser()
        password_step(client, "engineer.b")
        answers = [client.post("/login/code/", {"code": "111111"}).status_code for _ in range(3)]
        assert answers == [422, 422, 429]
        # The sign-in is over: the right code now only sends back to the password.
        res = client.post("/login/code/", {"code": code_for(device, steps=1)})
        assert (res.status_code, res["Location"]) == (302, "/login/")
        assert not signed_in(client)
        # The password again, from another address too: the code step is still locked.
        other = browser(address="10.9.9.9")
        password_step(other, "engineer.b")
        locked = other.get("/login/code/")
        assert locked.status_code == 429
        assert 'data-testid="code-lockout"' in locked.content.decode()
        assert "Too many wrong codes for engineer.b." in locked.content.decode()
    assert AuditRecord.objects.filter(action="auth.second_factor_locked").count() == 1


def test_a_sign_in_waits_only_so_long_for_its_code(cast, settings):
    settings.TOTP_PENDING_MINUTES = 5
    with clock.frozen_at(T):
        device, _ = enrolled(cast.b)
        client = browser()
        password_step(client, "engineer.b")
    with clock.frozen_at(T + dt.timedelta(minutes=5, seconds=1)):
        res = client.post("/login/code/", {"code": code_for(device)})
    assert (res.status_code, res["Location"]) == (302, "/login/")
    assert not signed_in(client)


def test_a_reset_between_the_steps_starts_the_sign_in_again(cast):
    with clock.frozen_at(T):
        device, _ = enrolled(cast.b)
        client = browser()
        password_step(client, "engineer.b")
        totp.reset(actor=cast.admin, person=cast.b)
        res = client.post("/login/code/", {"code": code_for(device, steps=1)})
    assert (res.status_code, res["Location"]) == (302, "/login/")
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(cast):
    with clock.frozen_at(T):
        _, codes = enrolled(cast.b)
        client = browser()
        password_step(client, "engineer.b")
        res = client.post("/login/code/", {"code": codes[0]}, follow=True)
        assert signed_in(client)
        assert "You signed in with a recovery code; 9 left." in res.content.decode()
        client.post("/logout/")
        password_step(client, "engineer.b")
        assert client.post("/login/code/", {"code": codes[0]}).status_code == 422
    record = AuditRecord.objects.filter(action="auth.second_factor").get()
    assert record.after["method"] == "recovery_code"


def test_the_django_admin_sign_in_cannot_skip_the_code(cast):
    with clock.frozen_at(T):
        device, _ = enrolled(cast.admin)
        client = browser()
        form = client.get("/admin/login/?next=/admin/")
        assert "Sign in to CareDesk" in form.content.decode()  # CareDesk's page, not Django's
        res = password_step(client, "admin", path="/admin/login/", next_url="/admin/")
        assert (res.status_code, res["Location"]) == (302, "/login/code/")
        assert not signed_in(client)
        assert client.get("/admin/").status_code == 302
        assert client.get("/admin/directory/person/").status_code == 302
        done = client.post("/login/code/", {"code": code_for(device, steps=1)})
        assert done["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200


@pytest.fixture
def required(settings):
    settings.TOTP_REQUIRED_FOR_ADMINS = True


def test_an_administrator_must_set_up_first_when_the_setting_says_so(cast, required):
    client = browser()
    res = password_step(client, "admin")
    assert res.status_code == 302 and signed_in(client)  # no authenticator yet: no code step
    for path in ("/queue/", "/admin/", "/directory/tokens/", "/notify/dead/"):
        blocked = client.get(path)
        assert (blocked.status_code, blocked["Location"]) == (302, "/directory/two-step/"), path
    me = client.get("/api/v1/me")
    assert me.status_code == 403 and me.json()["error"]["code"] == "two_step_required"
    # The session does not stand in for a token that fails; a real token works as before.
    bogus = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer cd_nothing")
    assert bogus.status_code == 401
    assert ApiClient(cast.admin).get("/me").status_code == 200
    page = client.get("/directory/two-step/")
    assert page.status_code == 200 and 'data-testid="two-step-required"' in page.content.decode()
    # Set up and confirmed: everything opens again, and the next sign-in asks for a code.
    with clock.frozen_at(T):
        client.post("/directory/two-step/setup/")
        device = totp.TOTPDevice.objects.get(user=cast.admin)
        assert client.post("/directory/two-step/confirm/", {"code": code_for(device)}).status_code
    assert client.get("/queue/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    client.post("/logout/")
    assert password_step(client, "admin")["Location"] == "/login/code/"


def test_the_setting_obliges_administrators_only(cast, required):
    client = browser()
    password_step(client, "engineer.b")
    assert client.get("/queue/").status_code == 200
    assert "two-step-required" not in client.get("/directory/two-step/").content.decode()


def test_without_the_setting_administrators_are_not_obliged(cast):
    client = browser()
    password_step(client, "admin")
    assert client.get("/queue/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_after_a_reset_an_obliged_administrator_must_set_up_again(cast, required):
    with clock.frozen_at(T):
        enrolled(cast.admin)
    client = browser()
    client.force_login(cast.admin)
    assert client.get("/queue/").status_code == 200
    totp.reset(actor=None, person=cast.admin)
    assert client.get("/queue/")["Location"] == "/directory/two-step/"
