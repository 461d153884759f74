"""Satisfaction surveys: the staff surveys page at 300,000 answers beside a naive page, and the
answer POST over HTTP beside the same server's floor, on SQLite and PostgreSQL.

    python bench/bench_surveys.py [--quick]

Data: bench/datagen.py's tickets, one survey each (bench/datagen_work.py's bulk inserts), nine
in ten answered with random scores (about one in ten low); the per-office monthly tally is
filled from the same rows, as the verbs keep it. Plus a stock of unanswered surveys whose
links the load spends.

- The staff page (/surveys/, HTML, hotline.h at HQ who reads every office), in-process through
  Django's test client: first page and page 1,000 (a keyset cursor), server time and queries
  issued, measured at a tenth of the size and again at the full size — the query count must
  not grow with the rows. Beside it in the same run: a naive page rendering the same template
  from the same rows, the way a first version would — response rates by GROUP BY over every
  survey and answer, rows without their related objects (read one by one while rendering),
  deep pages by OFFSET.
- The answer POST (/api/v1/surveys/{token}, JSON) under gunicorn with 2 sync workers and 4
  concurrent clients, each answer spending one fresh link; beside it, GET /healthz on the
  same server: the HTTP floor of a request through the whole middleware stack.
Starts its own PostgreSQL cluster and servers; writes bench/surveys.md.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (  # noqa: E402
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

# answers at full size, links kept unanswered for the POST load, seconds of load, repeats
SIZES = {"full": (300_000, 30_000, 15.0, 30), "quick": (3_000, 2_000, 3.0, 5)}
DIMENSIONS = ("responsiveness", "attitude", "technical_skill", "communication")


# ------------------------------------------------------------------ inside a child process


def _setup_django():
    import django

    django.setup()


def generate(count: int, unanswered: int, tokens_file: str, first: bool) -> None:
    """Tickets and their surveys (answered), then `unanswered` more whose tokens are written
    to `tokens_file` for the load. A second call adds to what the first made."""
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bench import datagen, datagen_work
    from caredesk.tickets.models import Ticket

    if first:
        call_command("migrate", verbosity=0)
        world = datagen.build_world()
        Path(tokens_file + ".world").write_text(json.dumps(world))
    world = json.loads(Path(tokens_file + ".world").read_text())
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_ticket")
        after = cur.fetchone()[0]
    datagen.fill(world, count + unanswered, label="tickets to survey")
    rows = Ticket.objects.filter(pk__gt=after).order_by("pk")
    links = datagen_work.fill_surveys(
        list(rows.values_list(*datagen_work.SURVEY_FIELDS)), answered=count, seed=count
    )
    Path(tokens_file).write_text("\n".join(links))
    print("DONE")


def _naive_page(request):
    """The same page as a first version would make it (see the module's docstring)."""
    person, cursor_offset = request.user, int(request.GET.get("offset", 0))
    from django.db.models import Avg, Count, Q
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from caredesk.directory import refdata
    from caredesk.satisfaction.models import Survey
    from caredesk.satisfaction.selectors import OfficeRate, SurveyFilters

    qs = Survey.objects.filter(office_id__in=refdata.subtree(person.organisation_id))
    grouped = qs.values("office_id").annotate(
        sent=Count("id"),
        answered=Count("answered_at"),
        low=Count("id", filter=Q(answer__low=True)),
        **{f"a_{d}": Avg(f"answer__{d}") for d in DIMENSIONS},
    )
    rates = []
    for r in grouped.order_by():
        rate = OfficeRate(r["office_id"], refdata.organisation(r["office_id"]).name)
        rate.sent, rate.answered, rate.low = r["sent"], r["answered"], r["low"]
        rate.sums = {d: (r[f"a_{d}"] or 0) * r["answered"] for d in DIMENSIONS}
        rates.append(rate)
    rows = list(qs.order_by("-id")[cursor_offset : cursor_offset + 50])
    context = {"rows": rows, "rates": rates, "filters": SurveyFilters(), "offices": []}
    return HttpResponse(render_to_string("satisfaction/surveys.html", context, request=request))


def _with_naive_page() -> None:
    """Serve the naive page beside the product's, through the same middleware and client."""
    import types

    from django.conf import settings
    from django.urls import include, path

    urls = types.ModuleType("bench_surveys_urls")
    urls.urlpatterns = [path("naive-surveys/", _naive_page), path("", include("caredesk.urls"))]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__


def measure_page(size_label: str, repeats: int, backend: str) -> None:
    _setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from caredesk.directory.models import Person
    from caredesk.satisfaction.models import Survey

    _with_naive_page()
    reader = Person.objects.get(username="hotline.h")
    browser = Client()
    browser.force_login(reader)
    depth = min(50_000, Survey.objects.count() // 2 // 50 * 50)
    deep = Survey.objects.order_by("-id").values_list("pk", flat=True)[depth - 1]
    cases = [
        ("first page", "/surveys/", "/naive-surveys/"),
        (f"{depth:,} rows deep", f"/surveys/?cursor={deep}", f"/naive-surveys/?offset={depth}"),
    ]
    rows = []
    for label, url, naive_url in cases:
        ours, theirs = [], []
        with CaptureQueriesContext(connection) as q:
            res = browser.get(url)
        assert res.status_code == 200, res.status_code
        our_queries = len(q.captured_queries)
        with CaptureQueriesContext(connection) as q:
            assert browser.get(naive_url).status_code == 200
        naive_queries = len(q.captured_queries)
        for _ in range(repeats):
            t = time.perf_counter()
            browser.get(url)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            browser.get(naive_url)
            theirs.append((time.perf_counter() - t) * 1000)
        p50, naive50 = percentile(ours, 50), percentile(theirs, 50)
        common = {"backend": backend, "size": size_label, "p99": None}
        rows.append(
            {
                **common,
                "operation": f"staff surveys page, {label}: server time",
                "caredesk": p50,
                "unit": "ms",
                "baseline": naive50,
                "baseline_name": "naive page, ms",
                "ratio": naive50 / p50 if p50 else None,
                "p50": p50,
                "p95": percentile(ours, 95),
            }
        )
        rows.append(
            {
                **common,
                "operation": f"staff surveys page, {label}: queries",
                "caredesk": our_queries,
                "unit": "queries",
                "baseline": naive_queries,
                "baseline_name": "naive page",
                "ratio": naive_queries / our_queries if our_queries else None,
                "p50": None,
                "p95": None,
            }
        )
        sys.stderr.write(
            f"  {label}: {p50:.1f} ms, {our_queries} queries; naive {naive50:.1f} ms,"
            f" {naive_queries} queries\n"
        )
    emit_rows(rows)


# ------------------------------------------------------------------ the parent


def _child(db_env: dict, *args: str) -> str:
    return run_child(
        __file__,
        list(args),
        child_env(db_env),
        f"surveys benchmark child {args[:2]}",
        timeout=3600,
        need_rows=False,
    )


def _post_load(db_env: dict, links: list[str], seconds: float, backend: str, size: str) -> list:
    from bench.bench_peer import _row, gunicorn, measure

    env = child_env(db_env)
    answer = {d: 4 for d in DIMENSIONS} | {"solved": True, "comment": "谢谢"}
    stock = iter(links)

    async def post(client, n):
        return await client.post(f"/api/v1/surveys/{next(stock)}", json=answer)

    async def floor(client, n):
        return await client.get("/healthz")

    with gunicorn(sys.executable, "caredesk.wsgi:application", env, ROOT, 2) as base:
        ours = measure(base, post, seconds, {})
        bare = measure(base, floor, seconds, {})
    if ours["errors"]:
        raise SystemExit(f"{ours['errors']} answers were refused")
    row = _row("answer a survey (POST, one fresh link each)", size, ours, bare, "GET /healthz")
    row["backend"] = backend
    sys.stderr.write(f"  answers: {ours['rate']:.0f}/s, floor {bare['rate']:.0f}/s\n")
    return [row]


def run(size: int, stock: int, seconds: float, repeats: int) -> list[dict]:
    rows: list[dict] = []
    with postgres_server() as server:
        for backend, key in (("SQLite", "sqlite"), ("PostgreSQL", "pg")):
            with fresh_database(key, server) as db_env:
                links = Path(tempfile.mkdtemp(prefix="caredesk-bench-surveys.")) / "links"
                tenth = size // 10
                # A tenth first, measured; then the rest (and the links' stock), measured again.
                for part, total, extra in ((tenth, tenth, ["--first"]), (size - tenth, size, [])):
                    more = str(stock if total == size else 0)
                    generate = ["--size", str(part), "--stock", more, "--links", str(links)]
                    _child(db_env, "--child", "generate", *generate, *extra)
                    page = ["--label", f"{total:,} answers", "--repeats", str(repeats)]
                    rows += rows_of(_child(db_env, "--child", "page", *page, "--backend", backend))
                spare = links.read_text().split("\n")
                rows += _post_load(db_env, spare, seconds, backend, f"{size:,} answers")
                for f in links.parent.glob("*"):
                    f.unlink()
                links.parent.rmdir()
    return rows


def report(rows: list[dict], quick: bool) -> str:
    return "\n".join(
        [
            "# Satisfaction surveys benchmark" + (" (quick sizes)" if quick else ""),
            "",
            machine_line(),
            "",
            table(rows),
            "",
            "Page rows: CareDesk's server time (p50, p95 beside it) and queries, with the naive"
            " page of the same template from the same rows as the baseline; the ratio is how"
            " many times faster (or fewer queries) CareDesk is. The page is measured at a tenth"
            " of the answers and at all of them in one run: its queries stay the same. The"
            " answer row: answers per second over HTTP (each spends a fresh link), beside"
            " GET /healthz on the same server (the request floor); the ratio is the share of"
            " the floor an answer reaches.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--size", type=int)
    parser.add_argument("--stock", type=int)
    parser.add_argument("--links")
    parser.add_argument("--first", action="store_true")
    parser.add_argument("--label")
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--backend")
    args = parser.parse_args()
    if args.child == "generate":
        generate(args.size, args.stock, args.links, args.first)
        return
    if args.child == "page":
        measure_page(args.label, args.repeats, args.backend)
        return
    size, stock, seconds, repeats = SIZES["quick" if args.quick else "full"]
    rows = run(size, stock, seconds, repeats)
    print(table(rows))
    save_rows("surveys", rows, args.quick)
    if not args.quick:
        (ROOT / "bench" / "surveys.md").write_text(report(rows, args.quick) + "\n")


if __name__ == "__main__":
    main()
