"""CareDesk beside django-helpdesk (the peer), over HTTP, on the same PostgreSQL server.

    python bench/bench_peer.py [--quick]

Both run under gunicorn with 2 sync workers and persistent database connections; the load
comes from this process (asyncio + httpx, 4 concurrent clients on loopback, a fixed number of
seconds per operation). The same operations on each side, through each one's own path:
- create a ticket (with its first timeline entry / follow-up) through the REST API;
- the staff list of open tickets, 25 rows: CareDesk's /api/v1/tickets, the peer's
  datatables endpoint behind its ticket list page, both over the same number of tickets;
- view one ticket: the staff ticket page (HTML) of a ticket just created through the API.
Then CareDesk alone with 1 and then 2 workers under a create + comment mix ("many
processes"). Installs the peer under var/bench/peer (bench/peer_project.py), starts its own
PostgreSQL cluster and servers, stops them at the end; writes bench/peer.md.
"""

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import djangofloor, peer_project  # noqa: E402
from bench.common import (  # noqa: E402
    OUT,
    ROOT,
    child_env,
    fresh_database,
    machine_line,
    percentile,
    postgres_server,
    save_rows,
    table,
)

SIZES = {"full": (100_000, 20.0), "quick": (2_000, 3.0)}  # tickets, seconds per operation
CLIENTS, WORKERS = 4, 2
FLOOR_RECORDING = OUT / "peer-floor-recording.pickle"
FLOOR_GOAL = 0.60  # the issue's goal: CareDesk at ≥ 60 % of the bare-Django floor
CREATE_BODY = {
    "product": "core",
    "region": "lakeside",
    "severity": "P3",
    "title": "基站告警",
    "customer_voice": "今天早上开始基站断网，核心网出现大量告警。",
    "channel": "phone",
}


# ------------------------------------------------------------------ CareDesk's data (a child)


def setup_caredesk(size: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from bench import datagen
    from caredesk.directory.models import ApiToken, Person

    world = datagen.build_world()
    datagen.fill(world, size, label="CareDesk tickets")
    manager = Person.objects.get(username="manager.a")
    key = ApiToken.new_key()
    ApiToken.objects.create(person=manager, key_hash=ApiToken.hash_key(key), prefix=key[:10])
    browser = Client()
    browser.force_login(manager)
    lakeside = Person.objects.get(username="customer.y").organisation_id
    session = browser.cookies["sessionid"].value
    info = {"token": key, "session": session, "customer": lakeside}
    OUT.mkdir(parents=True, exist_ok=True)
    info["statements"] = djangofloor.record(
        key, session, {**CREATE_BODY, "customer_org": lakeside}, FLOOR_RECORDING
    )
    print("SETUP " + json.dumps(info))


# ------------------------------------------------------------------ servers and load


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(python: str, app: str, env: dict, cwd, workers: int):
    port = _port()
    cmd = [python, "-m", "gunicorn", app, "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    cmd += ["--timeout", "120", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn for {app} exited with {proc.returncode}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _load(base: str, request, seconds: float, headers: dict) -> dict:
    """`CLIENTS` loops sending `request(client, n)` until the time is up."""
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    results: list = []
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=60, limits=limits
    ) as client:
        await request(client, -1)  # one warm-up call, not counted
        end = time.monotonic() + seconds

        async def loop(k: int):
            n = k
            while time.monotonic() < end:
                t = time.perf_counter()
                res = await request(client, n)
                latencies.append((time.perf_counter() - t) * 1000)
                if res.status_code >= 400:
                    errors.append(f"{res.status_code} {res.text[:200]}")
                else:
                    results.append(res)
                n += CLIENTS

        began = time.monotonic()
        await asyncio.gather(*(loop(k) for k in range(CLIENTS)))
        elapsed = time.monotonic() - began
    if errors:
        sys.stderr.write(f"  {len(errors)} errors, first: {errors[0]}\n")
    return {
        "rate": len(results) / elapsed,
        "latencies": latencies,
        "errors": len(errors),
        "last": results[-1] if results else None,
    }


def measure(base: str, request, seconds: float, headers: dict) -> dict:
    return asyncio.run(_load(base, request, seconds, headers))


def _row(operation, size, ours: dict, theirs: dict | None, baseline_name="django-helpdesk"):
    lat = ours["latencies"]
    return {
        "operation": operation,
        "backend": "PostgreSQL",
        "size": size,
        "caredesk": ours["rate"],
        "unit": "req/s",
        "baseline": theirs["rate"] if theirs else None,
        "baseline_name": baseline_name,
        "ratio": ours["rate"] / theirs["rate"] if theirs and theirs["rate"] else None,
        "p50": percentile(lat, 50),
        "p95": percentile(lat, 95),
        "p99": percentile(lat, 99),
        "errors": ours["errors"] + (theirs["errors"] if theirs else 0),
        "peer_p95": percentile(theirs["latencies"], 95) if theirs else None,
    }


# ------------------------------------------------------------------ the operations


def caredesk_ops(info: dict):
    body = {**CREATE_BODY, "customer_org": info["customer"]}

    async def create(c, n):
        return await c.post("/api/v1/tickets", json={**body, "title": f"基站告警 {n}"})

    async def listing(c, n):
        return await c.get("/api/v1/tickets", params={"status": "open", "limit": 25})

    def view(number):
        async def get(c, n):
            return await c.get(f"/t/{number}/", cookies={"sessionid": info["session"]})

        return get

    async def mix(c, n):
        res = await create(c, n)
        if res.status_code != 201:
            return res
        tid = res.json()["id"]
        return await c.post(f"/api/v1/tickets/{tid}/comments", json={"body": f"进展 {n}"})

    headers = {"Authorization": f"Bearer {info['token']}"}
    return headers, create, listing, view, mix


def floor_op(operation: str):
    async def replay(c, n):
        return await c.post(f"/floor/{operation}")

    return replay


def _floor_row(operation: str, size: str, ours: dict, floor: dict, statements: int) -> dict:
    what = f"  the same {statements} statements and bytes from a bare Django view"
    row = _row(what, size, ours, floor, "bare-Django floor")
    row["floor_p95"] = percentile(floor["latencies"], 95)
    for q in (50, 95, 99):  # this row's latencies are the floor's own
        row[f"p{q}"] = percentile(floor["latencies"], q)
    row["floor_of"] = operation
    return row


def peer_ops(info: dict):
    async def create(c, n):
        return await c.post(
            "/api/tickets/",
            json={
                "queue": info["queue"],
                "title": f"基站告警 {n}",
                "description": "今天早上开始基站断网，核心网出现大量告警。",
                "submitter_email": "customer@example.invalid",
                "priority": 3,
            },
        )

    async def listing(c, n):
        url = f"/datatables_ticket_list/{info['list_query']}"
        params = {"draw": 1, "start": 0, "length": 25}
        return await c.get(url, params=params, cookies={"sessionid": info["session"]})

    def view(ticket_id):
        async def get(c, n):
            return await c.get(f"/tickets/{ticket_id}/", cookies={"sessionid": info["session"]})

        return get

    return {"Authorization": f"Token {info['token']}"}, create, listing, view


def run(quick: bool) -> list[dict]:
    size, seconds = SIZES["quick" if quick else "full"]
    peer_project.install()
    rows: list[dict] = []
    with (
        postgres_server() as server,
        fresh_database("pg", server) as ours_db,
        fresh_database("pg", server) as peer_db,
    ):
        out = subprocess.run(
            [sys.executable, __file__, "--setup", str(size)],
            env=child_env(ours_db),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
            timeout=1800,
        )
        ours_info = json.loads(out.stdout.split("SETUP ", 1)[1])
        peer_env = {**os.environ, "PEER_DATABASE_URL": peer_db["DATABASE_URL"]}
        peer_env["PYTHONPATH"] = str(peer_project.PROJECT)
        # `make` exports CareDesk's settings module; the peer has its own.
        peer_env["DJANGO_SETTINGS_MODULE"] = "peerproj.settings"
        out = subprocess.run(
            [str(peer_project.python()), "setup_data.py", str(size)],
            env=peer_env,
            cwd=peer_project.PROJECT,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
            timeout=1800,
        )
        peer_info = json.loads(out.stdout.strip().splitlines()[-1])
        our_env = {**child_env(ours_db), "CAREDESK_LOG_LEVEL": "ERROR"}
        our_env["CAREDESK_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        o_headers, o_create, o_list, o_view, o_mix = caredesk_ops(ours_info)
        p_headers, p_create, p_list, p_view = peer_ops(peer_info)
        floor_env = {**our_env, "DJANGO_SETTINGS_MODULE": "bench.floor_settings"}
        floor_env[djangofloor.RECORDING_ENV] = str(FLOOR_RECORDING)
        counts = ours_info["statements"]
        label = f"{size:,} tickets, {CLIENTS} clients, {WORKERS} workers"
        py = str(peer_project.python())
        with (
            gunicorn(sys.executable, "caredesk.wsgi", our_env, ROOT, WORKERS) as ours,
            gunicorn(sys.executable, "caredesk.wsgi", floor_env, ROOT, WORKERS) as floor,
            gunicorn(py, "peerproj.wsgi", peer_env, peer_project.PROJECT, WORKERS) as peer,
        ):
            created = measure(ours, o_create, seconds, o_headers)
            bare = measure(floor, floor_op("create"), seconds, {})
            wrote = djangofloor.floor_tickets(ours_db["DATABASE_URL"])
            served = len(bare["latencies"]) - bare["errors"] + 1  # and the warm-up call
            if wrote != served:
                raise SystemExit(f"the floor's creates wrote {wrote} tickets for {served} calls")
            theirs = measure(peer, p_create, seconds, p_headers)
            op = "create a ticket through the API"
            rows.append(_row(op, label, created, theirs))
            rows.append(_floor_row(op, label, created, bare, counts["create"]))
            listed = measure(ours, o_list, seconds, o_headers)
            bare = measure(floor, floor_op("list"), seconds, {})
            theirs_list = measure(peer, p_list, seconds, {})
            op = "staff list of open tickets, 25 rows"
            rows.append(_row(op, label, listed, theirs_list))
            rows.append(_floor_row(op, label, listed, bare, counts["list"]))
            number = created["last"].json()["number"]
            peer_id = theirs["last"].json()["id"]
            viewed = measure(ours, o_view(number), seconds, {})
            bare = measure(floor, floor_op("view"), seconds, {})
            theirs_view = measure(peer, p_view(peer_id), seconds, {})
            op = "view a ticket (staff page)"
            rows.append(_row(op, label, viewed, theirs_view))
            rows.append(_floor_row(op, label, viewed, bare, counts["view"]))
        single = None
        for workers in (1, 2):
            with gunicorn(sys.executable, "caredesk.wsgi", our_env, ROOT, workers) as ours:
                result = measure(ours, o_mix, seconds, o_headers)
            row = _row(
                f"create + comment, {workers} worker{'s' if workers > 1 else ''}",
                f"{CLIENTS} clients",
                result,
                single,
                "1 worker" if single else "",
            )
            row["unit"] = "pairs/s"
            rows.append(row)
            single = single or result
    return rows


def report(rows: list[dict], quick: bool) -> str:
    lines = [
        f"# CareDesk beside django-helpdesk 2.6.1{' (quick sizes)' if quick else ''}",
        "",
        machine_line(),
        "",
        "HTTP through gunicorn (sync workers, persistent connections) on one PostgreSQL 15"
        " server; load from a separate process over loopback. Latencies are CareDesk's"
        " (the floor's in its rows), per request as the client saw it; the peer's p95 is"
        " listed below.",
        "",
        "Each operation has a second baseline, the bare-Django floor (bench/djangofloor.py):"
        " one request of it was recorded through CareDesk's whole stack — every SQL statement"
        " with its parameters and transactions, and the bytes of the answer — and a minimal"
        " view in the same Django (same settings, no middleware, same gunicorn workers) sends"
        " those statements through Django's cursor and answers those bytes. Its ratio reads"
        f' "CareDesk at N × of what Django can do with this work" (goal ≥ {FLOOR_GOAL:.2f}×).',
        "",
        table(rows),
        "",
    ]
    for r in rows:
        if r.get("peer_p95") is not None and r["baseline_name"] == "django-helpdesk":
            lines.append(
                f"- {r['operation']}: peer p95 {r['peer_p95']:.1f} ms; errors {r['errors']}."
            )
        if r.get("floor_p95") is not None:
            verdict = "meets" if r["ratio"] >= FLOOR_GOAL else "misses"
            lines.append(
                f"- {r['floor_of']}: floor p95 {r['floor_p95']:.1f} ms; CareDesk at"
                f" {r['ratio'] * 100:.0f} % of the floor ({verdict} the {FLOOR_GOAL:.0%} goal)."
            )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--setup", type=int)
    args = parser.parse_args()
    if args.setup is not None:
        setup_caredesk(args.setup)
        return
    rows = run(args.quick)
    text = report(rows, args.quick)
    print(text)
    save_rows("peer", rows, quick=args.quick)
    if not args.quick:
        (ROOT / "bench" / "peer.md").write_text(text)


if __name__ == "__main__":
    main()
