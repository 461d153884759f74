"""Repeated wrong passwords lock one username from one address out, on /login/ and on
/admin/login/, and the page says why and until when (django-axes)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from caredesk.demo.world import DEMO_PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT


def client_from(address: str, lang: str = "en") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = lang
    return client


def sign_in(client, username, password, path="/login/"):
    return client.post(path, {"username": username, "password": password})


def fail(client, username, times, path="/login/"):
    return [sign_in(client, username, "wrong", path).status_code for _ in range(times)]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_limit_and_cooloff_are_sane():
    assert 3 <= LIMIT <= 10
    assert dt.timedelta(minutes=5) <= settings.AXES_COOLOFF_TIME <= dt.timedelta(hours=1)


def test_repeated_wrong_passwords_lock_out_even_the_right_one(cast):
    client = client_from("10.0.0.7")
    assert fail(client, "engineer.b", LIMIT - 1) == [200] * (LIMIT - 1)
    last = sign_in(client, "engineer.b", "wrong")
    assert last.status_code == 429
    page = last.content.decode()
    assert 'data-testid="lockout"' in page
    assert "Too many wrong passwords for engineer.b from this address." in page
    assert 'name="password"' in page  # still the sign-in page, not a bare 403

    res = sign_in(client, "engineer.b", DEMO_PASSWORD)
    assert res.status_code == 429
    assert not signed_in(client)


def test_lockout_is_per_username_and_address(cast):
    fail(client_from("10.0.0.7"), "engineer.b", LIMIT)
    # The same person from another address, and a colleague from the same one, sign in.
    other_address = client_from("10.0.0.8")
    assert sign_in(other_address, "engineer.b", DEMO_PASSWORD).status_code == 302
    colleague = client_from("10.0.0.7")
    assert sign_in(colleague, "engineer.c", DEMO_PASSWORD).status_code == 302
    assert signed_in(other_address) and signed_in(colleague)


def test_a_success_resets_the_count(cast):
    client = client_from("10.0.0.7")
    fail(client, "engineer.b", LIMIT - 1)
    assert sign_in(client, "engineer.b", DEMO_PASSWORD).status_code == 302
    client.logout()
    assert fail(client, "engineer.b", LIMIT - 1) == [200] * (LIMIT - 1)
    assert sign_in(client, "engineer.b", DEMO_PASSWORD).status_code == 302


def test_lock_lifts_after_the_cooloff(cast):
    client = client_from("10.0.0.7")
    fail(client, "engineer.b", LIMIT)
    assert sign_in(client, "engineer.b", DEMO_PASSWORD).status_code == 429
    # The last try is older than the cool-off (axes compares against its own attempt time).
    AccessAttempt.objects.update(
        attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )
    assert sign_in(client, "engineer.b", DEMO_PASSWORD).status_code == 302


def test_admin_login_is_locked_out_too(cast):
    client = client_from("10.0.0.9")
    fail(client, "admin", LIMIT, path="/admin/login/")
    res = sign_in(client, "admin", DEMO_PASSWORD, path="/admin/login/")
    assert res.status_code == 429
    assert "Too many wrong passwords for admin from this address." in res.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Sign-in is locked for now"), ("zh-hans", "登录已暂时锁定")]
)
def test_lockout_page_in_the_readers_language(cast, lang, words):
    client = client_from("10.0.0.7", lang=lang)
    fail(client, "customer.y", LIMIT - 1)
    res = sign_in(client, "customer.y", "wrong")
    assert res.status_code == 429
    assert words in res.content.decode()


def behind_proxy(client_address: str, claimed: str = "") -> Client:
    # nginx appends the address it saw to whatever the client sent.
    hops = f"{claimed}, {client_address}" if claimed else client_address
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=hops)


@override_settings(TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_lockout_follows_the_client_not_the_proxy(cast):
    fail(behind_proxy("203.0.113.5"), "engineer.b", LIMIT)
    # Another client behind the same proxy signs in as engineer.b: not locked out.
    assert sign_in(behind_proxy("198.51.100.7"), "engineer.b", DEMO_PASSWORD).status_code == 302
    # The locked client cannot escape by claiming another address in front.
    spoofer = behind_proxy("203.0.113.5", claimed="198.51.100.7")
    assert sign_in(spoofer, "engineer.b", DEMO_PASSWORD).status_code == 429


def test_without_trusted_proxies_forwarded_for_is_ignored(cast):
    fail(behind_proxy("203.0.113.5"), "engineer.b", LIMIT)
    assert sign_in(behind_proxy("198.51.100.7"), "engineer.b", DEMO_PASSWORD).status_code == 429


@override_settings(TRUSTED_PROXIES=1)
def test_a_forwarded_for_that_is_no_address_counts_as_the_proxy(cast):
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert fail(client, "engineer.b", 1) == [200]
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"
