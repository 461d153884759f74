"""Memory over a soak: RSS of one gunicorn web process and one `manage.py worker` at the start
and after ten minutes of the create + comment + list mix (bench/mixload.py) on PostgreSQL.

    python bench/bench_soak.py [--quick]

One gunicorn sync worker (so "the web process" is one process) and one worker; a bounded load
(CLIENTS clients, each at most one cycle of create, comment, list, list per PACE seconds, on
loopback) keeps both busy without saturating the machine. RSS is VmRSS from /proc/PID/status,
read when the processes are up, after a warm-up (the first requests import code and fill
caches: that growth is start-up, not a leak), then every minute. The row is the RSS at the
end beside the RSS after the warm-up (goal: flat within 10 %, a ratio ≤ 1.10). Writes
bench/soak.md.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import mixload  # noqa: E402
from bench.common import (  # noqa: E402
    ROOT,
    fresh_database,
    machine_line,
    postgres_server,
    save_rows,
    table,
)

SIZES = {  # tickets, warm-up seconds, samples, seconds between samples
    "full": (2_000, 30.0, 10, 60.0),
    "quick": (500, 3.0, 4, 5.0),
}
CLIENTS, PACE = 2, 0.5
GOAL = 1.10


def run(quick: bool) -> dict:
    size, warm, samples, every = SIZES["quick" if quick else "full"]
    with (
        postgres_server() as server,
        fresh_database("pg", server) as db_env,
        mixload.smtp_sink() as smtp,
    ):
        info = mixload.prepare(db_env, size)
        with (
            mixload.web(db_env, smtp, 1) as (base, master),
            mixload.workers(db_env, smtp, 1) as (worker,),
        ):
            (web_pid,) = mixload.children(master.pid)
            pids = {"web": web_pid, "worker": worker.pid}
            rss = {k: [mixload.rss_kib(p)] for k, p in pids.items()}  # at boot
            drive = {"clients": CLIENTS, "pace": PACE}
            loads = [mixload.drive(base, info, seconds=warm, **drive)]
            for k, p in pids.items():
                rss[k].append(mixload.rss_kib(p))  # after the warm-up
            for _ in range(samples):
                loads.append(mixload.drive(base, info, seconds=every, **drive))
                for k, p in pids.items():
                    rss[k].append(mixload.rss_kib(p))
    soak = loads[1:]
    load = os.getloadavg()
    return {
        "rss": rss,
        "minutes": samples * every / 60,
        "ops": sum(x["ops"] for x in soak),
        "rate": sum(x["ops"] for x in soak) / sum(x["elapsed"] for x in soak),
        "errors": sum(x["errors"] for x in loads),
        "size": size,
        "warm": warm,
        "every": every,
        "load": f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    }


def rows_of(result: dict) -> list[dict]:
    minutes = result["minutes"]
    span = f"{minutes:g} min" if minutes >= 1 else f"{minutes * 60:.0f} s"
    size = f"{span}, {result['ops']:,} requests"
    return [
        {
            "operation": f"RSS of a {who} after a mixed soak",
            "backend": "PostgreSQL",
            "size": size,
            "caredesk": series[-1] / 1024,
            "unit": "MiB",
            "baseline": series[1] / 1024,
            "baseline_name": "after warm-up, MiB; goal ≤ 1.10×",
            "ratio": series[-1] / series[1],
            "p50": None,
            "p95": None,
            "p99": None,
        }
        for who, series in (
            ("gunicorn web process", result["rss"]["web"]),
            ("manage.py worker", result["rss"]["worker"]),
        )
    ]


def report(result: dict, rows: list[dict], quick: bool) -> str:
    every = result["every"]
    head = ["at boot", f"after {result['warm']:g} s warm-up"] + [
        f"{(i + 1) * every / 60:g} min" if every >= 60 else f"{(i + 1) * every:g} s"
        for i in range(len(result["rss"]["web"]) - 2)
    ]
    lines = [
        f"# Memory over a mixed soak{' (quick sizes)' if quick else ''}",
        "",
        machine_line() + f" · {result['load']} at the end",
        "",
        f"One gunicorn sync worker and one `manage.py worker` on PostgreSQL ({result['size']:,}"
        f" tickets to start), {CLIENTS} clients each at most one create + comment + list + list"
        f" cycle per {PACE:g} s: {result['rate']:.1f} requests/s over the soak,"
        f" {result['errors']} errors. RSS is VmRSS from /proc/PID/status.",
        "",
        table(rows),
        "",
        "| process | " + " | ".join(head) + " |",
        "|---|" + "---:|" * len(head),
    ]
    for who, series in result["rss"].items():
        lines.append(f"| {who} | " + " | ".join(f"{v / 1024:.1f} MiB" for v in series) + " |")
    verdict = all(r["ratio"] <= GOAL for r in rows)
    lines += [
        "",
        f"End beside after-warm-up: {', '.join(f'{r["ratio"]:.3f}×' for r in rows)} (web,"
        f" worker); the goal is ≤ {GOAL:.2f}×: {'met' if verdict else 'NOT met'}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    result = run(args.quick)
    rows = rows_of(result)
    text = report(result, rows, args.quick)
    print(text)
    save_rows("soak", rows, quick=args.quick)
    if not args.quick:
        (ROOT / "bench" / "soak.md").write_text(text)


if __name__ == "__main__":
    main()
