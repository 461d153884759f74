"""The shift hand-over report at scale: one customer with 50,000 active masking rules and
100,000 tickets, the report built by the selector beside the same masking sections built the
naive way (one query per rule), in the same run.

    python bench/bench_handover.py [--quick]

The world: bench/datagen.py's tickets (plain INSERTs), all moved to Lakeside; the rules in 50
alarm-masking changes of Lakeside's, bulk-inserted, a tenth of them ending within the next
shift. CareDesk: selectors.handover_report for manager.a (every section: masks by change, owner
and reason, unauthorised silences, changes, open P1/P2 with owner, breached and at-risk clocks,
visits). Naive: the active and expiring masking sections only — the ids of the rules, then one
query per rule for it, its change and its owner, grouped in Python — so the baseline does less
work than CareDesk. Queries counted for each. SQLite and PostgreSQL (its own cluster); writes
bench/handover.md.
"""

import argparse
import datetime as dt
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.bench_masks import Counted  # noqa: E402
from bench.common import (  # noqa: E402
    ROOT,
    child_env,
    emit_rows,
    fresh_database,
    machine_line,
    postgres_server,
    rows_of,
    run_child,
    save_rows,
    table,
)

SIZES = {"full": (50_000, 100_000), "quick": (500, 1_000)}
CHANGES = 50


def _row(operation, backend, size, value, baseline, queries, base_q):
    return {
        "operation": operation,
        "backend": backend,
        "size": size,
        "caredesk": value,
        "unit": "s",
        "baseline": baseline,
        "baseline_name": "one query per rule",
        # Seconds: lower is better, so the ratio is the baseline's time over CareDesk's.
        "ratio": (baseline / value) if value else None,
        "p50": None,
        "p95": None,
        "p99": None,
        "queries": queries,
        "baseline_queries": base_q,
    }


# ------------------------------------------------------------------ inside a child process


def _rules(people, lakeside, n: int) -> None:
    from caredesk import clock
    from caredesk.fieldwork.models import ChangeKind, ChangeRequest, ChangeStatus, MaskingRule

    now = clock.now()
    changes = ChangeRequest.objects.bulk_create(
        [
            ChangeRequest(
                kind=ChangeKind.ALARM_MASKING,
                status=ChangeStatus.IN_PROGRESS,
                customer_org=lakeside,
                requester=people["engineer.b"],
                executor=people["partner.d"],
                title=f"割接告警屏蔽 {i}",
                plan="bench",
                window_start=now - dt.timedelta(hours=2),
                window_end=now + dt.timedelta(hours=20),
                vendor_approved_at=now,
                approved_at=now,
                started_at=now - dt.timedelta(hours=1),
                created_at=now,
                updated_at=now,
            )
            for i in range(CHANGES)
        ]
    )
    owners = [people["partner.d"], people["engineer.b"], people["engineer.c"]]
    batch = []
    for i in range(n):
        element = f"NE-{i:06d}"
        batch.append(
            MaskingRule(
                change=changes[i % CHANGES],
                customer_org=lakeside,
                matchers=[{"name": "ne", "value": element, "isRegex": False, "isEqual": True}],
                elements=[element],
                alarm_codes=["LOS"],
                reason=f"割接期间屏蔽 {i % 7}",
                owner=owners[i % 3],
                created_by=owners[i % 3],
                batch="bench",
                starts_at=now - dt.timedelta(hours=1),
                # A tenth end within the next shift (12 h), the rest after it.
                ends_at=now + dt.timedelta(hours=6 if i % 10 == 0 else 30),
                status="active",
                sync_state="in_step",
                created_at=now,
                updated_at=now,
            )
        )
        if len(batch) == 5000:
            MaskingRule.objects.bulk_create(batch)
            batch = []
    MaskingRule.objects.bulk_create(batch)


def _naive(person, scope, at, until):
    """The masking sections, one query per rule."""
    from django.db.models import Q

    from caredesk.fieldwork.models import MaskingRule
    from caredesk.insights.handover import policy as handover_policy

    ids = (
        MaskingRule.objects.filter(handover_policy.mask_filter(person))
        .filter(customer_org_id=scope.customer.pk, starts_at__lte=at, ends_at__gt=at)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=at))
        .order_by("ends_at", "id")
        .values_list("id", flat=True)
    )
    active: dict = {}
    expiring: dict = {}
    for pk in list(ids):
        rule = MaskingRule.objects.select_related("change", "owner").get(pk=pk)
        key = (rule.change.number, rule.owner.name, rule.reason)
        active.setdefault(key, []).append(rule.elements)
        if rule.ends_at <= until:
            expiring.setdefault(key, []).append(rule.elements)
    return active, expiring


def child(backend: str, *, quick: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from bench import datagen
    from caredesk import clock
    from caredesk.directory.models import Organisation, Person
    from caredesk.insights.handover import selectors
    from caredesk.tickets.models import Ticket

    rules, tickets = SIZES["quick" if quick else "full"]
    world_ids = datagen.build_world()
    datagen.fill(world_ids, tickets, label=f"{backend} tickets")
    lakeside = Organisation.objects.get(pk=world_ids["customers"][0])
    Ticket.objects.update(customer_org=lakeside)  # the one customer's 100,000 tickets
    people = {p.username: p for p in Person.objects.filter(username__contains=".")}
    _rules(people, lakeside, rules)
    reader = people["manager.a"]
    scope = selectors.scope_for(reader, customer_org_id=lakeside.pk, region_id=None)
    at = clock.now()
    selectors.handover_report(reader, scope, at=at)  # warm: caches and connection
    with Counted(connection) as q:
        started = time.perf_counter()
        report = selectors.handover_report(reader, scope, at=at)
        ours = time.perf_counter() - started
    ours_q = q.count
    assert report.active_mask_count == rules, report.active_mask_count
    with Counted(connection) as q:
        started = time.perf_counter()
        active, expiring = _naive(reader, scope, at, report.next_shift_end)
        naive = time.perf_counter() - started
    naive_q = q.count
    assert sum(len(v) for v in active.values()) == rules
    assert sum(len(v) for v in expiring.values()) == report.expiring_mask_count
    size = (
        f"{rules:,} active rules, {tickets:,} tickets "
        f"({len(report.urgent_tickets):,} open P1/P2, {len(report.breached_clocks):,} breached)"
    )
    rows = [
        _row(
            f"shift hand-over report, one customer (queries: {ours_q} vs {naive_q})",
            backend,
            size,
            ours,
            naive,
            ours_q,
            naive_q,
        )
    ]
    emit_rows(rows)


# ------------------------------------------------------------------ the parent


def run(quick: bool) -> list[dict]:
    rows: list[dict] = []
    with postgres_server() as server:
        for backend, key in (("SQLite", "sqlite"), ("PostgreSQL", "pg")):
            with fresh_database(key, server) as db_env:
                args = ["--child", backend, *(["--quick"] if quick else [])]
                what = f"hand-over benchmark on {backend}"
                rows += rows_of(run_child(__file__, args, child_env(db_env), what, timeout=3000))
    return rows


def report(rows: list[dict], quick: bool) -> str:
    return "\n".join(
        [
            f"# Shift hand-over report at scale{' (quick sizes)' if quick else ''}",
            "",
            machine_line(),
            "",
            table(rows),
            "",
            "Seconds for one report (lower is better); ratio: the naive way's time over"
            " CareDesk's, measured in the same run. CareDesk builds the whole report (every"
            " section) in a fixed number of queries; the naive way builds only the two masking"
            " sections, with one query per rule. The rules are bulk-inserted into 50 changes of"
            " one customer; the tickets are bench/datagen.py's, all moved to that customer.",
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
    save_rows("handover", rows, quick=args.quick)
    if not args.quick:
        (ROOT / "bench" / "handover.md").write_text(text)


if __name__ == "__main__":
    main()
