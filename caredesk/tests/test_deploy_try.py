"""docs/deploy.md followed on loopback by scripts/deploy-try.sh: PostgreSQL, the systemd units'
ExecStart lines (gunicorn with two processes, two workers), Debian's nginx with the shipped
site and TLS; the demo is served through nginx and a worker fires the probe timers."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _missing() -> str:
    if os.environ.get("DATABASE_URL"):
        return "runs once, in the SQLite pass of make test (it starts a PostgreSQL of its own)"
    for tool in ("nginx", "openssl", "curl", "psql"):
        if not shutil.which(tool):
            return f"{tool} is not installed (apt-get install nginx-light openssl curl)"
    if os.geteuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode:
        return "running as root without a postgres user"
    return ""


@pytest.mark.skipif(bool(_missing()), reason=_missing() or "ready")
def test_the_deployment_serves_the_demo_through_nginx_and_a_worker_fires_a_timer():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREDESK_", "DATABASE_"))}
    env["VENV"] = sys.prefix  # the suite's own virtualenv (CI keeps it outside the checkout)
    with tempfile.TemporaryDirectory(prefix="caredesk-deploy-") as scratch:
        done = subprocess.run(
            ["scripts/deploy-try.sh", scratch, "--demo"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]
    assert '"status": "ready"' in out
    assert "GET /metrics without the token → 404" in out
    assert "caredesk_workers_alive 2.0" in out
    assert "sessionid secure;csrftoken secure;" in out
    assert "timers fired by the workers: done=20 pending=0 repeated=0" in out
    assert "GET /queue/ as engineer.b (the demo) →" in out
    assert out.rstrip().endswith("OK")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    # The units name /srv/caredesk/app and /etc/caredesk: pointed at this checkout, systemd
    # checks every key and the ExecStart binaries (it answers nothing when all is well).
    units = []
    for unit in (ROOT / "deploy" / "systemd").glob("*.service"):
        text = unit.read_text().replace("/srv/caredesk/app/.venv", sys.prefix)
        text = text.replace("/srv/caredesk/app", str(ROOT))
        text = text.replace("/etc/caredesk/caredesk.env", str(ROOT / ".env.example"))
        name = unit.name.replace("@.service", "@1.service")
        (tmp_path / name).write_text(text)
        units.append(str(tmp_path / name))
    assert len(units) == 2
    done = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "" and done.stderr.strip() == "", done.stdout + done.stderr


def test_the_compose_file_runs_web_workers_and_postgres_on_the_images_paths():
    # No docker daemon here: the file is read, not run (docs/deploy.md, "Containers").
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "web", "worker"}
    assert services["worker"]["command"] == ["python", "manage.py", "worker"]
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    # The paths the image prepares win over a caredesk.env copied from .env.example.
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    env = services["web"]["environment"]
    for name in ("CAREDESK_ATTACHMENTS_DIR", "CAREDESK_MEDIA_ROOT", "CAREDESK_STATIC_ROOT"):
        assert f"{name}={env[name]}" in dockerfile
    assert env["DATABASE_URL"].startswith("postgres://caredesk:")
    assert "USER caredesk" in dockerfile  # not root
