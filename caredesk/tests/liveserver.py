"""A real CareDesk web server in processes of its own, for tests that must reach it over HTTP.

gunicorn, as docs/operations.md deploys it (several worker processes, here with threads in
each so one process also serves requests side by side), on a loopback socket the test binds
itself and hands over, serving the database the test process uses. Only PostgreSQL's test
database is reachable from another process (SQLite's lives in the test process's memory).
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
from django.conf import settings
from django.db import connection

DEADLINE = 60  # seconds: starting, and every wait on the server, is bounded by this


@dataclass(frozen=True)
class LiveServer:
    url: str
    workers: int
    threads: int  # per worker: at most workers × threads requests are served at once
    log: Path  # the server's own output (tracebacks of any 500 land here)
    pid: int  # gunicorn's master process (its workers are its children)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]


def database_url() -> str:
    """The test process's database (the test database, once pytest-django made it) as a URL."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT']}/{quote(db['NAME'], safe='')}"


def _wait_until_serving(proc: subprocess.Popen, url: str, log: Path) -> None:
    end = time.monotonic() + DEADLINE
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < end:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if client.get(f"{url}/healthz").status_code == 200:
                    return
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz in {DEADLINE} s:\n{log.read_text()}")


@contextlib.contextmanager
def serving(
    folder: Path, *, workers: int = 2, threads: int = 16, env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """gunicorn serving this test run's database until the block ends (then stopped)."""
    # The socket is bound here and inherited, so no other process can take the port between
    # choosing it and the server's start.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    port = listener.getsockname()[1]
    log = folder / "gunicorn.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caredesk.settings",
        "DATABASE_URL": database_url(),
        # The audit trail's key and checkpoints are the test run's, not var/'s.
        "CAREDESK_AUDIT_KEY": settings.AUDIT_KEY,
        "CAREDESK_AUDIT_CHECKPOINTS": str(folder / "audit-checkpoints.log"),
        **(env or {}),
    }
    command = [sys.executable, "-m", "gunicorn", "caredesk.wsgi"]
    command += ["-k", "gthread", "-w", str(workers), "--threads", str(threads)]
    command += ["-b", f"fd://{listener.fileno()}", "--timeout", str(DEADLINE)]
    command += ["--graceful-timeout", "10", "--log-level", "warning"]
    with log.open("w") as out:
        proc = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
    listener.close()  # the server holds its own copy
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(proc, url, log)
        yield LiveServer(url=url, workers=workers, threads=threads, log=log, pid=proc.pid)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
