"""CareDesk behind nginx on another port (deploy/nginx/caredesk.conf): the sign-in form posts
from the site's own origin, and /metrics' allow-list sees the client, not the proxy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

# What nginx passes on for https://desk.example.test:8443/ (proxy_set_header Host $host).
PROXIED = {
    "HTTP_HOST": "desk.example.test",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_FOR": "198.51.100.23",
    "REMOTE_ADDR": "127.0.0.1",
}


def _settings_value(expression: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CAREDESK_")}
    clean.update(env)
    done = subprocess.run(
        [sys.executable, "-c", f"from caredesk import settings as s; print({expression})"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_site_urls_origin_is_a_trusted_origin():
    value = _settings_value(
        "s.CSRF_TRUSTED_ORIGINS",
        CAREDESK_SITE_URL="https://desk.example.test:8443/",
        CAREDESK_CSRF_TRUSTED_ORIGINS="https://other.example.test",
    )
    assert value == "['https://desk.example.test:8443', 'https://other.example.test']"


def _sign_in(origin: str) -> int:
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/login/", **PROXIED)
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    res = browser.post(
        "/login/",
        {"username": "engineer.b", "password": "caredesk-demo", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=origin,
        HTTP_REFERER=f"{origin}/login/",
        **PROXIED,
    )
    return res.status_code


def test_a_sign_in_through_the_proxy_on_another_port_passes_the_csrf_check(cast, settings):
    settings.ALLOWED_HOSTS = ["desk.example.test"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True
    cast.b.set_password("caredesk-demo")
    cast.b.save()
    # Without the site's origin trusted, the browser's Origin (with :8443) is not the Host.
    settings.CSRF_TRUSTED_ORIGINS = []
    assert _sign_in("https://desk.example.test:8443") == 403
    settings.CSRF_TRUSTED_ORIGINS = ["https://desk.example.test:8443"]
    assert _sign_in("https://desk.example.test:8443") == 302  # signed in, sent on
    assert _sign_in("https://evil.example.test") == 403  # another site's form still is not


def test_metrics_allow_list_sees_the_client_through_the_trusted_proxy(cast, settings):
    # nginx connects from loopback, which the default allow-list answers: counting the proxy's
    # address would open /metrics to the whole internet.
    settings.ALLOWED_HOSTS = ["desk.example.test"]
    settings.TRUSTED_PROXIES = 1
    assert Client().get("/metrics", **PROXIED).status_code == 404
    settings.METRICS_ALLOW = ["198.51.100.0/24"]
    assert Client().get("/metrics", **PROXIED).status_code == 200
    # Without a proxy in front the connection's own address counts, as before.
    settings.TRUSTED_PROXIES = 0
    settings.METRICS_ALLOW = ["127.0.0.1/32"]
    assert Client().get("/metrics", **PROXIED).status_code == 200


def test_probes_are_answered_over_plain_http_when_pages_redirect_to_https(cast, settings):
    settings.SECURE_SSL_REDIRECT = True
    direct = Client()  # gunicorn's own port, no proxy headers
    assert direct.get("/healthz").status_code == 200
    assert direct.get("/readyz").status_code in {200, 503}  # answered, ready or not
    login = direct.get("/login/")
    assert login.status_code == 301 and login["Location"].startswith("https://")
    assert direct.get("/metrics").status_code == 301  # a token never travels in clear
