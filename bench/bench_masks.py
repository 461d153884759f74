"""Masking rules at scale: bulk-creating rules through the API in one change, and reconciling
Alertmanager's silences — each beside the naive way in the same run.

    python bench/bench_masks.py [--quick]

- Bulk create: one POST /api/v1/masks with N rules (in-process, Django's test client and a
  real bearer token), against the naive way: the same rows written one rule at a time (rule,
  element, two timers, audit record: five INSERTs a rule) in one transaction, no checks.
- Reconcile: a real Alertmanager (scripts/testam.sh) holding M live silences, all but ten of
  them CareDesk's; sync.reconcile() reads them and records the ten, against the naive way:
  one query per silence to find its rule, and a get-or-create per unauthorised one.
Queries issued are counted for each. Starts its own PostgreSQL cluster and Alertmanager;
writes bench/masks.md.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

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

SIZES = {"full": 10000, "quick": 300}
FOREIGN = 10


def _row(operation, backend, size, value, unit, baseline, baseline_name, queries, base_q):
    return {
        "operation": operation,
        "backend": backend,
        "size": size,
        "caredesk": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "ratio": (value / baseline) if baseline else None,
        "p50": None,
        "p95": None,
        "p99": None,
        "queries": queries,
        "baseline_queries": base_q,
    }


# ------------------------------------------------------------------ inside a child process


def _world():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from caredesk.demo.world import build_world

    return build_world()


def _change(world):
    from caredesk import clock
    from caredesk.fieldwork.models import ChangeKind, ChangeRequest, ChangeStatus

    now = clock.now()
    return ChangeRequest.objects.create(
        kind=ChangeKind.ALARM_MASKING,
        status=ChangeStatus.APPROVED,
        customer_org=world["orgs"]["lakeside"],
        requester=world["people"]["engineer.b"],
        executor=world["people"]["partner.d"],
        title="bench",
        plan="bench",
        window_start=now,
        window_end=now + dt.timedelta(hours=8),
        vendor_approved_at=now,
        approved_at=now,
        created_at=now,
        updated_at=now,
    )


def _naive_create(world, change, n: int) -> None:
    """The rows of n rules, one rule at a time, in one transaction."""
    from django.db import transaction

    from caredesk import clock
    from caredesk.audit import services as audit
    from caredesk.fieldwork.models import MaskedElement, MaskingRule
    from caredesk.timers import services as timers

    owner = world["people"]["partner.d"]
    now = clock.now()
    with transaction.atomic():
        for i in range(n):
            rule = MaskingRule.objects.create(
                change=change,
                customer_org_id=change.customer_org_id,
                matchers=[
                    {"name": "ne", "value": f"NN-{i:05d}", "isRegex": False, "isEqual": True}
                ],
                elements=[f"NN-{i:05d}"],
                reason="naive",
                owner=owner,
                created_by=owner,
                batch="naive",
                starts_at=now,
                ends_at=now + dt.timedelta(hours=10),
                sync_due_at=now,
                created_at=now,
                updated_at=now,
            )
            MaskedElement.objects.create(rule=rule, element=rule.elements[0])
            timers.schedule(kind="masks.expire", subject=f"mask:{rule.pk}", due_at=rule.ends_at)
            timers.schedule(kind="masks.expiring", subject=f"mask:{rule.pk}", due_at=rule.ends_at)
            audit.record(actor=owner, action="mask.create", obj=rule, after={"id": rule.pk})


def _naive_reconcile(client) -> None:
    from django.db import transaction

    from caredesk import clock
    from caredesk.fieldwork.masks.alertmanager import LIVE_STATES
    from caredesk.fieldwork.models import ForeignSilence, MaskingRule

    now = clock.now()
    listed = client.list_silences()
    with transaction.atomic():
        for s in listed.silences:
            if s["status"]["state"] not in LIVE_STATES:
                continue
            if not MaskingRule.objects.filter(silence_id=s["id"], status="active").exists():
                ForeignSilence.objects.get_or_create(
                    silence_id=f"naive-{s['id']}",
                    defaults={"state": "active", "first_seen_at": now, "last_seen_at": now},
                )


class Counted:
    """Counts the SQL statements run inside the block (Django's own query log keeps only the
    last 9,000, too few for the naive ways)."""

    def __init__(self, connection):
        self.connection, self.count = connection, 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def child(backend: str, am_url: str, ids_file: str, *, quick: bool) -> None:
    world = _world()  # sets Django up: the imports below need it
    from django.db import connection
    from django.test import Client

    from caredesk import clock
    from caredesk.directory.models import ApiToken
    from caredesk.fieldwork.masks import alertmanager, sync
    from caredesk.fieldwork.models import MaskingRule, SyncState

    n = SIZES["quick" if quick else "full"]
    change = _change(world)
    key = ApiToken.new_key()
    ApiToken.objects.create(
        person=world["people"]["partner.d"], key_hash=ApiToken.hash_key(key), prefix=key[:10]
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/masks").status_code == 200  # warm: the API's first call builds it
    ends = (clock.now() + dt.timedelta(hours=10)).isoformat()
    body = json.dumps(
        {
            "change": change.pk,
            "rules": [
                {
                    "elements": [f"NE-{i:05d}"],
                    "alarm_codes": ["CUTOVER"],
                    "reason": "割接",
                    "ends_at": ends,
                }
                for i in range(n)
            ],
        }
    )
    with Counted(connection) as q:
        started = time.perf_counter()
        answer = api.post("/api/v1/masks", body, content_type="application/json")
        ours = time.perf_counter() - started
    assert answer.status_code == 201, answer.content[:500]
    bulk_queries = q.count
    naive_change = _change(world)
    with Counted(connection) as q:
        started = time.perf_counter()
        _naive_create(world, naive_change, n)
        naive = time.perf_counter() - started
    naive_queries = q.count

    # The silences the parent made: all but FOREIGN are the rules' own.
    with open(ids_file) as f:
        silence_ids = json.load(f)
    rules = list(MaskingRule.objects.filter(change=change).order_by("pk")[: n - FOREIGN])
    for rule, sid in zip(rules, silence_ids, strict=False):
        rule.silence_id, rule.sync_state = sid, SyncState.IN_STEP
    MaskingRule.objects.bulk_update(rules, ["silence_id", "sync_state"], batch_size=1000)
    client = alertmanager.Client(am_url)
    client.list_silences()  # warm the connection
    with Counted(connection) as q:
        started = time.perf_counter()
        run = sync.reconcile(client=client)
        rec = time.perf_counter() - started
    rec_queries = q.count
    assert run.ok and run.unauthorised == FOREIGN, (run.ok, run.detail, run.unauthorised)
    with Counted(connection) as q:
        started = time.perf_counter()
        _naive_reconcile(client)
        naive_rec = time.perf_counter() - started
    naive_rec_queries = q.count
    rows = [
        _row(
            f"bulk-create masking rules via API (queries: {bulk_queries} vs {naive_queries})",
            backend,
            f"{n:,} rules, one change",
            n / ours,
            "rules/s",
            n / naive,
            "one rule at a time",
            bulk_queries,
            naive_queries,
        ),
        _row(
            f"reconcile Alertmanager silences (queries: {rec_queries} vs {naive_rec_queries})",
            backend,
            f"{n:,} silences, {FOREIGN} unauthorised",
            n / rec,
            "silences/s",
            n / naive_rec,
            "one query per silence",
            rec_queries,
            naive_rec_queries,
        ),
    ]
    emit_rows(rows)


# ------------------------------------------------------------------ the parent


def _silences(am_url: str, n: int) -> list[str]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")
    django.setup()
    from caredesk.fieldwork.masks.alertmanager import Client

    client = Client(am_url)
    now = dt.datetime.now(dt.UTC)
    ids = []
    for i in range(n):
        made = client.create_silence(
            matchers=[{"name": "ne", "value": f"NE-{i:05d}", "isRegex": False, "isEqual": True}],
            starts_at=now,
            ends_at=now + dt.timedelta(days=1),
            created_by="bench",
            comment=f"bench {i}",
        )
        assert made.ok, made.detail
        ids.append(made.silence_id)
    client.close()
    return ids


def run(quick: bool) -> list[dict]:
    n = SIZES["quick" if quick else "full"]
    rows: list[dict] = []
    am_dir = tempfile.mkdtemp(prefix="caredesk-bench-am.")
    am_url = subprocess.run(
        [str(ROOT / "scripts" / "testam.sh"), "start", am_dir],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    ids_file = os.path.join(am_dir, "ids.json")
    try:
        with open(ids_file, "w") as f:
            json.dump(_silences(am_url, n), f)
        with postgres_server() as server:
            for backend, key in (("SQLite", "sqlite"), ("PostgreSQL", "pg")):
                with fresh_database(key, server) as db_env:
                    env = child_env(db_env)
                    env["CAREDESK_ALLOWED_HOSTS"] = "testserver"
                    args = ["--child", backend, am_url, ids_file] + (["--quick"] if quick else [])
                    out = run_child(
                        __file__, args, env, f"masks benchmark on {backend}", timeout=3000
                    )
                    rows += rows_of(out)
    finally:
        subprocess.run([str(ROOT / "scripts" / "testam.sh"), "stop", am_dir], cwd=ROOT)
    return rows


def report(rows: list[dict], quick: bool) -> str:
    return "\n".join(
        [
            f"# Masking rules: bulk create and reconcile{' (quick sizes)' if quick else ''}",
            "",
            machine_line(),
            "",
            table(rows),
            "",
            "Ratio: CareDesk's rate over the naive way's, measured in the same run. Queries: the"
            " SQL statements each issued (the naive ways issue several per rule or silence;"
            " CareDesk's reconcile a fixed handful, its bulk create one INSERT per batch of"
            " rows). Both reconciles include reading Alertmanager's list over HTTP.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("BACKEND", "AM_URL", "IDS"))
    args = parser.parse_args()
    if args.child:
        child(*args.child, quick=args.quick)
        return
    rows = run(args.quick)
    text = report(rows, args.quick)
    print(text)
    save_rows("masks", rows, quick=args.quick)
    if not args.quick:
        (ROOT / "bench" / "masks.md").write_text(text)


if __name__ == "__main__":
    main()
