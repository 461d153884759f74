"""Import of N historical tickets from xlsx (the `tickets` kind, through the same
`imports.run()` the command and the import page's worker call) beside loading the same
workbook whole with openpyxl (`load_workbook(read_only=False)`, every cell read once), at two
sizes; rows per second and peak memory.

Each case runs in its own process. Memory is the peak resident size the measured part adds to
the process (the kernel's high-water mark is reset just before it: /proc/self/clear_refs), so
Django, the migrations and the cast are not counted; a streamed read keeps it flat as the file
grows, a workbook held whole grows with the file. The import writes into a fresh database with
the demo's cast (customers, products, regions, owners), one transaction, a savepoint per row.
The workbook is written once per size with openpyxl's write-only mode: the import kind's
Chinese headers, 85 % closed tickets, times over two years, Chinese titles and customer words.

    python bench/bench_import.py [--quick] [--backend sqlite|postgresql]... [--size N]...

Starts its own PostgreSQL cluster; writes bench/import.md.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (  # noqa: E402
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

SIZES = {"full": (10_000, 100_000), "quick": (500, 2_000)}
HEADER = ["工单号", "客户", "产品", "区域", "级别", "状态", "创建时间", "解决时间", "关闭时间",
          "负责人", "标题", "描述", "渠道", "站点", "解决说明"]  # fmt: skip
CUSTOMERS = ("江南省电信湖滨分公司", "江南省电信山城分公司", "North Ridge Mobile")
TITLES = ("基站退服", "核心网告警", "用户无法上网", "传输链路中断", "光功率偏低", "板卡温度告警")
OWNERS = ("engineer.b", "engineer.c", "partner.d")


# ------------------------------------------------------------------ the workbook
def write_workbook(path: Path, n: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(HEADER)
    start = dt.datetime(2024, 1, 1, 8, 0)
    for i in range(n):
        opened = start + dt.timedelta(minutes=10 * i)  # 100,000 tickets: about two years
        closed = i % 20 < 17  # 85 %
        resolved = opened + dt.timedelta(hours=2 + i % 30)
        sheet.append(
            [
                f"OLD-{opened.year}-{i:07d}",
                CUSTOMERS[i % 7 % 3],
                ("core", "wireless", "transport")[i % 3],
                ("lakeside", "hillside")[i % 5 % 2],
                ("P1", "P2", "P3", "P4")[min(3, i % 10 // 2)],
                "已关闭" if closed else ("处理中", "等待客户", "已受理")[i % 3],
                opened,
                resolved if closed else None,
                resolved + dt.timedelta(days=1) if closed else None,
                OWNERS[i % 11 % 3],
                f"{TITLES[i % len(TITLES)]}（站点 {i % 500}）",
                f"客户反映{TITLES[(i + 2) % len(TITLES)]}，已持续 {i % 48} 小时，影响业务。",
                ("电话", "邮件", "门户")[i % 3],
                f"BTS-{i % 500:04d}",
                "更换板卡后恢复" if closed else "",
            ]
        )
    book.save(path)


# ------------------------------------------------------------------ inside a child process
def _start_measuring() -> float:
    """Reset the peak resident size to the current one; return the current one in MB."""
    # Without the reset the peak counts everything before too (still an upper bound).
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status("VmRSS")


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measured(work) -> dict:
    before = _start_measuring()
    cpu, started = time.process_time(), time.perf_counter()
    count = work()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "rows": count,
        "seconds": seconds,
        "cpu_ms_per_row": 1000 * cpu / count,
        "peak_mb": _status("VmHWM") - before,
    }


def child_baseline(path: Path) -> None:
    from openpyxl import load_workbook

    def work():
        sheet = load_workbook(path, read_only=False, data_only=True).active
        return sum(1 for _ in sheet.iter_rows(min_row=2, values_only=True))

    print("RESULT " + json.dumps(_measured(work)), flush=True)


def child_import(path: Path, n: int, profile: str | None) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from caredesk.demo.world import build_world

    admin = build_world()["people"]["admin"]
    from caredesk.runtime import imports

    reports = []

    def work():
        report = imports.run(kind="tickets", path=path, actor=admin)
        reports.append(report)
        return report.rows

    if profile:
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(_measured, work)
        profiler.dump_stats(profile)
    else:
        result = _measured(work)
    report = reports[0]
    if (report.created, report.written) != (n, True):
        raise SystemExit(f"the import kept {report.created} of {n}: {report.problems[:5]}")
    emit_rows([result])


# ------------------------------------------------------------------ the parent
def _rows_for(backend: str, n: int, ours: dict, base: dict) -> list[dict]:
    common = {"backend": backend, "size": f"{n:,} rows"}
    return [
        {
            **common,
            "operation": "import tickets from xlsx, rows/s",
            "caredesk": n / ours["seconds"],
            "unit": "rows/s",
            "baseline": n / base["seconds"],
            "baseline_name": "openpyxl load_workbook whole, rows/s",
            "ratio": base["seconds"] / ours["seconds"],
        },
        {
            **common,
            "operation": "import tickets from xlsx, peak memory added",
            "caredesk": ours["peak_mb"],
            "unit": "MB",
            "baseline": base["peak_mb"],
            "baseline_name": "openpyxl load_workbook whole",
            "ratio": ours["peak_mb"] / base["peak_mb"] if base["peak_mb"] else None,
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument(
        "--size", type=int, action="append", help="rows (repeatable; default 10,000 and 100,000)"
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile the largest SQLite import")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "baseline":
            child_baseline(Path(args.child[1]))
        else:
            child_import(Path(args.child[1]), int(args.child[2]), args.child[3] or None)
        return
    sizes = tuple(args.size or SIZES["quick" if args.quick else "full"])
    backends = args.backend or ["sqlite", "postgresql"]
    rows, notes = [], []
    with tempfile.TemporaryDirectory(prefix="caredesk-bench-import.") as tmp:
        books, baselines = {}, {}
        for n in sizes:
            books[n] = Path(tmp) / f"tickets-{n}.xlsx"
            started = time.perf_counter()
            write_workbook(books[n], n)
            out = run_child(__file__, ["--child", "baseline", str(books[n])], {**os.environ},
                            f"baseline load of {n}", timeout=3600, need_rows=False)  # fmt: skip
            baselines[n] = json.loads(
                [ln for ln in out.splitlines() if ln.startswith("RESULT ")][-1][7:]
            )
            notes.append(
                f"{n:,} rows: {books[n].stat().st_size / 1e6:.1f} MB xlsx, written in"
                f" {time.perf_counter() - started:.0f} s"
            )
        with postgres_server() if "postgresql" in backends else _no_server() as server:
            for backend in backends:
                for n in sizes:
                    profile = args.profile if backend == "sqlite" and n == sizes[-1] else ""
                    with fresh_database(backend, server) as db:
                        out = run_child(
                            __file__,
                            ["--child", "import", str(books[n]), str(n), profile or ""],
                            child_env(db),
                            f"{backend} import of {n}",
                            timeout=7200,
                        )
                    ours = rows_of(out)[0]
                    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
                    rows += _rows_for(label, n, ours, baselines[n])
                    notes.append(
                        f"{label}, {n:,} rows: {ours['cpu_ms_per_row']:.2f} ms CPU per row"
                        f" (the baseline: {baselines[n]['cpu_ms_per_row']:.3f})"
                    )
                    print(table(rows[-2:]), flush=True)
    print(table(rows))
    print("\n".join(notes))
    part = (
        "" if not args.backend and not args.size else "-" + "-".join([*backends, *map(str, sizes)])
    )
    save_rows("import" + part, rows, args.quick)  # a partial run keeps the full run's rows
    if not args.quick and not args.backend and not args.size:
        text = "\n".join(
            [
                "# Import benchmark",
                "",
                machine_line(),
                "",
                __doc__.split("\n\n")[0].replace("\n", " "),
                "",
                table(rows),
                "",
                "Ratio of rows/s: the baseline's time over CareDesk's (below 1: the import is"
                " slower than just reading the workbook, as it writes every row). Ratio of"
                " memory: CareDesk's over the baseline's (below 1: lighter). CareDesk's peak is"
                " mostly the search segmenter's dictionary (jieba, about 60 MB here, loaded for"
                " the first row's search words): the same at every size.",
                "",
                *[f"- {note}" for note in notes],
                "",
            ]
        )
        (Path(__file__).resolve().parent / "import.md").write_text(text)


class _no_server:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
