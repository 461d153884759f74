"""Opening a ticket in-process (the service call, no HTTP) beside the raw-database floor.

    python bench/bench_floor.py [--quick]

The floor writes the same rows in the same transactions with the bare driver (sqlite3 in WAL
with synchronous=NORMAL and an IMMEDIATE transaction; psycopg on one connection): the writes
are recorded from one real open_ticket() (ticket, number sequence, timeline entry, outbox
messages, search words, audit record) and replayed with fresh keys. What the floor leaves out
is everything that is not a write: permission checks, routing, recipients, rendering, Django
itself (the audit record is a plain insert: the worker seals it later). For PostgreSQL,
`pgbench` (TPC-B, 4 clients) is shown too, as the server's own ceiling on this machine.
Starts its own PostgreSQL cluster; writes bench/floor.md.
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (  # noqa: E402
    ROOT,
    child_env,
    fresh_database,
    machine_line,
    percentile,
    postgres_server,
    save_rows,
    table,
)

SIZES = {"full": 3000, "quick": 150}
GOALS = {"SQLite": 0.25, "PostgreSQL": 0.50}  # the goals, as a share of the floor
INSERT = re.compile(r'^INSERT (?:OR IGNORE )?INTO "(\w+)" \((.*?)\) (?:VALUES|SELECT)', re.S)
UPDATE = re.compile(r'^UPDATE "(\w+)"')


# ------------------------------------------------------------------ inside a child process


def build_world():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from caredesk.demo.world import build_world

    return build_world()


def _open(world, i: int):
    from caredesk.tickets import services

    p, o = world["people"], world["orgs"]
    return services.open_ticket(
        actor=p["customer.y"],
        customer_org=o["lakeside"],
        product=world["products"]["core"],
        region=world["regions"]["lakeside"],
        severity="P3",
        channel="portal",
        title=f"基站告警 {i}",
        customer_voice="今天早上开始基站断网，核心网出现大量告警，用户无法上网。",
    )


def record_writes(world) -> tuple[list[tuple[str, list]], int]:
    """The INSERT and UPDATE statements of one open_ticket(), with their parameters."""
    from django.db import connection

    writes: list[tuple[str, list]] = []

    def spy(execute, sql, params, many, context):
        if sql.startswith(("INSERT", "UPDATE")):
            writes.append((sql, list(params or [])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        ticket = _open(world, -1)
    return writes, ticket.pk


def caredesk_rate(world, n: int) -> tuple[float, list[float]]:
    timings = []
    began = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        _open(world, i)
        timings.append((time.perf_counter() - t) * 1000)
    return n / (time.perf_counter() - began), timings


def _fresh(sql: str, params: list, ticket_id: int, new_id: int | None, i: int):
    """The recorded statement's parameters with new keys for ticket number `i`."""
    m = INSERT.match(sql)
    if not m:
        return params
    columns = [c.strip().strip('"') for c in m.group(2).split(",")]

    def fresh(column, value):
        if column == "ticket_id":
            return new_id
        if column == "object_id" and value == str(ticket_id):
            return str(new_id)
        if column == "number":
            return f"F{i}-{value}"[:20]
        if column == "idempotency_key":
            return f"floor:{i}:{value}"
        return value

    if "UNNEST" in sql:  # PostgreSQL's bulk insert: one array per column
        return [[fresh(c, v) for v in values] for c, values in zip(columns, params, strict=True)]
    # A multi-row VALUES list repeats the columns.
    return [fresh(columns[k % len(columns)], v) for k, v in enumerate(params)]


def floor_rate(writes, ticket_id: int, n: int, backend: str) -> tuple[float, list[float]]:
    from django.conf import settings

    if backend == "SQLite":
        conn = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
        conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        conn.execute("PRAGMA foreign_keys=ON")
        mark, begin = "?", "BEGIN IMMEDIATE"
    else:
        import psycopg

        conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        mark, begin = "%s", "BEGIN"
    statements = [(sql.replace("%s", mark), params) for sql, params in writes]
    timings = []
    began = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        conn.execute(begin)
        new_id = None
        for sql, params in statements:
            cur = conn.execute(sql, _fresh(sql, params, ticket_id, new_id, i))
            if "RETURNING" in sql:
                row = cur.fetchone()
                if sql.startswith('INSERT INTO "tickets_ticket"'):
                    new_id = row[0]
        conn.execute("COMMIT")
        timings.append((time.perf_counter() - t) * 1000)
    rate = n / (time.perf_counter() - began)
    conn.close()
    return rate, timings


def _row(operation, backend, size, value, unit, baseline, baseline_name, timings=None):
    return {
        "operation": operation,
        "backend": backend,
        "size": size,
        "caredesk": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "ratio": (value / baseline) if baseline else None,
        "p50": percentile(timings, 50) if timings else None,
        "p95": percentile(timings, 95) if timings else None,
        "p99": percentile(timings, 99) if timings else None,
    }


def child(backend: str, quick: bool) -> None:
    n = SIZES["quick" if quick else "full"]
    world = build_world()
    for i in range(20):  # warm caches, the number sequence, jieba's dictionary
        _open(world, -100 - i)
    writes, ticket_id = record_writes(world)
    floor, floor_ms = floor_rate(writes, ticket_id, n, backend)
    ours, our_ms = caredesk_rate(world, n)
    # The same verb with nothing subscribed to its event (no clocks, outbox rows, search
    # words): how much of the cost is the floors above the core.
    from caredesk import events

    saved = list(events._subscribers)
    events._subscribers.clear()
    try:
        bare, bare_ms = caredesk_rate(world, n)
    finally:
        events._subscribers.extend(saved)
    unknown = [s for s, _p in writes if not (INSERT.match(s) or UPDATE.match(s))]
    assert not unknown, unknown
    tables = sorted({(INSERT.match(s) or UPDATE.match(s)).group(1) for s, _p in writes})
    size = f"{n:,} tickets, {len(writes)} writes each"
    rows = [
        _row(
            "open ticket in-process (service call)",
            backend,
            size,
            ours,
            "tickets/s",
            floor,
            "raw driver floor",
            our_ms,
        ),
        _row("  the floor itself", backend, size, floor, "tickets/s", None, "", floor_ms),
        _row(
            "  open ticket, no event subscribers",
            backend,
            f"{n:,} tickets",
            bare,
            "tickets/s",
            floor,
            "raw driver floor",
            bare_ms,
        ),
    ]
    rows[0]["goal_share"] = GOALS[backend]
    rows[0]["tables"] = tables
    print("ROWS " + json.dumps(rows))


# ------------------------------------------------------------------ the parent


def pgbench(server: str, quick: bool) -> dict | None:
    tool = subprocess.run(
        [str(ROOT / "scripts" / "pg-bin"), "pgbench"], capture_output=True, text=True
    ).stdout.strip()
    if not tool:
        return None
    seconds = 3 if quick else 15
    subprocess.run([tool, "-i", "-s", "1", "-q", server], capture_output=True, check=True)
    out = subprocess.run(
        [tool, "-c", "4", "-j", "2", "-T", str(seconds), server],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    row = _row(
        "pgbench TPC-B, 4 clients (server ceiling)",
        "PostgreSQL",
        f"{seconds} s",
        tps,
        "tps",
        None,
        "",
    )
    row["p50"] = float(latency.group(1)) if latency else None
    return row


def run(quick: bool) -> list[dict]:
    rows: list[dict] = []
    with postgres_server() as server:
        for backend, key in (("SQLite", "sqlite"), ("PostgreSQL", "pg")):
            with fresh_database(key, server) as db_env:
                args = [sys.executable, __file__, "--child", backend] + (
                    ["--quick"] if quick else []
                )
                out = subprocess.run(
                    args,
                    env=child_env(db_env),
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=1200,
                )
                lines = [ln for ln in out.stdout.splitlines() if ln.startswith("ROWS ")]
                if out.returncode or not lines:
                    sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
                    raise SystemExit(f"floor benchmark on {backend} failed")
                rows += json.loads(lines[-1][5:])
            if key == "pg":
                with fresh_database("pg", server) as db_env:
                    bench_row = pgbench(db_env["DATABASE_URL"], quick)
                    if bench_row:
                        rows.append(bench_row)
    return rows


def report(rows: list[dict], quick: bool) -> str:
    notes = []
    for r in rows:
        if "goal_share" in r:
            share = r["ratio"]
            verdict = "meets" if share >= r["goal_share"] else "misses"
            notes.append(
                f"- {r['backend']}: CareDesk opens tickets at {share:.0%} of the floor's rate "
                f"({verdict} the goal of {r['goal_share']:.0%}). Tables written: "
                f"{', '.join(r['tables'])}."
            )
    return "\n".join(
        [
            f"# Create vs the raw-database floor{' (quick sizes)' if quick else ''}",
            "",
            machine_line(),
            "",
            table(rows),
            "",
            *notes,
            "",
            "The floor replays the very INSERT/UPDATE statements one open_ticket() sent, with"
            " new keys, in one transaction per ticket on a bare driver connection; latencies"
            " are per ticket.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.quick)
        return
    rows = run(args.quick)
    text = report(rows, args.quick)
    print(text)
    save_rows("floor", rows, quick=args.quick)
    if not args.quick:
        (ROOT / "bench" / "floor.md").write_text(text)


if __name__ == "__main__":
    main()
