"""Export of N ticket rows: streamed (rows written as they are made — what the export pages do)
beside building the whole list in memory first, for CSV and xlsx; time and peak memory.

Each case runs in its own subprocess, so its peak resident size (ru_maxrss) is its own. The
rows are ticket-shaped (number, severity, customer, Chinese title, owner, status, two times)
and generated, not read from a database: this measures the writers (caredesk.web.export), the
part whose memory grows with the list; the database side reads in chunks of 2,000 either way.
The xlsx writer (openpyxl's write-only workbook) is also measured beside XlsxWriter in its
`constant_memory` mode writing the same streamed rows, the other writer CareDesk could use.

    python bench/bench_export.py [--quick]
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import machine_line, save_rows, table  # noqa: E402

SIZES = {"full": 1_000_000, "quick": 5_000}
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _rows(n: int):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in range(n):
        at = start + dt.timedelta(minutes=i)
        yield [
            f"CD-2026-{i:06d}",
            ("P1", "P2", "P3", "P4")[i % 4],
            "湖滨分公司",
            f"基站掉话 {i} 次，告警 LOS",
            "李博",
            "处理中",
            at,
            at,
        ]


def child(fmt: str, mode: str, n: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")
    import django

    django.setup()
    from caredesk.web import export

    header = ["编号", "级别", "客户", "标题", "责任人", "状态", "创建", "更新"]
    rows = list(_rows(n)) if mode == "whole" else _rows(n)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"out.{fmt}"
        if fmt == "csv":
            with open(target, "w", encoding="utf-8", newline="") as out:
                for line in export.csv_lines(header, rows):
                    out.write(line)
        elif mode == "xlsxwriter":
            _write_xlsxwriter(target, header, rows, export._cell)
        else:
            export.write_xlsx(target, header, rows, title="tickets")
        size = target.stat().st_size
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps({"seconds": seconds, "peak_mb": peak_mb, "bytes": size}))


def _write_xlsxwriter(target, header, rows, cell) -> None:
    import xlsxwriter

    options = {"constant_memory": True, "default_date_format": DATE_FORMAT,
               "strings_to_formulas": False, "strings_to_urls": False}  # fmt: skip
    book = xlsxwriter.Workbook(str(target), options)
    sheet = book.add_worksheet("tickets")
    sheet.write_row(0, 0, header)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, [cell(v) for v in row])
    book.close()


def run_case(fmt: str, mode: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", fmt, mode, str(n)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads([ln for ln in out.splitlines() if ln.startswith("RESULT ")][-1][7:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        fmt, mode, n = args.child
        child(fmt, mode, int(n))
        return
    n = SIZES["quick" if args.quick else "full"]
    rows, notes = [], []
    for fmt in ("csv", "xlsx"):
        streamed = run_case(fmt, "streamed", n)
        whole = run_case(fmt, "whole", n)
        for what, key, unit in (("time", "seconds", "s"), ("peak memory", "peak_mb", "MB")):
            rows.append(
                {
                    "operation": f"export {fmt}, {what}",
                    "backend": "none (writer only)",
                    "size": f"{n:,} rows",
                    "caredesk": streamed[key],
                    "unit": unit,
                    "baseline": whole[key],
                    "baseline_name": "list built first",
                    "ratio": streamed[key] / whole[key] if whole[key] else None,
                }
            )
        notes.append(f"{fmt}: {streamed['bytes'] / 1e6:,.1f} MB file")
        if fmt == "xlsx":
            other = run_case(fmt, "xlsxwriter", n)
            for what, key, unit in (("time", "seconds", "s"), ("peak memory", "peak_mb", "MB")):
                rows.append(
                    {
                        "operation": f"export xlsx streamed, {what}: openpyxl beside XlsxWriter",
                        "backend": "none (writer only)",
                        "size": f"{n:,} rows",
                        "caredesk": streamed[key],
                        "unit": unit,
                        "baseline": other[key],
                        "baseline_name": "XlsxWriter constant_memory",
                        "ratio": streamed[key] / other[key] if other[key] else None,
                    }
                )
            notes.append(f"xlsx by XlsxWriter: {other['bytes'] / 1e6:,.1f} MB file")
        print(table(rows), flush=True)
    print(table(rows))
    save_rows("export", rows, args.quick)
    if not args.quick:
        text = "\n".join(
            [
                "# Export benchmark",
                "",
                machine_line(),
                "",
                __doc__.split("\n\n")[0].replace("\n", " "),
                "",
                table(rows),
                "",
                "Files: " + "; ".join(notes) + ". Ratio below 1: streaming is lighter/faster"
                " (in the XlsxWriter rows: openpyxl, CareDesk's writer, is lighter/faster).",
                "",
            ]
        )
        (ROOT / "bench" / "export.md").write_text(text)


if __name__ == "__main__":
    main()
