"""Lists and search at a million tickets: server time of the staff queue, the customer portal
and search (zh two-character words, English, mixed), on SQLite and PostgreSQL.

    python bench/bench_scale.py [--quick] [--size N]

Generates the tickets with bench/datagen.py (bulk inserts, progress on stderr), then times
requests in-process through Django's test client (routing, auth, the queries, JSON or HTML
rendering; no network), each case repeated with varying owners, customers and cursors.
Starts its own PostgreSQL cluster; writes bench/scale.md.
"""

import argparse
import os
import sys
import time

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

FULL, QUICK = 1_000_000, 20_000
LIST_GOAL_MS, SEARCH_GOAL_MS = 30.0, 100.0  # p95 server time, from the issue
DEADLINE = 3000  # seconds per backend, generation included


# ------------------------------------------------------------------ inside a child process


def _clients(world_ids: dict):
    from django.test import Client

    from caredesk.directory.models import ApiToken, Person

    # Each test Client builds its own request handler on its first request: the middleware
    # chain, with WhiteNoise scanning every static file (about 30 ms here), which a server
    # process does once when it starts. Every client is warmed before the clock runs, or a
    # case that spreads its requests over 40 clients times 40 handler builds.
    def api_client(person):
        key = ApiToken.new_key()
        ApiToken.objects.create(person=person, key_hash=ApiToken.hash_key(key), prefix=key[:10])
        c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        _ok(c.get("/api/v1/tickets?limit=1"))
        return c

    def page_client(person):
        c = Client()
        c.force_login(person)
        c.get("/")  # any answer will do: it is the handler that is built
        return c

    names = ["manager.a", "engineer.b", "customer.y", "customer.x"]
    people = {p.username: p for p in Person.objects.filter(username__in=names)}
    owners = list(Person.objects.filter(pk__in=world_ids["owners"][:40]))
    return people, owners, api_client, page_client


def _time(fn, repeats: int) -> list[float]:
    fn(0)  # the first call pays for imports and caches
    out = []
    for i in range(repeats):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def _ok(res):
    assert res.status_code == 200, (res.status_code, res.content[:300])
    return res


def _walk(client, url: str):
    """A function that reads the next page of `url` each call (a reader paging back)."""
    state = {"cursor": None}

    def step(_i):
        sep = "&" if "?" in url else "?"
        full = url + (f"{sep}cursor={state['cursor']}" if state["cursor"] else "")
        body = _ok(client.get(full)).json()
        state["cursor"] = body["next_cursor"]

    return step


def cases(world_ids: dict) -> list[tuple[str, str, object]]:
    people, owners, api_client, page_client = _clients(world_ids)
    staff, eng = api_client(people["manager.a"]), api_client(people["engineer.b"])
    city, province = api_client(people["customer.y"]), api_client(people["customer.x"])
    staff_page, customer_page = page_client(people["manager.a"]), page_client(people["customer.y"])
    owner_clients = [(o.pk, api_client(o)) for o in owners]
    owner_pages = [page_client(o) for o in owners]
    products, customers = world_ids["products"], world_ids["customers"]

    def mine(i, sort="newest"):
        pk, client = owner_clients[i % len(owner_clients)]
        _ok(client.get(f"/api/v1/tickets?owner={pk}&status=open&sort={sort}"))

    def q(client, text):
        return lambda _i: _ok(client.get("/api/v1/tickets", {"q": text}))

    return [
        ("list", "staff queue: office, newest first (pages 1…n)", _walk(staff, "/api/v1/tickets")),
        ("list", "staff queue: open, pages 1…n", _walk(staff, "/api/v1/tickets?status=open")),
        ("list", "staff queue: my open tickets (40 owners)", mine),
        (
            "list",
            "staff queue: waiting for customer",
            _walk(staff, "/api/v1/tickets?status=waiting_customer"),
        ),
        (
            "list",
            "filter by customer (20 customers)",
            lambda i: _ok(staff.get(f"/api/v1/tickets?customer_org={customers[i % 20]}")),
        ),
        (
            "list",
            "filter by product, open (8 products)",
            lambda i: _ok(
                staff.get(f"/api/v1/tickets?product={products[i % len(products)]}&status=open")
            ),
        ),
        ("list", "filter P1 open", _walk(staff, "/api/v1/tickets?severity=P1&status=open")),
        ("list", "engineer's office list", _walk(eng, "/api/v1/tickets")),
        ("list", "portal: city branch, open", _walk(city, "/api/v1/tickets?status=open")),
        (
            "list",
            "portal: province (21 orgs), open",
            _walk(province, "/api/v1/tickets?status=open"),
        ),
        (
            "list",
            "staff queue: open, most urgent first, pages 1…n",
            _walk(staff, "/api/v1/tickets?status=open&sort=urgency"),
        ),
        (
            "list",
            "staff queue: my open tickets, most urgent first (40 owners)",
            lambda i: mine(i, "urgency"),
        ),
        # The workbench's default order: most urgent first (newest first before that order).
        ("list", "staff queue page (HTML), all", lambda i: _ok(staff_page.get("/queue/?tab=all"))),
        (
            "list",
            "staff queue page (HTML), my tickets (40 owners)",
            lambda i: _ok(owner_pages[i % len(owner_pages)].get("/queue/?tab=mine")),
        ),
        (
            "list",
            "staff queue page (HTML), all, page=20 by number",
            lambda i: _ok(staff_page.get("/queue/?tab=all&page=20")),
        ),
        (
            "list",
            "staff queue page (HTML), all, by last update",
            lambda i: _ok(staff_page.get("/queue/?tab=all&sort=updated")),
        ),
        ("list", "portal page (HTML)", lambda i: _ok(customer_page.get("/portal/"))),
        ("search", "zh 2 chars, common: 告警", q(staff, "告警")),
        ("search", "zh 2 chars, rare (≈1 %): 断网", q(staff, "断网")),
        ("search", "zh 2 chars, rare, customer: 断网", q(city, "断网")),
        ("search", "zh word: 核心网", q(staff, "核心网")),
        ("search", "en word: alarm", q(staff, "alarm")),
        ("search", "en words, rare: fibre cut", q(staff, "fibre cut")),
        ("search", "mixed: BTS 重启", q(staff, "BTS 重启")),
        ("search", "zh, pages 1…n: 告警", _walk(staff, "/api/v1/tickets?q=%E5%91%8A%E8%AD%A6")),
        ("search", "ticket number", lambda i: _ok(staff.get("/api/v1/tickets?q=CD-2024-000777"))),
        ("search", "number digits: 000777", q(staff, "000777")),
        ("search", "owner name: 工程师17", q(staff, "工程师17")),
        ("search", "1 char (substring scan): 网", q(staff, "网")),
    ]


def child(backend: str, size: int, repeats: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench import datagen

    world_ids = datagen.build_world()
    seconds = datagen.fill(world_ids, size, label=f"{backend} tickets")
    rows = [
        {
            "operation": "generate tickets with search words (bulk)",
            "backend": backend,
            "size": f"{size:,} tickets",
            "caredesk": size / seconds,
            "unit": "tickets/s",
            "baseline": None,
            "baseline_name": "",
            "ratio": None,
            "p50": None,
            "p95": None,
            "p99": None,
        }
    ]
    for kind, label, fn in cases(world_ids):
        ms = _time(fn, repeats)
        goal = LIST_GOAL_MS if kind == "list" else SEARCH_GOAL_MS
        p95 = percentile(ms, 95)
        rows.append(
            {
                "operation": f"{kind}: {label}",
                "backend": backend,
                "size": f"{size:,} tickets",
                "caredesk": p95,
                "unit": "ms p95",
                "baseline": goal,
                "baseline_name": "goal, ms",
                "ratio": goal / p95 if p95 else None,
                "p50": percentile(ms, 50),
                "p95": p95,
                "p99": percentile(ms, 99),
            }
        )
        sys.stderr.write(f"  {label}: p50 {percentile(ms, 50):.1f} ms, p95 {p95:.1f} ms\n")
    emit_rows(rows)


# ------------------------------------------------------------------ the parent


BACKENDS = {"sqlite": "SQLite", "pg": "PostgreSQL"}


def run(size: int, repeats: int, backends: list[str]) -> list[dict]:
    rows: list[dict] = []
    with postgres_server() as server:
        for key in backends:
            backend = BACKENDS[key]
            with fresh_database(key, server) as db_env:
                args = ["--child", backend, "--size", str(size), "--repeats", str(repeats)]
                what = f"scale benchmark on {backend}"
                rows += rows_of(run_child(__file__, args, child_env(db_env), what, DEADLINE))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--size", type=int)
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--child")
    parser.add_argument(
        "--backend", choices=[*BACKENDS, "both"], default="both", help="one database, or both"
    )
    args = parser.parse_args()
    size = args.size or (QUICK if args.quick else FULL)
    repeats = args.repeats or (10 if args.quick else 60)
    if args.child:
        child(args.child, size, repeats)
        return
    rows = run(size, repeats, list(BACKENDS) if args.backend == "both" else [args.backend])
    text = "\n".join(
        [
            f"# Lists and search at scale{' (quick sizes)' if args.quick else ''}",
            "",
            machine_line(),
            "",
            f"Server time in-process (Django test client), {repeats} requests per row; the"
            " CareDesk column is the p95 and the ratio is goal ÷ p95 (above 1× meets the goal:"
            f" {LIST_GOAL_MS:.0f} ms for lists, {SEARCH_GOAL_MS:.0f} ms for search).",
            "",
            table(rows),
            "",
        ]
    )
    print(text)
    save_rows(
        f"scale.{args.backend}" if args.backend != "both" else "scale",
        rows,
        quick=args.quick or size != FULL,
    )
    if not args.quick and size == FULL and args.backend == "both":
        (ROOT / "bench" / "scale.md").write_text(text)


if __name__ == "__main__":
    main()
