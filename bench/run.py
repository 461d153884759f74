"""`make bench`: run every benchmark (bench/bench_*.py) and gather bench/RESULTS.md.

    python bench/run.py [--quick] [--only NAME]

Each benchmark runs in its own process, starts and stops the servers it needs, and saves its
rows to var/bench/NAME.json. --quick runs small sizes (CI smoke: nothing is asserted about
speed) and leaves the committed tables alone.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import OUT, machine_line, table  # noqa: E402


def _commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "caredesk"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return (out or "unknown") + (" with uncommitted changes" if dirty else "")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="run just bench_NAME.py")
    parser.add_argument(
        "--collect",
        action="store_true",
        help="run nothing: rebuild RESULTS.md from the rows the last full runs saved",
    )
    args = parser.parse_args()
    scripts = sorted((ROOT / "bench").glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem == f"bench_{args.only}"]
    failed = []
    rows = []
    for script in [] if args.collect else scripts:
        name = script.stem.removeprefix("bench_")
        (OUT / f"{name}{'.quick' if args.quick else ''}.json").unlink(missing_ok=True)
        print(f"== {name}", flush=True)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, str(script), *(["--quick"] if args.quick else [])], cwd=ROOT
        )
        print(f"== {name}: {time.monotonic() - started:.0f} s, exit {result.returncode}")
        if result.returncode:
            failed.append(name)
    for script in scripts:
        saved = OUT / f"{script.stem.removeprefix('bench_')}{'.quick' if args.quick else ''}.json"
        if saved.exists():
            rows += json.loads(saved.read_text())
    text = "\n".join(
        [
            "# CareDesk benchmarks" + (" (quick sizes)" if args.quick else ""),
            "",
            machine_line(),
            "",
            f"Code: commit {_commit()}.",
            "",
            (
                "Gathered by `bench/run.py --collect` from each benchmark's last full-size run on"
                " this machine"
                if args.collect
                else "Every row is measured in the same `make bench` run"
            )
            + "; within a benchmark, CareDesk and its baseline always come from one run. The"
            " baseline column names what each row is compared with. Per-benchmark notes: the"
            " other .md files in bench/.",
            "",
            table(rows),
            "",
        ]
    )
    print(text)
    if not args.quick and not args.only:
        (ROOT / "bench" / "RESULTS.md").write_text(text)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
