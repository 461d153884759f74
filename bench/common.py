"""Shared by the benchmarks: the machine line, throwaway databases, worker processes, rows.

Each benchmark prints its table and returns rows of the form
{"operation", "backend", "size", "caredesk", "baseline", "baseline_name", "ratio", "unit",
 "p50", "p95", "p99"}; bench/run.py gathers them into bench/RESULTS.md.
"""

import contextlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"


def machine_line() -> str:
    pg = subprocess.run(
        [str(ROOT / "scripts" / "pg-bin"), "postgres"], capture_output=True, text=True
    ).stdout.strip()
    pg_version = (
        subprocess.run([pg, "--version"], capture_output=True, text=True).stdout.strip()
        if pg
        else "PostgreSQL not found"
    )
    return (
        f"{os.cpu_count()} cores · {platform.machine()} · Python {platform.python_version()} · "
        f"SQLite {sqlite3.sqlite_version} · {pg_version}"
    )


@contextlib.contextmanager
def postgres_server():
    """A throwaway PostgreSQL cluster on loopback (scripts/testpg.sh), or $BENCH_DATABASE_URL."""
    if os.environ.get("BENCH_DATABASE_URL"):
        yield os.environ["BENCH_DATABASE_URL"]
        return
    folder = tempfile.mkdtemp(prefix="caredesk-bench-pg.")
    url = subprocess.run(
        [str(ROOT / "scripts" / "testpg.sh"), "start", folder],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([str(ROOT / "scripts" / "testpg.sh"), "stop", folder], cwd=ROOT)


@contextlib.contextmanager
def fresh_database(backend: str, server_url: str | None):
    """A new empty database (an SQLite file, or a database created on the server), with an
    audit checkpoint log of its own."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="caredesk-bench-sqlite.")
        path = Path(folder) / "bench.sqlite3"
        yield {
            "DATABASE_URL": "",
            "CAREDESK_SQLITE_PATH": str(path),
            "CAREDESK_AUDIT_CHECKPOINTS": str(Path(folder) / "audit-checkpoints.log"),
        }
        for f in Path(folder).glob("*"):
            f.unlink()
        os.rmdir(folder)
        return
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = server_url.rsplit("/", 1)[0]
    # Each database's audit chain gets its own checkpoint log, not the checkout's var/.
    checkpoints = Path(tempfile.mkdtemp(prefix="caredesk-bench-audit.")) / "checkpoints.log"
    try:
        yield {"DATABASE_URL": f"{base}/{name}", "CAREDESK_AUDIT_CHECKPOINTS": str(checkpoints)}
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        checkpoints.unlink(missing_ok=True)
        checkpoints.parent.rmdir()


def child_env(db_env: dict) -> dict:
    # A few tokens make thousands of calls a minute here: the per-token limit is set out of
    # reach, so its counting is measured but it never refuses (the peer has no limit at all).
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caredesk.settings",
        "CAREDESK_API_RATE_PER_MINUTE": "1000000000",
        **db_env,
    }


def manage(db_env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=child_env(db_env),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def start_workers(db_env: dict, count: int, *extra: str) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "worker", "--name", f"bench{i}", *extra],
            env=child_env(db_env),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(count)
    ]


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def save_rows(name: str, rows: list[dict], quick: bool = False) -> None:
    """Rows for bench/run.py; quick-size rows are kept apart from full-size ones."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}{'.quick' if quick else ''}.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1))


def table(rows: list[dict]) -> str:
    head = "| operation | backend | size | CareDesk | baseline | ratio | p50 | p95 | p99 |"
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        base = f"{r['baseline']:,.1f} ({r['baseline_name']})" if r.get("baseline") else "—"
        ratio = f"{r['ratio']:.2f}×" if r.get("ratio") else "—"
        lat = [f"{r[k]:.1f} ms" if r.get(k) is not None else "—" for k in ("p50", "p95", "p99")]
        lines.append(
            f"| {r['operation']} | {r['backend']} | {r['size']} | "
            f"{r['caredesk']:,.1f} {r['unit']} | {base} | {ratio} | {' | '.join(lat)} |"
        )
    return "\n".join(lines)


class Stopwatch:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


# The parent/child protocol: a benchmark runs its measuring half as a child process on a
# throwaway database; the child prints its rows on one "ROWS <json>" line.
ROWS_PREFIX = "ROWS "


def emit_rows(rows: list[dict]) -> None:
    """The child's last word: its rows, on one line the parent picks out of the output."""
    print(ROWS_PREFIX + json.dumps(rows), flush=True)


def rows_of(stdout: str) -> list[dict]:
    """The rows a child printed last ([] when it printed none)."""
    lines = [ln for ln in stdout.splitlines() if ln.startswith(ROWS_PREFIX)]
    return json.loads(lines[-1][len(ROWS_PREFIX) :]) if lines else []


def run_child(
    script: str, args: list[str], env: dict, what: str, timeout: int, need_rows: bool = True
) -> str:
    """Run `script args` with `env` (child_env of a throwaway database) and return its output;
    a failed child (or one that printed no rows when rows are needed) ends the benchmark with
    the tail of what it said."""
    out = subprocess.run(
        [sys.executable, script, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode or (need_rows and not rows_of(out.stdout)):
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
        raise SystemExit(f"{what} failed")
    return out.stdout
