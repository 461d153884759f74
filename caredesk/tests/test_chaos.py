"""The crash script at a quick size: timers and robot messages while the worker is SIGKILLed
five times; every timer fires once and every message reaches the receiver (scripts/chaos.py).

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


@pytest.mark.django_db(transaction=True)
def test_worker_killed_five_times_loses_nothing_and_repeats_nothing():
    env = {**os.environ, "DATABASE_URL": ""}
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = database_url()
        connection.close()  # the script flushes the database: hold no connection to it
    command = [sys.executable, str(SCRIPT), "--tickets", "300", "--kills", "5"]
    command += ["--deadline", "50", "--json"]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=90)
    assert run.stdout.strip(), run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["kills"] == 5, figures
    assert figures["timers_pending"] == 0, figures
    assert figures["timers_fired_once"] == 300, figures
    assert figures["timers_repeated"] == 0, figures
    assert figures["messages_lost"] == 0, figures
    # A repeat is allowed only in the crash window (sent, killed before recorded).
    assert figures["messages_delivered_once"] + figures["messages_repeated"] == 300, figures
    assert run.returncode == 0, run.stderr[-3000:]
