"""scripts/serve.sh (what `make run` runs) keeps serving when the worker dies: the worker is
started again with a growing pause, Ctrl-C stops both, and the server's end ends the script.

The script runs for real, in its own process group; only the Python it is given is a stand-in
(a tiny HTTP server for `runserver`, a worker that exits or sleeps), so each test takes seconds
and none needs a database.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from caredesk.notify.tests.receivers import free_port

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "serve.sh"

# Stands in for `.venv/bin/python manage.py …`; each start is logged as "<command> <pid> <time>".
FAKE_PYTHON = """\
import http.server, os, sys, time
log, mode = os.environ["FAKE_LOG"], os.environ["FAKE_MODE"]
command = sys.argv[2]
with open(log, "a") as f:
    f.write(f"{command} {os.getpid()} {time.time()}\\n")
if os.environ.get("FAKE_AM_LOG"):
    with open(os.environ["FAKE_AM_LOG"], "a") as f:
        f.write(f"{command} {os.environ.get('ALERTMANAGER_URL', '-')}\\n")
if command == "worker":
    if mode == "crashing-worker":
        sys.exit(3)
    time.sleep(60)
if command == "runserver":
    if mode == "server-exits":
        time.sleep(0.5)
        sys.exit(4)
    host, port = sys.argv[-1].rsplit(":", 1)
    http.server.HTTPServer((host, int(port)), http.server.SimpleHTTPRequestHandler).serve_forever()
"""

# How long a stop may take: an upper bound, not a speed check (a loaded CI machine took over
# 5 s to end the runserver child after Ctrl-C).
STOP_WAIT = 30


def _as_from_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(
    tmp_path: Path, mode: str, port: int, *before: str, env_extra: dict | None = None
) -> tuple[subprocess.Popen, Path]:
    fake = tmp_path / "python"
    fake.write_text(f"#!{sys.executable}\n{FAKE_PYTHON}")
    fake.chmod(0o755)
    log = tmp_path / "starts.log"
    log.touch()
    env = {**os.environ, "FAKE_LOG": str(log), "FAKE_MODE": mode, "WORKER_BACKOFF_MAX": "2"}
    # The demo's Alertmanager only where a test asks for it (handover).
    env["CAREDESK_DEMO_ALERTMANAGER"] = "0"
    env.pop("ALERTMANAGER_URL", None)
    env.update(env_extra or {})
    proc = subprocess.Popen(
        ["bash", str(SCRIPT), str(fake), "127.0.0.1", str(port), *before],
        # Started as from a terminal, with SIGINT's default action: a pytest-xdist worker
        # ignores SIGINT, its children inherit that, and a shell cannot trap a signal ignored
        # on entry, so without this the script never saw the test's Ctrl-C and hung.
        preexec_fn=_as_from_a_terminal,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, log


def _starts(log: Path, command: str) -> list[tuple[int, float]]:
    rows = [line.split() for line in log.read_text().splitlines()]
    return [(int(pid), float(at)) for cmd, pid, at in rows if cmd == command]


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _serves(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _kill_group(proc: subprocess.Popen) -> None:
    if not _group_gone(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=STOP_WAIT)


def test_crashed_worker_restarted_with_growing_pause_while_server_keeps_serving(tmp_path):
    port = free_port()
    proc, log = _start(tmp_path, "crashing-worker", port)
    try:
        assert _wait_for(lambda: len(_starts(log, "worker")) >= 3, timeout=8)
        assert proc.poll() is None
        assert _serves(port)
        (first, second, third) = [at for _, at in _starts(log, "worker")[:3]]
        # Pauses of 1 s, then 2 s (doubled, at the cap the test sets); a start takes a moment
        # of its own, so only the first pause's upper end is pinned, below the second's.
        assert 0.95 <= second - first < 1.95 <= third - second < 4
        assert len(_starts(log, "runserver")) == 1  # the same server throughout
        # Ctrl-C: the terminal sends SIGINT to the whole process group.
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=STOP_WAIT) == 130
        assert _wait_for(lambda: _group_gone(proc.pid), timeout=3)
        assert "the worker exited (status 3)" in proc.stderr.read()
    finally:
        _kill_group(proc)


def test_server_exit_ends_script_and_stops_worker(tmp_path):
    proc, log = _start(tmp_path, "server-exits", free_port())
    try:
        assert proc.wait(timeout=STOP_WAIT) == 4
        ((worker_pid, _),) = _starts(log, "worker")
        assert _wait_for(lambda: not _alive(worker_pid), timeout=3)
        assert _wait_for(lambda: _group_gone(proc.pid), timeout=3)
    finally:
        _kill_group(proc)


# ---- handover
def test_demo_alertmanager_started_for_seed_web_and_worker_and_stopped_on_exit(tmp_path):
    """`make run`: the demo's Alertmanager comes up first, the seed, the server and the worker
    are given its URL, and Ctrl-C stops it with them."""
    am_log = tmp_path / "am.log"
    port = free_port()
    proc, log = _start(
        tmp_path,
        "sleeping-worker",
        port,
        "seed_demo",
        env_extra={"CAREDESK_DEMO_ALERTMANAGER": "1", "FAKE_AM_LOG": str(am_log)},
    )
    try:
        assert _wait_for(lambda: _serves(port) and _starts(log, "worker"), timeout=20)
        seen = dict(line.split() for line in am_log.read_text().splitlines())
        assert set(seen) == {"seed_demo", "worker", "runserver"}
        url = seen["seed_demo"]
        assert url.startswith("http://127.0.0.1:") and set(seen.values()) == {url}
        with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
            assert answer.status == 200
        assert _starts(log, "seed_demo")[0][1] < _starts(log, "runserver")[0][1]
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=STOP_WAIT)
        assert _wait_for(lambda: not (tmp_path / "var" / "alertmanager").exists(), timeout=5)
        try:
            urllib.request.urlopen(f"{url}/-/ready", timeout=1)
            stopped = False
        except OSError:
            stopped = True
        assert stopped
    finally:
        _kill_group(proc)
