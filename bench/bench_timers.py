"""Durable timers: fire rate, tick cost at scale (beside a naive scan of open tickets), and
lateness under a steady load — on SQLite and PostgreSQL, in one run.

    python bench/bench_timers.py [--quick]

Starts its own PostgreSQL cluster (scripts/testpg.sh) and SQLite files, runs real
`manage.py worker` processes, and writes bench/timers.md plus var/bench/timers.json.
"""

import argparse
import json
import os
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
    start_workers,
    stop_workers,
    table,
)

FULL = {
    "fire": 100_000,
    "scale": (10_000, 1_000_000),
    "late_seconds": 20,
    "rate": 200,
    "p1_tickets": 1_000,
}
QUICK = {"fire": 5_000, "scale": (1_000, 20_000), "late_seconds": 4, "rate": 200, "p1_tickets": 50}
GOAL_STEPS_PER_S = 5_000  # the goal for PostgreSQL with 3 workers
DEADLINE = 600


# ------------------------------------------------------------------ inside a child process


def _setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _probes(n: int, due_in: float = 0.0) -> None:
    import datetime as dt

    from caredesk import clock
    from caredesk.timers.models import DueAction
    from caredesk.timers.services import PROBE

    due = clock.now() + dt.timedelta(seconds=due_in)
    DueAction.objects.bulk_create(
        [DueAction(kind=PROBE, subject=f"p{i}", due_at=due) for i in range(n)], batch_size=5000
    )


def _reset() -> None:
    """An empty database again (every table but the migrations' own)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def fire_rate(backend: str, n: int, workers: int) -> dict:
    from django.db.models import Max, Min

    from caredesk.timers.models import ProbeEffect

    _reset()
    _probes(n)
    db_env = {k: os.environ[k] for k in ("DATABASE_URL", "CAREDESK_SQLITE_PATH") if k in os.environ}
    procs = start_workers(db_env, workers, "--batch", "500", "--idle", "0.1")
    end = time.monotonic() + DEADLINE
    try:
        while ProbeEffect.objects.count() < n and time.monotonic() < end:
            time.sleep(0.2)
    finally:
        stop_workers(procs)
    span = ProbeEffect.objects.aggregate(a=Min("at"), b=Max("at"))
    seconds = max((span["b"] - span["a"]).total_seconds(), 1e-6)
    done = ProbeEffect.objects.count()
    row = _steps_row("timers fired", workers, backend, f"{n:,} due at once", done / seconds)
    return {**row, "complete": done == n}


def escalation_rate(backend: str, tickets: int, workers: int) -> list[dict]:
    """Real escalation steps (condition check, timeline entry, audit record, outbox rows):
    P1 tickets opened two hours ago and never acknowledged, so their whole chain is due. With
    the rate, how long each step's audit record waited to be sealed — mostly its own batch's
    transaction, since the sealer sees a record only once the batch has committed."""
    import datetime as dt

    from django.db.models import Max, Min

    from caredesk import clock
    from caredesk.audit.models import AuditRecord
    from caredesk.demo.world import build_world
    from caredesk.escalation import demo as escalation_demo
    from caredesk.tickets import services
    from caredesk.tickets.models import EntryKind, TimelineEntry
    from caredesk.timers.models import DueAction

    _reset()
    world = build_world()
    escalation_demo.setup(world)
    people, orgs = world["people"], world["orgs"]
    with clock.frozen_at(clock.now() - dt.timedelta(hours=2)):
        for i in range(tickets):
            services.open_ticket(
                actor=people["customer.y"],
                customer_org=orgs["lakeside"],
                product=world["products"]["core"],
                region=world["regions"]["lakeside"],
                severity="P1",
                channel="portal",
                title=f"bench {i}",
                customer_voice="down",
            )
    due = DueAction.objects.filter(done_at__isnull=True, due_at__lte=clock.now()).count()
    db_env = {k: os.environ[k] for k in ("DATABASE_URL", "CAREDESK_SQLITE_PATH") if k in os.environ}
    started = clock.now()
    procs = start_workers(db_env, workers, "--batch", "100", "--idle", "0.1")
    end = time.monotonic() + DEADLINE
    try:
        # Until every step has fired and the workers have sealed every audit record.
        while (
            DueAction.objects.filter(done_at__isnull=True, due_at__lte=clock.now()).exists()
            or AuditRecord.objects.filter(seq__isnull=True).exists()
        ) and time.monotonic() < end:
            time.sleep(0.3)
    finally:
        stop_workers(procs)
    fired = TimelineEntry.objects.filter(kind__in=[EntryKind.ESCALATED, EntryKind.CLOCK_BREACHED])
    span = fired.aggregate(a=Min("at"), b=Max("at"))
    seconds = max((span["b"] - span["a"]).total_seconds(), 1e-6)
    size = f"{due:,} due ({tickets:,} P1 tickets)"
    steps = _steps_row("escalation steps", workers, backend, size, due / seconds)
    lags = [
        (sealed - at).total_seconds() * 1000
        for at, sealed in AuditRecord.objects.filter(at__gte=started).values_list("at", "sealed_at")
    ]
    lag = {
        "operation": f"  audit record sealed after its step, {workers} worker"
        + ("s" if workers > 1 else ""),
        "backend": backend,
        "size": f"{len(lags):,} records",
        "caredesk": percentile(lags, 50),
        "unit": "ms (p50)",
        "baseline": None,
        "baseline_name": "",
        "ratio": None,
        "p50": percentile(lags, 50),
        "p95": percentile(lags, 95),
        "p99": percentile(lags, 99),
    }
    return [steps, lag]


def _steps_row(what: str, workers: int, backend: str, size: str, rate: float) -> dict:
    """A rate of steps per second, beside the issue's goal."""
    return {
        "operation": f"{what}, {workers} worker{'s' if workers > 1 else ''}",
        "backend": backend,
        "size": size,
        "caredesk": rate,
        "unit": "steps/s",
        "baseline": GOAL_STEPS_PER_S,
        "baseline_name": "goal",
        "ratio": rate / GOAL_STEPS_PER_S,
        "p50": None,
        "p95": None,
        "p99": None,
    }


def _fill(size: int) -> None:
    """`size` open tickets, each with one timer due in a month (its clocks and chains)."""
    from django.db import connection, transaction

    from caredesk.directory.models import Person
    from caredesk.tickets.models import Ticket
    from caredesk.timers.models import DueAction

    if not Person.objects.exists():
        from caredesk.demo.world import build_world

        build_world()
    b = Person.objects.get(username="engineer.b")
    y = Person.objects.get(username="customer.y")
    org, office = y.organisation_id, b.organisation_id
    from caredesk.directory.models import Product, Region

    product, region = Product.objects.first().pk, Region.objects.first().pk
    start = Ticket.objects.count()
    pg = connection.vendor == "postgresql"
    series = (
        f"generate_series({start + 1}, {size}) AS s(g)"
        if pg
        else f"(WITH RECURSIVE s(g) AS (SELECT {start + 1} UNION ALL SELECT g + 1 FROM s "
        f"WHERE g < {size}) SELECT g FROM s) AS s"
    )
    now = "now()" if pg else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    later = "now() + interval '30 days'" if pg else "datetime('now', '+30 days')"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO tickets_ticket (number, customer_org_id, office_id, requester_id,
            product_id, region_id, site, severity, channel, title, customer_voice, status,
            owner_id, owner_since, created_by_id, version, handoff_count, resolution_note,
            created_at, updated_at)
            SELECT 'B-' || g, {org}, {office}, {y.pk}, {product}, {region}, '', 'P3', 'portal',
            'bench ticket', 'words', 'in_progress', {b.pk}, {now}, {y.pk}, 1, 0, '', {now}, {now}
            FROM {series}"""
        )
        cur.execute(
            f"""INSERT INTO timers_dueaction (kind, subject, payload, due_at, attempt,
            claimed_by, outcome, error)
            SELECT 'clock.breach', CAST(id AS TEXT), '{{}}', {later}, 0, '', '', ''
            FROM tickets_ticket WHERE id > (SELECT COALESCE(MAX(CAST(subject AS INTEGER)), 0)
            FROM timers_dueaction WHERE kind = 'clock.breach')"""
        )
    assert DueAction.objects.filter(kind="clock.breach").count() == Ticket.objects.count()
    if pg:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def tick_cost(size: int, repeats: int = 20) -> tuple[float, float]:
    """Median ms of one worker tick (10 due probes) and of a naive scan of open tickets."""
    import datetime as dt

    from caredesk import clock
    from caredesk.tickets.models import OPEN_STATUSES, Ticket
    from caredesk.timers.services import run_due

    _fill(size)
    ticks = []
    for _ in range(repeats):
        _probes(10)
        t0 = time.perf_counter()
        run_due(worker="tick", batch=500)
        ticks.append((time.perf_counter() - t0) * 1000)
    scans = []
    for _ in range(3):
        t0 = time.perf_counter()
        cutoff = clock.now() - dt.timedelta(hours=4)
        rows = Ticket.objects.filter(status__in=OPEN_STATUSES).values_list(
            "id", "created_at", "severity"
        )
        due = [r for r in rows.iterator(chunk_size=5000) if r[1] < cutoff]
        scans.append((time.perf_counter() - t0) * 1000)
        del due
    return percentile(ticks, 50), percentile(scans, 50)


def scaling(backend: str, sizes: tuple[int, int]) -> list[dict]:
    _reset()
    small, large = sizes
    tick_small, scan_small = tick_cost(small)
    tick_large, scan_large = tick_cost(large)
    return [
        {
            "operation": "worker tick (10 due)",
            "backend": backend,
            "size": f"{n:,} open tickets",
            "caredesk": tick,
            "unit": "ms",
            "baseline": scan,
            "baseline_name": "naive scan, ms",
            "ratio": scan / tick,
            "p50": tick,
            "p95": None,
            "p99": None,
        }
        for n, tick, scan in ((small, tick_small, scan_small), (large, tick_large, scan_large))
    ] + [
        {
            "operation": f"tick cost growth {small:,}→{large:,} (≤ 1.2 wanted)",
            "backend": backend,
            "size": f"×{large // small}",
            "caredesk": tick_large / tick_small,
            "unit": "×",
            "baseline": scan_large / scan_small,
            "baseline_name": "naive scan growth",
            "ratio": None,
            "p50": None,
            "p95": None,
            "p99": None,
        }
    ]


def lateness(backend: str, seconds: float, rate: int) -> dict:
    import datetime as dt

    from caredesk import clock
    from caredesk.timers.models import DueAction, ProbeEffect
    from caredesk.timers.services import PROBE

    _reset()
    db_env = {k: os.environ[k] for k in ("DATABASE_URL", "CAREDESK_SQLITE_PATH") if k in os.environ}
    procs = start_workers(db_env, 1)  # default settings, as `make run` starts it
    time.sleep(3)  # let it boot before the load starts
    step, per_step = 0.05, max(1, int(rate * 0.05))
    total = 0
    try:
        t_end = time.monotonic() + seconds
        while time.monotonic() < t_end:
            base = clock.now() + dt.timedelta(seconds=0.5)
            DueAction.objects.bulk_create(
                [
                    DueAction(
                        kind=PROBE,
                        subject=f"l{total + i}",
                        due_at=base + dt.timedelta(seconds=i * step / per_step),
                    )
                    for i in range(per_step)
                ]
            )
            total += per_step
            time.sleep(step)
        end = time.monotonic() + 60
        while ProbeEffect.objects.count() < total and time.monotonic() < end:
            time.sleep(0.1)
    finally:
        stop_workers(procs)
    due = dict(DueAction.objects.filter(kind=PROBE).values_list("pk", "due_at"))
    late = [
        (at - due[action_id]).total_seconds() * 1000
        for action_id, at in ProbeEffect.objects.values_list("action_id", "at")
    ]
    return {
        "operation": f"lateness at {rate} timers/s, 1 worker",
        "backend": backend,
        "size": f"{total:,} timers over {seconds:.0f} s",
        "caredesk": percentile(late, 50),
        "unit": "ms (p50)",
        "baseline": None,
        "baseline_name": "",
        "ratio": None,
        "p50": percentile(late, 50),
        "p95": percentile(late, 95),
        "p99": percentile(late, 99),
    }


PARTS = ("fire", "lateness", "escalation", "scale")


def child(backend: str, quick: bool, only: set[str]) -> None:
    sizes = QUICK if quick else FULL
    _setup()
    rows = []
    if "fire" in only:
        rows.append(fire_rate(backend, sizes["fire"], 1))
        if backend == "PostgreSQL":
            rows.append(fire_rate(backend, sizes["fire"], 3))
    if "lateness" in only:
        rows.append(lateness(backend, sizes["late_seconds"], sizes["rate"]))
    if "escalation" in only:
        for workers in (1, 3) if backend == "PostgreSQL" else (1,):
            rows += escalation_rate(backend, sizes["p1_tickets"], workers)
    if "scale" in only:
        rows += scaling(backend, sizes["scale"])
    print("ROWS " + json.dumps(rows))


# ------------------------------------------------------------------ the parent


def run(quick: bool, only: set[str], backends: set[str]) -> list[dict]:
    rows: list[dict] = []
    with postgres_server() as server:
        for backend, key in (("SQLite", "sqlite"), ("PostgreSQL", "pg")):
            if key not in backends:
                continue
            with fresh_database(key, server) as db_env:
                args = [sys.executable, __file__, "--child", backend, "--only", ",".join(only)]
                args += ["--quick"] if quick else []
                out = subprocess.run(
                    args, env=child_env(db_env), cwd=ROOT, capture_output=True, text=True
                )
                lines = [ln for ln in out.stdout.splitlines() if ln.startswith("ROWS ")]
                if out.returncode or not lines:
                    sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
                    raise SystemExit(f"timers benchmark on {backend} failed")
                rows += json.loads(lines[-1][5:])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help="comma-separated parts to run (fire, lateness, escalation, scale); "
        "a partial run prints its rows but leaves bench/timers.md alone",
    )
    parser.add_argument("--backends", default="sqlite,pg", help="sqlite, pg or both")
    parser.add_argument("--p1-tickets", type=int, help="P1 tickets for the escalation rows")
    args = parser.parse_args()
    only = {p for p in args.only.split(",") if p}
    if only - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(only - set(PARTS)))}")
    if args.p1_tickets:  # the child reads it from its environment
        os.environ["BENCH_P1_TICKETS"] = str(args.p1_tickets)
    if os.environ.get("BENCH_P1_TICKETS"):
        QUICK["p1_tickets"] = FULL["p1_tickets"] = int(os.environ["BENCH_P1_TICKETS"])
    if args.child:
        child(args.child, args.quick, only)
        return
    rows = run(args.quick, only, {b for b in args.backends.split(",") if b})
    text = (
        f"# Timers benchmark{' (quick sizes)' if args.quick else ''}\n\n{machine_line()}\n\n"
        f"{table(rows)}\n"
    )
    print(text)
    partial = only != set(PARTS) or args.backends != "sqlite,pg" or args.p1_tickets
    if partial:
        return  # a partial run is printed only: the saved rows and timers.md stay whole
    save_rows("timers", rows, quick=args.quick)
    if not args.quick:
        (ROOT / "bench" / "timers.md").write_text(text)


if __name__ == "__main__":
    main()
