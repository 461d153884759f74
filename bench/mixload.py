"""The mixed load of bench_scaleout and bench_soak: create + comment + list (1:1:2) over HTTP.

What the load leaves behind is work for `manage.py worker`: every other ticket is a P1, whose
escalation chain's first step (tell the owner) is due at once and whose clocks start; every
comment is public, so the requester's side and two stakeholders hear of it; all of it leaves
as mail to an SMTP sink on loopback (aiosmtpd's Sink, in a process of its own). Web and
worker processes name themselves to PostgreSQL (PGAPPNAME), so a sampler can tell whose
backend waits. Not a benchmark itself (no bench_ prefix): bench/run.py does not run it.
"""

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import ROOT, child_env, percentile  # noqa: E402

WEB_APP, WORKER_APP = "caredesk-web", "caredesk-worker"


# ------------------------------------------------------------------ data (run in a child)


def setup(size: int) -> dict:
    """Migrate, build the wide world with the demo's escalation chains and stakeholders, fill
    `size` tickets, and return what the load needs (a bearer token, the customer's id)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench import datagen
    from caredesk.demo import world as demo_world
    from caredesk.directory.models import ApiToken, Person
    from caredesk.escalation import demo as escalation_demo
    from caredesk.stakeholders import services as stakeholders

    made: dict = {}
    plain = demo_world.build_world

    def keep():  # datagen builds the demo's cast inside; keep it for the chains below
        made.update(plain())
        return made

    demo_world.build_world = keep
    try:
        ids = datagen.build_world()
    finally:
        demo_world.build_world = plain
    escalation_demo.setup(made)
    people, orgs = made["people"], made["orgs"]
    for org, who, branches in [("province", "customer.x", True), ("lakeside", "head.w", False)]:
        stakeholders.add_stakeholder(
            actor=people["admin"],
            organisation=orgs[org],
            person=people[who],
            include_branches=branches,
            subscriptions=["reply", "resolved"],
        )
    datagen.fill(ids, size, label="tickets")
    manager = Person.objects.get(username="manager.a")
    key = ApiToken.new_key()
    ApiToken.objects.create(person=manager, key_hash=ApiToken.hash_key(key), prefix=key[:10])
    return {"token": key, "customer": orgs["lakeside"].pk}


def prepare(db_env: dict, size: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--setup", str(size)],
        env=child_env(db_env),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(out.stdout.split("SETUP ", 1)[1])


# ------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        time.sleep(0.2)
    raise SystemExit(f"{what} did not listen on {port}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def smtp_sink():
    """An SMTP server on loopback that accepts and drops every message; yields its port."""
    port = free_port()
    cmd = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
    proc = subprocess.Popen([*cmd, "-l", f"127.0.0.1:{port}"], stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc, "the SMTP sink")
        yield port
    finally:
        _stop(proc)


def app_env(db_env: dict, smtp_port: int, name: str) -> dict:
    return {
        **child_env(db_env),
        "CAREDESK_LOG_LEVEL": "ERROR",
        "CAREDESK_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CAREDESK_EMAIL_HOST": "127.0.0.1",
        "CAREDESK_EMAIL_PORT": str(smtp_port),
        "PGAPPNAME": name,
    }


@contextlib.contextmanager
def web(db_env: dict, smtp_port: int, workers: int, access_log: str = ""):
    """gunicorn with `workers` sync workers; yields (base URL, the master's Popen). With
    `access_log`, each request's time in the worker (µs) goes to that file, one a line."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "caredesk.wsgi", "-w", str(workers)]
    cmd += ["-b", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"]
    if access_log:
        cmd += ["--access-logfile", access_log, "--access-logformat", "%(D)s"]
    proc = subprocess.Popen(cmd, env=app_env(db_env, smtp_port, WEB_APP), cwd=ROOT)
    try:
        _wait_port(port, proc, "gunicorn")
        yield f"http://127.0.0.1:{port}", proc
    finally:
        _stop(proc)


@contextlib.contextmanager
def workers(db_env: dict, smtp_port: int, count: int):
    cmd = [sys.executable, str(ROOT / "manage.py"), "worker", "--idle", "0.05"]
    env = app_env(db_env, smtp_port, WORKER_APP)
    procs = [
        subprocess.Popen([*cmd, "--name", f"mix{i}"], env=env, cwd=ROOT, stdout=subprocess.PIPE)
        for i in range(count)
    ]
    try:
        for p in procs:
            p.stdout.readline()  # "worker … started"
        yield procs
    finally:
        for p in procs:
            _stop(p)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError(f"no VmRSS for {pid}")


# ------------------------------------------------------------------ the load


def operations(info: dict):
    """One client's cycle: create, comment on what it created, list twice (1:1:2)."""
    body = {
        "customer_org": info["customer"],
        "product": "core",
        "region": "lakeside",
        "title": "基站告警",
        "customer_voice": "今天早上开始基站断网，核心网出现大量告警。",
        "channel": "phone",
    }

    async def cycle(c, n: int, record) -> None:
        severity = "P1" if n % 2 else "P3"
        res = await record("create", c.post("/api/v1/tickets", json={**body, "severity": severity}))
        if res.status_code == 201:
            tid = res.json()["id"]
            comment = {"body": f"进展 {n}：已联系现场。"}
            await record("comment", c.post(f"/api/v1/tickets/{tid}/comments", json=comment))
        for _ in range(2):
            params = {"status": "open", "limit": 25}
            await record("list", c.get("/api/v1/tickets", params=params))

    return {"Authorization": f"Bearer {info['token']}"}, cycle


async def _drive(base, info, clients, seconds, pace, started):
    import httpx

    headers, cycle = operations(info)
    lat: dict[str, list[float]] = {"create": [], "comment": [], "list": []}
    errors: list[str] = []

    async def record(kind, pending):
        t = time.perf_counter()
        res = await pending
        if res.status_code >= 400:
            errors.append(f"{kind} {res.status_code} {res.text[:160]}")
        else:
            lat[kind].append((time.perf_counter() - t) * 1000)
        return res

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as c:
        await cycle(c, 0, lambda kind, p: p)  # warm-up, not counted
        if started:
            started()
        began = time.monotonic()
        end = began + seconds

        async def loop(k: int) -> None:
            n = k
            while time.monotonic() < end:
                t = time.monotonic()
                await cycle(c, n, record)
                n += clients
                if pace:  # a bounded load: at most one cycle per `pace` seconds per client
                    await asyncio.sleep(max(0.0, pace - (time.monotonic() - t)))

        await asyncio.gather(*(loop(k) for k in range(clients)))
        elapsed = time.monotonic() - began
    if errors:
        sys.stderr.write(f"  {len(errors)} errors, first: {errors[0]}\n")
    every = [x for v in lat.values() for x in v]
    return {
        "ops": len(every),
        "rate": len(every) / elapsed,
        "elapsed": elapsed,
        "p50": percentile(every, 50),
        "p95": percentile(every, 95),
        "p99": percentile(every, 99),
        "busy_ms": sum(every),
        "by_kind": {k: (len(v), percentile(v, 95)) for k, v in lat.items()},
        "errors": len(errors),
        "lat": lat,
    }


def drive(base, info, *, clients, seconds, pace=0.0, started=None) -> dict:
    """`clients` loops of the cycle for `seconds`; `started()` is called after the warm-up."""
    return asyncio.run(_drive(base, info, clients, seconds, pace, started))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:
        print("SETUP " + json.dumps(setup(int(sys.argv[2]))))
