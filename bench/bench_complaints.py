"""The complaints queue and a handler's pages at 50,000 complaints, beside a naive queue.

    python bench/bench_complaints.py [--quick]

Complaints are bulk-inserted (15 % open, two thirds of those with a deadline left; handlers
and tickets skewed like a real desk) into the demo's cast, then requests are timed in-process
through Django's test client (routing, auth, the queries, the template): the handler's queue
("Complaints I handle", nearest deadline first), the office's queue, the API list, the
complaint page of a complaint with a whole history, and the handler's own page of complaints
about an engineer's work. Each is measured at a tenth of the size and at the full size in the
same run, with the number of queries it issued: neither may grow with the rows.

The baseline, in the same run, is the naive queue a helpdesk often has: read the handler's
complaints, keep the open ones and sort them by deadline in Python, take 50 and render the
same rows template, each row reaching its category, customer and handler lazily.
Starts its own PostgreSQL cluster; writes bench/complaints.md.
"""

import argparse
import datetime as dt
import os
import random
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

SIZES = {"full": 50_000, "quick": 2_000}
REPEATS = {"full": 20, "quick": 5}
BATCH = 5_000


# ------------------------------------------------------------------ inside a child process


def _world():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from caredesk.demo import complaints as complaints_demo
    from caredesk.demo.world import build_world
    from caredesk.escalation import demo as escalation_demo

    world = build_world()
    escalation_demo.setup(world)
    complaints_demo.escalation_chain()
    return world


def _tickets(world, n: int) -> list:
    from caredesk.tickets import services

    p, o = world["people"], world["orgs"]
    return [
        services.open_ticket(
            actor=p["customer.y"],
            customer_org=o["lakeside"],
            product=world["products"]["core" if i % 2 else "wireless"],
            region=world["regions"]["lakeside"],
            severity="P3",
            channel="portal",
            title=f"基站告警 {i}",
            customer_voice="今天早上开始基站断网，用户无法上网。",
        )
        for i in range(n)
    ]


def generate(world, tickets: list, count: int, start: int) -> None:
    """`count` more complaints with plain bulk inserts (the verbs would take minutes)."""
    from caredesk.complaints.models import Category, Complaint, ComplaintTicket

    rnd = random.Random(start)
    p = world["people"]
    handlers = [p["manager.a"]] * 4 + [p["engineer.b"], p["engineer.c"], p["leader.p"]] * 2
    cats = list(Category.objects.filter(parent__isnull=True))
    office = world["orgs"]["office"]
    now = dt.datetime.now(dt.UTC)
    made = 0
    while made < count:
        rows = []
        for i in range(start + made, start + min(count, made + BATCH)):
            received = now - dt.timedelta(minutes=7 * (start + count - i))
            ended = rnd.random() < 0.85
            withdrawn = ended and rnd.random() < 0.3
            status = "withdrawn" if withdrawn else "closed" if ended else "in_progress"
            due = received + dt.timedelta(hours=rnd.randint(1, 200))
            rows.append(
                Complaint(
                    number=f"CP-B-{i:08d}",
                    source="hotline",
                    channel="phone",
                    customer_org=world["orgs"]["lakeside"],
                    office=office,
                    complainant=p["customer.y"],
                    complainant_name="杨越",
                    received_at=received,
                    registered_by=p["hotline.h"],
                    words="推来推去没人管",
                    remedy_sought="明确责任人",
                    severity=rnd.choice(["high", "medium", "low"]),
                    impact="branch",
                    category=rnd.choice(cats),
                    handler=rnd.choice(handlers),
                    status=status,
                    acknowledge_due=due,
                    callback_due=due,
                    resolve_due=due,
                    next_due=None if ended or rnd.random() < 0.33 else due,
                    withdrawn_at=received if withdrawn else None,
                    closure="confirmed" if status == "closed" else "",
                    closed_at=received if status == "closed" else None,
                    created_at=received,
                    updated_at=received,
                )
            )
        made_rows = Complaint.objects.bulk_create(rows)
        if made_rows[0].pk is None:  # SQLite before RETURNING: read the ids back
            made_rows = list(Complaint.objects.filter(number__in=[r.number for r in rows]))
        ComplaintTicket.objects.bulk_create(
            [ComplaintTicket(complaint=c, ticket=rnd.choice(tickets)) for c in made_rows]
        )
        made += len(rows)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _full_history(world, ticket):
    """One complaint worked through the verbs: the complaint page's subject."""
    from caredesk.complaints import services
    from caredesk.complaints.models import Category

    p = world["people"]
    a = p["manager.a"]
    c = services.open_complaint(
        actor=p["hotline.h"],
        source="hotline",
        tickets=[ticket],
        complainant=p["customer.y"],
        words="三个电话，没人管",
        remedy_sought="明确责任人",
        severity="medium",
        impact="branch",
        category=Category.objects.get(code="buck_passing"),
    )
    services.acknowledge(actor=a, complaint=c)
    services.record_callback(actor=a, complaint=c, reached=True)
    services.add_note(actor=a, complaint=c, body="内部记录")
    services.record_root_cause(
        actor=a, complaint=c, cause=Category.objects.get(code="buck_passing"), note="无人负责"
    )
    services.add_action(
        actor=a,
        complaint=c,
        description="首问负责制",
        owner=p["engineer.b"],
        due_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
    )
    services.respond(actor=a, complaint=c, text="已指定责任人")
    return c


def _measure(fn, repeats: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # the first call pays for imports and caches
    with CaptureQueriesContext(connection) as seen:
        fn()
    timings = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t) * 1000)
    return timings, len(seen.captured_queries)


def _naive_queue(person):
    """The naive page: every complaint of the handler read, filtered and sorted in Python, the
    rows template reaching each row's related objects one query at a time."""
    from django.template.loader import render_to_string

    from caredesk.complaints.models import OPEN_STATUSES, Complaint

    mine = [c for c in Complaint.objects.filter(handler=person) if c.status in OPEN_STATUSES]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    mine.sort(key=lambda c: (c.next_due or far, c.pk))
    return render_to_string(
        "complaints/_rows.html", {"rows": mine[:50], "now": dt.datetime.now(dt.UTC)}
    )


def child(backend: str, quick: bool) -> None:
    size = SIZES["quick" if quick else "full"]
    repeats = REPEATS["quick" if quick else "full"]
    world = _world()
    from django.core.signals import request_started
    from django.db import reset_queries
    from django.test import Client

    # Each request would empty the connection's query log on start: keep it, to count them.
    request_started.disconnect(reset_queries)

    from caredesk.directory.models import ApiToken

    tickets = _tickets(world, 40)
    p = world["people"]
    a = p["manager.a"]
    page = Client()
    page.force_login(a)
    key = ApiToken.new_key()
    ApiToken.objects.create(person=a, key_hash=ApiToken.hash_key(key), prefix=key[:10])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    subject = _full_history(world, tickets[0])

    def ok(res):
        assert res.status_code == 200, (res.status_code, res.content[:300])
        return res

    cases = [
        (
            "handler's queue page (mine, by deadline)",
            lambda: ok(page.get("/complaints/?scope=mine")),
        ),
        ("office's queue page (all, by deadline)", lambda: ok(page.get("/complaints/?scope=all"))),
        ("API list (mine, open)", lambda: ok(api.get("/api/v1/complaints?scope=mine"))),
        ("complaint page (whole history)", lambda: ok(page.get(f"/complaints/{subject.number}/"))),
        (
            "engineer's complaint history page",
            lambda: ok(page.get(f"/complaints/people/{p['engineer.b'].pk}/")),
        ),
    ]
    rows = []
    done = 0
    for stage in (size // 10, size):
        generate(world, tickets, stage - done, done)
        done = stage
        label = f"{stage:,} complaints"
        for name, fn in cases:
            ms, queries = _measure(fn, repeats)
            rows.append(
                {
                    "operation": name,
                    "backend": backend,
                    "size": f"{label}, {queries} queries",
                    "caredesk": percentile(ms, 50),
                    "unit": "ms p50",
                    "baseline": None,
                    "baseline_name": "",
                    "ratio": None,
                    "p50": percentile(ms, 50),
                    "p95": percentile(ms, 95),
                    "p99": percentile(ms, 99),
                    "queries": queries,
                    "complaints": stage,
                }
            )
        ours, our_q = _measure(lambda: selectors_queue(a), repeats)
        naive, naive_q = _measure(lambda: _naive_queue(a), max(3, repeats // 3))
        rows.append(
            {
                "operation": "  queue rows, rendered (the selector + rows template)",
                "backend": backend,
                "size": f"{label}, {our_q} queries vs {naive_q}",
                "caredesk": percentile(ours, 50),
                "unit": "ms p50",
                "baseline": percentile(naive, 50),
                "baseline_name": "naive queue, ms p50",
                "ratio": percentile(ours, 50) / percentile(naive, 50),
                "p50": percentile(ours, 50),
                "p95": percentile(ours, 95),
                "p99": percentile(ours, 99),
                "queries": our_q,
                "baseline_queries": naive_q,
                "complaints": stage,
            }
        )
    emit_rows(rows)


def selectors_queue(person):
    from django.template.loader import render_to_string

    from caredesk.complaints import selectors

    rows = selectors.queue(person, scope="mine")
    return render_to_string("complaints/_rows.html", {"rows": rows, "now": dt.datetime.now(dt.UTC)})


# ------------------------------------------------------------------ the parent


def run(quick: bool) -> list[dict]:
    rows: list[dict] = []
    with postgres_server() as server:
        for backend, key in (("SQLite", "sqlite"), ("PostgreSQL", "pg")):
            with fresh_database(key, server) as db_env:
                args = ["--child", backend] + (["--quick"] if quick else [])
                out = run_child(
                    __file__,
                    args,
                    child_env(db_env),
                    f"complaints benchmark on {backend}",
                    timeout=2400,
                )
                rows += rows_of(out)
    return rows


def report(rows: list[dict], quick: bool) -> str:
    notes = []
    for backend in ("SQLite", "PostgreSQL"):
        mine = [r for r in rows if r["backend"] == backend and "baseline_queries" not in r]
        by_op: dict[str, list[dict]] = {}
        for r in mine:
            by_op.setdefault(r["operation"], []).append(r)
        steady = all(len({r["queries"] for r in rs}) == 1 for rs in by_op.values())
        notes.append(
            f"- {backend}: queries per request "
            + ("the same at both sizes" if steady else "CHANGED with the number of rows")
            + "."
        )
    return "\n".join(
        [
            f"# Complaints queue and pages{' (quick sizes)' if quick else ''}",
            "",
            machine_line(),
            "",
            table(rows),
            "",
            *notes,
            "",
            "Server time in-process (Django test client: routing, auth, queries, template), p50"
            " over repeated requests; the size column also gives the queries each request"
            " issued. The ratio row compares the queue's selector and rows template with the"
            " naive queue (everything read, sorted in Python, related rows fetched one by one),"
            " both measured in the same run: below 1 is faster than the naive one.",
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
    save_rows("complaints", rows, quick=args.quick)
    if not args.quick:
        (ROOT / "bench" / "complaints.md").write_text(text)


if __name__ == "__main__":
    main()
