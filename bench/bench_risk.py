"""The early warning at scale: scoring throughput over 100,000 open tickets with their events,
and what rescoring adds to an event's write, inline in its transaction or by the worker.

    python bench/bench_risk.py [--quick]

The world: bench/datagen.py's tickets (plain INSERTs), every one made open, each given a
history of plain timeline rows — a customer's reply in zh, en or mixed words (a third sharp,
some with a threat), a call (a quarter unanswered), a hand-off proposed for one in five, a
public staff reply for half — six to seven rows a ticket.

Throughput: services.refresh in batches of 500 (the worker's path: the histories read in a
fixed number of queries, scored, the scores upserted) over all open tickets, beside the same
refresh one ticket at a time (a history read per ticket) on a sample, in the same run; tickets
per second, higher is better.

Event write: add_comment by the owner on an open ticket, timed 300 times in each of three
modes taking turns — the early warning off (no subscriber), marking for the worker (the
default), rescoring inline (RISK_INLINE); the added latency is each mode's median minus the
median without it; the ratio is inline's median write over the worker's. SQLite and
PostgreSQL (its own cluster); writes bench/risk.md.
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

SIZES = {"full": (100_000, 2_000, 300), "quick": (2_000, 200, 40)}
BATCH = 500
SHARP = [
    "又断了！！打了三次电话都没人接，再不处理我们就投诉到工信部",
    "你们到底有没有人管？非常生气",
    "This is the third time this month, I will escalate to your management!!",
    "专线又断了, nobody called back, 我要投诉",
]
PLAIN = [
    "请帮忙看一下告警，谢谢",
    "Please check the alarm when you can.",
    "不着急，下周处理也可以",
    "好的，收到",
    "The link is up again, thanks.",
]


def _row(operation, backend, size, value, baseline, baseline_name, unit, ratio, p50=None):
    return {
        "operation": operation,
        "backend": backend,
        "size": size,
        "caredesk": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "ratio": ratio,
        "p50": p50,
        "p95": None,
        "p99": None,
    }


# ------------------------------------------------------------------ inside a child process


def _histories(ticket_ids: list[int], owners: dict[int, int], requester: int) -> int:
    """Plain timeline rows for each ticket: its customer's words, a call, maybe a hand-off."""
    from caredesk import clock
    from caredesk.tickets.models import TimelineEntry

    rng = random.Random(11)
    now = clock.now()
    made, batch = 0, []
    for pk in ticket_ids:
        at = now - dt.timedelta(hours=rng.uniform(1, 48))
        steps = [("acknowledged", owners[pk], True, "", {})]
        text = rng.choice(SHARP) if rng.random() < 0.1 else rng.choice(PLAIN)
        steps.append(("comment", requester, True, text, {}))
        outcome = "no_answer" if rng.random() < 0.15 else "answered"
        steps.append(("call", owners[pk], False, "", {"direction": "outbound", "outcome": outcome}))
        if rng.random() < 0.2:
            steps.append(("handoff_proposed", owners[pk], False, "请协助", {"to": owners[pk]}))
        if rng.random() < 0.5:
            steps.append(("comment", owners[pk], True, "正在处理，稍后回复。", {}))
        last = rng.choice(SHARP) if rng.random() < 0.1 else rng.choice(PLAIN)
        steps.append(("comment", requester, True, last, {}))
        for i, (kind, actor, public, body, data) in enumerate(steps):
            batch.append(
                TimelineEntry(
                    ticket_id=pk,
                    kind=kind,
                    actor_id=actor,
                    public=public,
                    body=body,
                    data=data,
                    at=at + dt.timedelta(minutes=10 * (i + 1)),
                )
            )
        if len(batch) >= 20_000:
            TimelineEntry.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    TimelineEntry.objects.bulk_create(batch)
    return made + len(batch)


def _throughput(backend: str, tickets, sample: int) -> list[dict]:
    from caredesk.insights.risk import services
    from caredesk.insights.risk.models import RiskScore

    services.refresh(tickets[:BATCH])  # warm: the jieba dictionary, caches, the connection
    RiskScore.objects.all().delete()
    started = time.perf_counter()
    for i in range(0, len(tickets), BATCH):
        services.refresh(tickets[i : i + BATCH])
    batched = len(tickets) / (time.perf_counter() - started)
    assert RiskScore.objects.count() == len(tickets)
    started = time.perf_counter()
    for t in tickets[:sample]:
        services.refresh([t])
    one_by_one = sample / (time.perf_counter() - started)
    above = RiskScore.objects.filter(above=True).count()
    return [
        _row(
            f"rescore open tickets, batches of {BATCH} ({above:,} above the threshold)",
            backend,
            f"{len(tickets):,} open tickets (one-by-one on {sample:,})",
            batched,
            one_by_one,
            "one ticket at a time",
            "tickets/s",
            batched / one_by_one,
        )
    ]


def _event_writes(backend: str, tickets, owner_of, n: int) -> list[dict]:
    from django.test.utils import override_settings

    from caredesk import events
    from caredesk.insights.risk import reactions
    from caredesk.tickets import services as ticket_services

    def write(t) -> float:
        started = time.perf_counter()
        ticket_services.add_comment(
            actor=owner_of[t.owner_id], ticket=t, body="正在处理，稍后回复。", public=False
        )
        return (time.perf_counter() - started) * 1000

    def without(t) -> float:
        events._subscribers.remove(reactions.on_event)  # the early warning off
        try:
            return write(t)
        finally:
            events.subscribe(reactions.on_event)

    def inline_write(t) -> float:
        with override_settings(RISK_INLINE=True):
            return write(t)

    rng = random.Random(5)
    chosen = rng.sample(tickets, 3 * n + 10)
    for t in chosen[:10]:
        write(t)  # warm
    # The three modes take turns, write by write, so a drift of the machine hits them alike.
    times = {"none": [], "worker": [], "inline": []}
    modes = (("none", without), ("worker", write), ("inline", inline_write))
    for i, t in enumerate(chosen[10:]):
        name, fn = modes[i % 3]
        times[name].append(fn(t))
    none, worker, inline = (percentile(times[k], 50) for k in ("none", "worker", "inline"))
    # Marking for the worker adds less than the machine's noise (its added time can read
    # below zero), so the ratio is of whole writes; the added times are in the row's name.
    return [
        _row(
            f"event write (a comment), rescored inline vs marked for the worker (added: "
            f"{inline - none:.1f} vs {worker - none:.1f} ms)",
            backend,
            f"{n} writes each; median without the early warning {none:.1f} ms",
            inline,
            worker,
            "marked for the worker",
            "ms",
            inline / worker if worker > 0 else None,
            p50=inline,
        )
    ]


def child(backend: str, *, quick: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench import datagen
    from caredesk.directory.models import Person
    from caredesk.tickets.models import Ticket

    count, sample, writes = SIZES["quick" if quick else "full"]
    world = datagen.build_world()
    datagen.fill(world, count, label=f"{backend} tickets")
    Ticket.objects.update(status="in_progress", resolved_at=None, closed_at=None)
    rows = list(Ticket.objects.values_list("pk", "owner_id"))
    _histories([pk for pk, _ in rows], dict(rows), world["requester"])
    tickets = list(Ticket.objects.select_related("owner").order_by("pk"))
    owner_of = Person.objects.in_bulk({t.owner_id for t in tickets})
    out = _throughput(backend, tickets, sample)
    out += _event_writes(backend, tickets, owner_of, writes)
    emit_rows(out)


# ------------------------------------------------------------------ the parent


def run(quick: bool) -> list[dict]:
    rows: list[dict] = []
    with postgres_server() as server:
        for backend, key in (("SQLite", "sqlite"), ("PostgreSQL", "pg")):
            with fresh_database(key, server) as db_env:
                args = ["--child", backend, *(["--quick"] if quick else [])]
                out = run_child(__file__, args, child_env(db_env), f"risk on {backend}", 5400)
                rows += rows_of(out)
    return rows


def report(rows: list[dict], quick: bool) -> str:
    return "\n".join(
        [
            f"# Early warning at scale{' (quick sizes)' if quick else ''}",
            "",
            machine_line(),
            "",
            table(rows),
            "",
            "Throughput: tickets rescored a second (read, scored, written; higher is better),"
            f" in the worker's batches of {BATCH} beside one ticket at a time, in the same run;"
            " ratio: batched over one by one. Event write: a comment's median write in"
            " milliseconds, rescoring inline in its transaction beside marking the ticket for"
            " the worker (the default), in the same run, with what each adds over no early"
            " warning in the operation's name; ratio: inline's median over the worker's. Each"
            " ticket has six to seven timeline rows (bench/bench_risk.py says which).",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=1, metavar="BACKEND")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], quick=args.quick)
        return
    rows = run(args.quick)
    text = report(rows, args.quick)
    print(text)
    save_rows("risk", rows, quick=args.quick)
    if not args.quick:
        (ROOT / "bench" / "risk.md").write_text(text)


if __name__ == "__main__":
    main()
