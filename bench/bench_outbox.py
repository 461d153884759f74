"""Outbox benchmark: drain rate to a local receiver, and what outbox rows add to a ticket update.

    export DJANGO_SETTINGS_MODULE=caredesk.settings DATABASE_URL=postgres://…
    python bench/bench_outbox.py [--quick]

(start a throwaway server with `scripts/testpg.sh start DIR`, stop it with `… stop DIR`).
It creates its own database on that server, migrates it, loads the demo people, and drops it
at the end. Part 1 queues N messages for the SMS/HTTP webhook (no rate limit) and times
`manage.py worker` processes (1, then 3) until every message is delivered; the receiver
checks each request's HMAC and counts deliveries per idempotency key. Part 2 times a public
reply on a ticket (the requester and three stakeholders are told) with and without the
notification subscriber. Prints a table and writes bench/outbox.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import save_rows  # noqa: E402


def _database(url: str) -> tuple[str, str]:
    """Create a throwaway database next to the one in `url`; returns (its URL, its name)."""
    import psycopg

    name = f"caredesk_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}")), name


def _drop(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from caredesk.demo.world import build_world

    return build_world()


def _queue(n: int, person, endpoint, tag: str) -> None:
    from django.db import transaction

    from caredesk.notify import outbox

    with transaction.atomic():
        for i in range(n):
            outbox.enqueue(
                channel="sms",
                recipient=person,
                address=person.phone,
                endpoint=endpoint,
                template="ticket_resolved",
                key=f"bench:{tag}:{i}",
                context={"number": "CD-2026-000001", "title": "bench", "text": "ok"},
                topic="bench",
            )


def drain(n: int, workers: int, person, endpoint, receiver, url: str) -> dict:
    """Start the workers, wait until each says it started, then queue and time the drain
    (process start-up is not counted)."""
    from caredesk.notify.models import Message

    tag = f"w{workers}"
    env = {**os.environ, "DATABASE_URL": url, "CAREDESK_LOG_LEVEL": "ERROR"}
    cmd = [sys.executable, str(ROOT / "manage.py"), "worker", "--batch", "100", "--idle", "0.02"]
    procs = [
        subprocess.Popen([*cmd, "--name", f"{tag}-{i}"], env=env, stdout=subprocess.PIPE, text=True)
        for i in range(workers)
    ]
    try:
        for p in procs:
            assert "started" in p.stdout.readline()
        _queue(n, person, endpoint, tag)
        started = time.perf_counter()
        pending = Message.objects.filter(
            idempotency_key__startswith=f"bench:{tag}:", state="pending"
        )
        deadline = started + 300
        while pending.exists() and time.perf_counter() < deadline:  # bounded
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    keys = [k for k in receiver.delivered if k.startswith(f"bench:{tag}:")]
    sent = Message.objects.filter(idempotency_key__startswith=f"bench:{tag}:", state="sent")
    return {
        "workers": workers,
        "messages": n,
        "seconds": elapsed,
        "rate": n / elapsed,
        "sent": sent.count(),
        "received_keys": len(keys),
        "repeats": sum(receiver.delivered[k] for k in keys) - len(keys),
    }


def update_cost(rounds: int, world) -> dict:
    from caredesk import events
    from caredesk.stakeholders import services as stakeholders
    from caredesk.tickets import notifications, services
    from caredesk.tickets.models import Ticket

    people, orgs = world["people"], world["orgs"]
    admin = people["admin"]
    for org, who in [("province", "customer.x"), ("lakeside", "head.w"), ("lakeside", "spm.s")]:
        stakeholders.add_stakeholder(
            actor=admin,
            organisation=orgs[org],
            person=people[who],
            include_branches=org == "province",
            subscriptions=["reply", "resolved"],
        )
    ticket = services.open_ticket(
        actor=people["customer.y"],
        customer_org=orgs["lakeside"],
        product=world["products"]["core"],
        region=world["regions"]["lakeside"],
        severity="P3",
        channel="portal",
        title="bench",
        customer_voice="bench",
    )
    owner = Ticket.objects.get(pk=ticket.pk).owner

    def one() -> float:
        t = time.perf_counter()
        services.add_comment(actor=owner, ticket=ticket, body="进展：正在处理。")
        return time.perf_counter() - t

    timings: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(5):  # warm up both paths
        one()
    # Alternate blocks so drift in the machine's load hits both sides alike.
    for block in range(10):
        for mode in ("with", "without") if block % 2 == 0 else ("without", "with"):
            if mode == "without":
                events._subscribers.remove(notifications.on_event)
            try:
                timings[mode] += [one() for _ in range(rounds // 10)]
            finally:
                if mode == "without":
                    events.subscribe(notifications.on_event)
    with_ms = statistics.median(timings["with"]) * 1000
    without_ms = statistics.median(timings["without"]) * 1000
    from caredesk.notify.models import Message

    per_update = Message.objects.filter(topic=f"ticket:{ticket.pk}", template="ticket_reply")
    return {
        "with_ms": with_ms,
        "without_ms": without_ms,
        "ratio": with_ms / without_ms,
        "rows": per_update.count() / max(len(timings["with"]) + 5, 1),
        "rounds": len(timings["with"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="Fewer messages and rounds.")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        # Run under `make bench`: start a throwaway server for the duration.
        from bench.common import postgres_server

        with postgres_server() as server:
            os.environ["DATABASE_URL"] = server
            return main()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")
    url, name = _database(base)
    os.environ["DATABASE_URL"] = url
    try:
        world = _setup()
        from caredesk.notify.models import Endpoint
        from caredesk.notify.tests.receivers import Receiver

        receiver = Receiver().start()
        endpoint = Endpoint.objects.create(
            name="bench gateway",
            kind="webhook",
            url=receiver.webhook_url,
            secret=receiver.secret,
            rate_per_minute=0,
        )
        n = 300 if args.quick else 2000
        person = world["people"]["customer.y"]
        drains = [drain(n, w, person, endpoint, receiver, url) for w in (1, 3)]
        receiver.stop()
        cost = update_cost(100 if args.quick else 400, world)
        from django.db import connection

        connection.close()
    finally:
        _drop(base, name)
    report(drains, cost, args.quick)


def report(drains: list[dict], cost: dict, quick: bool) -> None:
    import platform

    lines = [
        "# Outbox benchmark",
        "",
        f"`python bench/bench_outbox.py{' --quick' if quick else ''}` on PostgreSQL, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs. The receiver (a local "
        "HTTP server checking each request's HMAC) runs in the benchmark process.",
        "",
        "## Drain rate (SMS/HTTP webhook, no rate limit)",
        "",
        "| workers | messages | seconds | messages/s | sent | distinct keys received | repeats |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for d in drains:
        lines.append(
            f"| {d['workers']} | {d['messages']} | {d['seconds']:.2f} | {d['rate']:.0f} "
            f"| {d['sent']} | {d['received_keys']} | {d['repeats']} |"
        )
    lines += [
        "",
        "## Cost of the outbox rows in a ticket update",
        "",
        f"A public reply on a ticket whose requester and three stakeholders are told "
        f"({cost['rows']:.0f} outbox rows per reply), median of {cost['rounds']} replies each.",
        "",
        "| | ms per reply |",
        "|---|---:|",
        f"| without notifications | {cost['without_ms']:.2f} |",
        f"| with notifications | {cost['with_ms']:.2f} |",
        f"| ratio | {cost['ratio']:.2f}× |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not quick:
        (ROOT / "bench" / "outbox.md").write_text(text)
    save_rows("outbox", _rows(drains, cost), quick=quick)


def _rows(drains: list[dict], cost: dict) -> list[dict]:
    """The same figures in the shape bench/run.py gathers into RESULTS.md."""
    empty = {"p50": None, "p95": None, "p99": None}
    rows = [
        {
            "operation": f"outbox drain to a webhook, {d['workers']} worker(s)",
            "backend": "PostgreSQL",
            "size": f"{d['messages']:,} messages",
            "caredesk": d["rate"],
            "unit": "msg/s",
            "baseline": None,
            "baseline_name": "",
            "ratio": None,
            **empty,
        }
        for d in drains
    ]
    rows.append(
        {
            "operation": "public reply that tells 4 people",
            "backend": "PostgreSQL",
            "size": f"{cost['rounds']} replies",
            "caredesk": cost["with_ms"],
            "unit": "ms",
            "baseline": cost["without_ms"],
            "baseline_name": "same reply without outbox rows, ms",
            "ratio": cost["ratio"],
            **empty,
        }
    )
    return rows


if __name__ == "__main__":
    main()
