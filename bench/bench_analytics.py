"""The analytics dashboard and the half-year report over 1,000,000 tickets, 50,000 complaints
and 300,000 survey answers, beside the same figures computed by a naive Python loop.

    python bench/bench_analytics.py [--quick] [--backend sqlite|pg|both]

Data: bench/datagen.py's tickets over three years (2024–2026), three in ten surveyed and
answered, complaints about random tickets, and the traces the leading indicators count
(bench/datagen_work.py: clocks, hand-offs, escalations, reopenings, calls). A tenth is loaded
and measured first, then the rest, and everything is measured again in the same run.

Measured in-process through Django's test client (routing, auth, queries, template or xlsx),
as a service manager at headquarters, who reads every office: the dashboard for 2026H1 (by
month, by engineer, a province with its branches, an office and a product, one month), each
panel's xlsx download; server time p50/p95 and the queries each request issued (which must
not grow with the rows). The baseline: bench/analytics_naive.py computes the dashboard's
figures from the period's rows in Python; CareDesk's figure functions are timed beside it and
both answers are compared. Then `manage.py report --period 2026H1`: build time in-process, and
peak memory — the Python heap (tracemalloc) and the whole process's maximum RSS, in a child
process of its own beside an idle `manage.py check` process.
Starts its own PostgreSQL cluster; writes bench/analytics.md.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (  # noqa: E402
    OUT,
    ROOT,
    child_env,
    emit_rows,
    fresh_database,
    machine_line,
    percentile,
    postgres_server,
    rows_of,
    run_child,
    save_rows,
    table,
)

# tickets, complaints, answers, repeats per page
SIZES = {"full": (1_000_000, 50_000, 300_000, 7), "quick": (3_000, 200, 900, 1)}
PERIOD = "2026H1"
BACKENDS = {"sqlite": "SQLite", "pg": "PostgreSQL"}


# ------------------------------------------------------------------ inside a child process


def _load(world: dict, tickets: int, complaints: int, answers: int, seed: int) -> float:
    """Add `tickets` tickets and their traces, `answers` answered surveys and `complaints`
    complaints about them; returns the seconds taken."""
    from django.db import connection
    from django.db.models import F
    from django.db.models.functions import Mod

    from bench import datagen, datagen_work
    from caredesk.tickets.models import Ticket

    began = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_ticket")
        first = cur.fetchone()[0] + 1
    datagen.fill(world, tickets, label="tickets")
    last = first + tickets - 1
    datagen_work.fill_traces(first_ticket=first, last_ticket=last)
    # Three tickets in ten are surveyed (answers / tickets), in id order.
    every = max(1, round(tickets / answers))
    surveyed = (
        Ticket.objects.filter(pk__gte=first, pk__lte=last)
        .annotate(bucket=Mod(F("pk"), every))
        .filter(bucket=0)
        .order_by("pk")
        .values_list(*datagen_work.SURVEY_FIELDS)[:answers]
    )
    datagen_work.fill_surveys(list(surveyed), answered=answers, seed=seed)
    datagen_work.fill_complaints(complaints, first_ticket=first, last_ticket=last, seed=seed)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - began


def _reader():
    from caredesk.directory.models import Person, Role

    hq = Person.objects.get(username="hotline.h").organisation
    return Person.objects.create(
        username="bench.hq", role=Role.SERVICE_MANAGER, organisation=hq, display_name="总部经理"
    )


def _measure(fn, repeats: int, warm: bool = True) -> tuple[list[float], int]:
    """Server times (ms) of `repeats` calls, and the queries of a call: the fewer of two, as
    the session's once-a-minute save (web.middleware.SessionLifetimeMiddleware) lands in one
    of them at most. Quick runs skip the warm-up call: the counted calls warm what follows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warm:
        fn()  # the first call pays for imports and caches
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as seen:
            fn()
        counts.append(len(seen.captured_queries))
    timings = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t) * 1000)
    return timings, min(counts)


def _pages(world: dict, customer_parent: int) -> list[tuple[str, str]]:
    from caredesk.insights.analytics.panels import PANELS

    office, product = world["regions"][0][1], world["products"][0]
    base = f"/analytics/?period={PERIOD}"
    return [
        (f"dashboard {PERIOD}, satisfaction by month", base),
        (f"dashboard {PERIOD}, satisfaction by engineer", base + "&by=engineer"),
        (
            f"dashboard {PERIOD}, a province with its branches",
            base + f"&customer={customer_parent}",
        ),
        (
            f"dashboard {PERIOD}, an office and a product",
            base + f"&office={office}&product={product}",
        ),
        ("dashboard, one month (2026-05)", "/analytics/?period=2026-05"),
        *[(f"xlsx download: {key}", f"/analytics/{key}.xlsx?period={PERIOD}") for key in PANELS],
    ]


def _row(operation, backend, size, ms, **extra) -> dict:
    return {
        "operation": operation,
        "backend": backend,
        "size": size,
        "caredesk": percentile(ms, 50),
        "unit": "ms p50",
        "baseline": None,
        "baseline_name": "",
        "ratio": None,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": None,
        **extra,
    }


RSS_CODE = """
import sys, django
django.setup()
from django.core.management import call_command
call_command(*sys.argv[1:], stdout=open("/dev/null", "w"))
peak = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0]
print("PEAK", int(peak.split()[1]))
"""


def _report_memory(reader: str, out: str) -> tuple[float, float]:
    """Peak RSS (MiB) of the report command in a process of its own, and of an idle `check`
    in another (what a loaded Django process holds before any figure). Read from the
    process's own VmHWM: a child's ru_maxrss would count the pages of this big process that
    the fork copied before the exec."""

    def peak(*args: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", RSS_CODE, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(out.split("PEAK")[-1]) / 1024  # kB

    report = peak("report", "--period", PERIOD, "--as", reader, "--out", out)
    return report, peak("check")


def _measure_report(reader, backend: str, size: str, repeats: int, quick: bool) -> list[dict]:
    import tracemalloc
    from pathlib import Path

    from caredesk.insights.analytics.filters import filters_from
    from caredesk.insights.analytics.report import write_report

    filters = filters_from({"period": PERIOD}, default_period=PERIOD)
    out = Path(tempfile.mkdtemp(prefix="caredesk-bench-report."))

    def build():
        return write_report(filters=filters, viewer=reader, out_dir=out)

    ms, queries = _measure(build, repeats, warm=not quick)
    files = sum(p.stat().st_size for p in out.iterdir()) / 1024
    label = f"{size}, {queries} queries"
    rows = [_row(f"half-year report {PERIOD} (xlsx + pptx, {files:,.0f} KiB)", backend, label, ms)]
    if quick:  # one more build and two Django processes: the full run's
        shutil.rmtree(out)
        return rows
    tracemalloc.start()
    build()
    heap = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss, idle = _report_memory(reader.username, str(out))
    shutil.rmtree(out)
    return rows + [
        {
            **_row("  report peak memory: Python heap (tracemalloc)", backend, size, []),
            "caredesk": heap,
            "unit": "MiB",
            "p50": None,
            "p95": None,
        },
        {
            **_row("  report peak memory: process max RSS", backend, size, []),
            "caredesk": rss,
            "unit": "MiB",
            "baseline": idle,
            "baseline_name": "idle manage.py check, MiB",
            "ratio": rss / idle,
            "p50": None,
            "p95": None,
        },
    ]


def child(backend: str, quick: bool, scale: float = 1.0) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.signals import request_started
    from django.db import reset_queries
    from django.test import Client

    from bench import analytics_naive, datagen
    from caredesk.directory.models import Organisation
    from caredesk.insights.analytics.filters import filters_from

    call_command("migrate", verbosity=0)
    # Each request would empty the connection's query log on start: keep it, to count them.
    request_started.disconnect(reset_queries)
    tickets, complaints, answers, repeats = SIZES["quick" if quick else "full"]
    tickets, complaints, answers = (int(n * scale) for n in (tickets, complaints, answers))
    world = datagen.build_world()
    reader = _reader()
    province = Organisation.objects.get(name="城市分公司 0").parent_id
    page = Client()
    page.force_login(reader)
    page.get("/")  # builds the test client's handler before anything is timed
    filters = filters_from({"period": PERIOD}, default_period=PERIOD)
    rows, done = [], (0, 0, 0)
    # A tenth, then all: queries must not change between them (a quick run loads all at once).
    for stage in (1,) if quick else (10, 1):
        want = (tickets // stage, complaints // stage, answers // stage)
        seconds = _load(world, *[w - d for w, d in zip(want, done, strict=True)], seed=stage)
        done = want
        size = f"{want[0]:,} tickets, {want[1]:,} complaints, {want[2]:,} answers"
        sys.stderr.write(f"  {size}: loaded in {seconds:.0f} s\n")
        for name, url in _pages(world, province):

            def get(url=url):
                res = page.get(url)
                assert res.status_code == 200, (url, res.status_code, res.content[:300])

            ms, queries = _measure(get, repeats, warm=not quick)
            rows.append(_row(name, backend, f"{size}, {queries} queries", ms, queries=queries))
            sys.stderr.write(f"  {name}: {percentile(ms, 50):.0f} ms, {queries} queries\n")
        ours, our_q = _measure(
            lambda: analytics_naive.caredesk_figures(filters, reader), repeats, warm=not quick
        )
        naive, naive_q = _measure(
            lambda: analytics_naive.dashboard_figures(filters, reader),
            max(1, repeats // 3),
            warm=not quick,
        )
        differ = analytics_naive.compare(
            analytics_naive.caredesk_figures(filters, reader),
            analytics_naive.dashboard_figures(filters, reader),
        )
        for line in differ:
            sys.stderr.write(f"  DIFFERS {line}\n")
        agree = "same figures" if not differ else f"{len(differ)} figures DIFFER"
        rows.append(
            _row(
                f"  the dashboard's figures alone, {PERIOD} ({agree})",
                backend,
                f"{size}, {our_q} queries vs {naive_q}",
                ours,
                baseline=percentile(naive, 50),
                baseline_name="naive Python loop, ms p50",
                ratio=percentile(naive, 50) / percentile(ours, 50),
                queries=our_q,
                differ=len(differ),
            )
        )
        sys.stderr.write(
            f"  figures: {percentile(ours, 50):.0f} ms, naive {percentile(naive, 50):.0f} ms\n"
        )
        rows += _measure_report(reader, backend, size, 1 if stage > 1 or quick else 3, quick)
    emit_rows(rows)


# ------------------------------------------------------------------ the parent


def run(quick: bool, backends: list[str], scale: float = 1.0) -> list[dict]:
    rows: list[dict] = []
    with postgres_server() as server:
        for key in backends:
            with fresh_database(key, server) as db_env:
                args = ["--child", BACKENDS[key], "--scale", str(scale)]
                args += ["--quick"] if quick else []
                what = f"analytics benchmark on {BACKENDS[key]}"
                rows += rows_of(run_child(__file__, args, child_env(db_env), what, timeout=5400))
    return rows


def notes(rows: list[dict], quick: bool) -> list[str]:
    out = []
    for backend in BACKENDS.values():
        largest = [r["size"].split(", ")[0] for r in rows if r["backend"] == backend]
        if not quick and largest and largest[-1] != f"{SIZES['full'][0]:,} tickets":
            out.append(
                f"- {backend} was measured at a smaller size (up to {largest[-1]}): loading a"
                " million tickets into both databases one after the other did not fit the"
                " time this run had on the shared 2-core machine."
            )
        by_op: dict[str, set[int]] = {}
        for r in rows:
            if r["backend"] == backend and "queries" in r:
                by_op.setdefault(r["operation"], set()).add(r["queries"])
        if by_op:
            spread = max(max(q) - min(q) for q in by_op.values())
            out.append(
                f"- {backend}: queries per request "
                + (
                    "the same at both sizes."
                    if spread == 0
                    else "the same at both sizes but for one: the reference-data token"
                    " (caredesk/directory/refdata.py) is read again when a request has run for"
                    " more than CHECK_EVERY (1 s), so a dashboard that takes seconds reads it"
                    " once more — a query per second, not per row."
                    if spread == 1
                    else "CHANGED with the number of rows."
                )
            )
        if any(r.get("differ") for r in rows if r["backend"] == backend):
            out.append(f"- {backend}: CareDesk's figures and the naive loop's DIFFER (see stderr).")
    return out


def report(rows: list[dict], quick: bool, joined: bool = False) -> str:
    return "\n".join(
        [
            f"# Analytics dashboard and half-year report{' (quick sizes)' if quick else ''}",
            "",
            machine_line(),
            "",
            table(rows),
            "",
            *notes(rows, quick),
            *(
                [
                    "- Each database was measured in a run of its own (`--backend`), the table"
                    " joined by `--collect`; within a run, CareDesk and its baseline come from the"
                    " same database and moment."
                ]
                if joined
                else []
            ),
            "",
            "Server time in-process (Django test client: routing, auth, queries, template or"
            " xlsx), p50 (p95 beside it), as a service manager at headquarters who reads every"
            f" office; the period {PERIOD} holds about a sixth of the rows. The size column"
            " gives the queries each request issued, at a tenth of the rows and at all of them"
            " in the same run. The ratio row: the naive Python loop over the period's rows"
            " (bench/analytics_naive.py) ÷ CareDesk's figure functions, both in the same run"
            " and checked to give the same figures; above 1 is CareDesk faster. The report"
            " rows: `write_report` (the workbook with its raw complaint rows, and the deck with"
            " its matplotlib charts) in-process, its Python heap peak under tracemalloc, and"
            " the maximum RSS of `manage.py report` in a process of its own beside an idle"
            " `manage.py check`. Why the ticket-side panels (SLA, leading indicators) grow"
            " with the table rather than the period, and what would fix it: docs/analytics.md,"
            " Benchmark.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="a share of the full size (the table says so)"
    )
    parser.add_argument(
        "--collect",
        action="store_true",
        help="run nothing: write analytics.md from the last full run of each backend alone",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.quick, args.scale)
        return
    both = args.backend == "both"
    if args.collect:
        rows = [
            r for key in BACKENDS for r in json.loads((OUT / f"analytics.{key}.json").read_text())
        ]
    else:
        rows = run(args.quick, list(BACKENDS) if both else [args.backend], args.scale)
    text = report(rows, args.quick, joined=args.collect)
    print(text)
    save_rows("analytics" if both else f"analytics.{args.backend}", rows, quick=args.quick)
    if not args.quick and (both or args.collect):
        (ROOT / "bench" / "analytics.md").write_text(text)


if __name__ == "__main__":
    main()
