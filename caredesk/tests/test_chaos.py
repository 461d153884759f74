"""The crash script at quick sizes (scripts/chaos.py): the worker SIGKILLed five times while
(1) bare timers and robot messages, and (2) real tickets with the demo's clocks and escalation
chains, their emails (a real SMTP server) and SMS and WeCom messages (the local receiver, down
for ten simulated minutes) are due; every timer fires once and every message arrives.

On SQLite the script makes its own database file (the test database lives in memory); on
PostgreSQL it runs on this test run's database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from caredesk.tests.liveserver import database_url

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "chaos.py"


def _run(*args: str, timeout: int) -> dict:
    env = {**os.environ, "DATABASE_URL": ""}
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = database_url()
        connection.close()  # the script flushes the database: hold no connection to it
    command = [sys.executable, str(SCRIPT), *args, "--json"]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    assert run.stdout.strip(), run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert run.returncode == 0, (figures, run.stderr[-3000:])
    return figures


@pytest.mark.django_db(transaction=True)
def test_worker_killed_five_times_loses_nothing_and_repeats_nothing():
    size = ["--tickets", "300", "--kills", "5", "--speed", "60", "--outage", "120"]
    figures = _run("--load", "probes", *size, "--horizon", "0", "--deadline", "120", timeout=180)
    assert figures["kills"] == 5, figures
    assert figures["timers_pending"] == 0, figures
    assert figures["timers_fired_once"] == 300, figures
    assert figures["timers_repeated"] == 0, figures
    assert figures["messages_lost"] == 0, figures
    # A repeat is allowed only in the crash window (sent, killed before recorded).
    assert figures["messages_delivered_once"] + figures["messages_repeated"] == 300, figures


@pytest.mark.django_db(transaction=True)
def test_tickets_escalate_and_tell_once_through_kills_and_a_ten_minute_outage():
    size = ["--tickets", "60", "--kills", "5", "--speed", "60", "--outage", "600"]
    figures = _run("--load", "tickets", *size, "--horizon", "900", "--deadline", "240", timeout=330)
    assert figures["kills"] == 5, figures
    assert figures["tickets"] == 60 and figures["chains"] >= 60, figures
    # Every step due fired (or was caught up under one that did) once, with one entry.
    assert figures["steps_fired"] > 60, figures
    assert figures["escalation_entries"] == figures["steps_fired"], figures
    assert figures["escalation_entries_repeated"] == 0, figures
    assert figures["timers_pending"] == 0, figures
    # The outage refused robot messages; each arrived after it, by email, SMS and WeCom alike.
    assert figures["attempts"].get("retry", 0) > 0, figures
    assert set(figures["messages_by_channel"]) == {"email", "sms", "wecom"}, figures
    assert figures["messages_lost"] == 0 and figures["messages_pending"] == 0, figures
    assert figures["messages_dead"] == 0, figures
    sent = figures["messages_delivered_once"] + figures["messages_repeated"]
    assert sent == figures["messages"], figures


class _Wall:
    """The wall clock the script reads, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_moved_clock_runs_fast_from_the_start_of_the_run_not_from_its_setup(monkeypatch, tmp_path):
    import importlib.util

    from caredesk import clock

    spec = importlib.util.spec_from_file_location("chaos_script", SCRIPT)
    chaos = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(chaos)
    wall = _Wall()
    monkeypatch.setattr(chaos, "time", wall)
    monkeypatch.setattr(clock, "_OFFSET_FILE", str(tmp_path / "offset"))
    moved = chaos.MovedClock(speed=60.0)
    wall.now += 30.0  # setting up the world and the load: the clock is not running fast yet
    moved.start()
    wall.now += 10.0  # ten seconds of the run at 60×
    moved.tick()
    assert moved.simulated() == pytest.approx(600.0)
    assert moved.offset == pytest.approx(590.0)
    assert float((tmp_path / "offset").read_text()) == pytest.approx(590.0)
    moved.stop(jump=3600.0)
    wall.now += 5.0  # once stopped, one simulated second a second
    moved.tick()
    assert moved.simulated() == pytest.approx(600.0 + 3600.0 + 5.0)
