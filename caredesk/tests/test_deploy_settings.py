"""Security headers on every answer, and the deployment settings: `check --deploy` passes
with production settings, and production refuses to start with the development key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Not the test run's own switches (CAREDESK_*, and the browser tests' async permission).
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CAREDESK_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(env)
    clean["CAREDESK_SQLITE_PATH"] = os.environ.get("CAREDESK_SQLITE_PATH", "/tmp/cd-check.db")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "CAREDESK_PRODUCTION": "1",
    "CAREDESK_ALLOWED_HOSTS": "desk.example.org",
    "CAREDESK_SITE_URL": "https://desk.example.org",
    "CAREDESK_EMAIL_HOST": "smtp.example.org",
    "CAREDESK_AUDIT_KEY": secrets.token_urlsafe(48),
}


def test_check_deploy_passes_with_production_settings():
    done = _manage("check", "--deploy", CAREDESK_SECRET_KEY=secrets.token_urlsafe(64), **PRODUCTION)
    if done.returncode != 0:
        Path("/tmp/deploy-check-failure.txt").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert "System check identified no issues" in out
    assert "WARNINGS" not in out and "HINT" not in out


def test_production_refuses_the_development_key():
    for key in ("", "caredesk-development-only-not-for-production", "short"):
        done = _manage("check", CAREDESK_SECRET_KEY=key, **PRODUCTION)
        assert done.returncode != 0
        assert "CAREDESK_SECRET_KEY" in done.stderr


def test_production_names_every_required_variable_that_is_missing():
    key = secrets.token_urlsafe(64)
    bare = {"CAREDESK_PRODUCTION": "1", "CAREDESK_SECRET_KEY": key}
    done = _manage("check", **bare)
    assert done.returncode != 0
    # One message naming all of them, not one at a time.
    for name in ("CAREDESK_AUDIT_KEY", "CAREDESK_ALLOWED_HOSTS", "CAREDESK_SITE_URL"):
        assert name in done.stderr
    assert "CAREDESK_SECRET_KEY," not in done.stderr  # the one given is not named
    assert ".env.example" in done.stderr
    for name in ("CAREDESK_ALLOWED_HOSTS", "CAREDESK_SITE_URL"):
        done = _manage("check", CAREDESK_SECRET_KEY=key, **{**PRODUCTION, name: ""})
        assert done.returncode != 0 and name in done.stderr


def test_production_wants_the_https_address():
    key = secrets.token_urlsafe(64)
    plain = {**PRODUCTION, "CAREDESK_SITE_URL": "http://desk.example.org"}
    done = _manage("check", CAREDESK_SECRET_KEY=key, **plain)
    assert done.returncode != 0
    assert "CAREDESK_SITE_URL must be the https://" in done.stderr


def test_production_refuses_the_moved_clock_of_crash_runs():
    key = secrets.token_urlsafe(64)
    done = _manage(
        "check", CAREDESK_SECRET_KEY=key, CAREDESK_CLOCK_OFFSET_FILE="/tmp/offset", **PRODUCTION
    )
    assert done.returncode != 0
    assert "CAREDESK_CLOCK_OFFSET_FILE" in done.stderr


def test_pages_carry_the_security_headers(client, cast):
    client.force_login(cast.b)
    res = client.get("/queue/")
    assert res.status_code == 200
    csp = res["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline or foreign script
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in res["Permissions-Policy"]
    assert res["X-Content-Type-Options"] == "nosniff"
    assert res["Referrer-Policy"] == "same-origin"
    assert "no-store" in res["Cache-Control"]


def test_authenticated_api_answers_are_not_stored(cast, api):
    res = api(cast.b).get("/tickets")
    assert res.status_code == 200
    assert "no-store" in res["Cache-Control"]
    assert "Content-Security-Policy" in res
