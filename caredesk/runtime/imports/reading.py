"""Reading a file as rows of named cells, and parsing the cells (see the package's docstring)."""

import codecs
import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from caredesk.inputs import TEXT_FILE_ENCODINGS

MAX_ROWS = 200_000


class ImportFileError(Exception):
    """The file as a whole cannot be read (unknown type, no header row, a column missing)."""


class RowError(Exception):
    def __init__(self, column: str, reason: str):
        self.column, self.reason = column, reason
        super().__init__(f"{column}: {reason}")


@dataclass
class Problem:
    row: int
    column: str
    reason: str


@dataclass
class Report:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})


# ------------------------------------------------------------------ reading
CHUNK = 1 << 20  # bytes read at a time: a CSV is never held whole


def _sniff(path: Path) -> tuple[str, int]:
    """The CSV's encoding and how many lines it has, in one pass over its bytes.

    The encoding is decided on the first chunk that holds a byte beyond ASCII (the bytes
    before it read the same in both): UTF-8 (a BOM or not) when that chunk decodes as UTF-8,
    else GB18030. A chunk may end inside a character; the decoders are told more follows."""
    encoding, lines, last = "", 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            if encoding or chunk.isascii():
                continue
            for candidate in TEXT_FILE_ENCODINGS:
                try:
                    codecs.getincrementaldecoder(candidate)().decode(chunk, final=False)
                except UnicodeDecodeError:
                    continue
                encoding = candidate
                break
            else:
                raise ImportFileError("The file is neither UTF-8 nor GB18030 text.")
    return encoding or "utf-8-sig", lines + (last != b"\n")


def _csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        lines = csv.reader(f)
        try:
            yield from lines
        except UnicodeDecodeError:
            name = "UTF-8" if encoding.startswith("utf") else "GB18030"
            raise ImportFileError(
                # Decoded a block at a time: the bad bytes lie somewhere past the rows read.
                f"Beyond row {lines.line_num} the file is not {name} text like the rows "
                "before it: save the whole file in one encoding."
            ) from None


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]], int | None]:
    """The header, the data rows (with their row number in the file: the header is 1) and how
    many rows the file says it holds (None when it does not say). Both kinds of file stream:
    xlsx through openpyxl's read-only mode, CSV line by line."""
    suffix = path.suffix.lower()
    total = None
    if suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
            raise ImportFileError(f"Not a readable xlsx workbook: {exc}") from exc
        sheet = book.active
        rows = sheet.iter_rows(values_only=True)
        total = sheet.max_row - 1 if sheet.max_row else None
    elif suffix in {".csv", ".txt"}:
        encoding, lines = _sniff(path)
        total = max(lines - 1, 0)  # the header's line is not a row (a quoted newline may be)
        rows = _csv_rows(path, encoding)
    else:
        raise ImportFileError(f"Unknown file type {suffix or '(none)'}: use .xlsx or .csv.")
    header = next(rows, None)
    if header is None:
        raise ImportFileError("The file is empty: the first row must name the columns.")
    names = [str(h).strip() if h is not None else "" for h in header]

    def data():
        for number, values in enumerate(rows, start=2):
            values = list(values)
            if all(v is None or str(v).strip() == "" for v in values):
                continue  # blank lines Excel leaves at the end
            yield number, values

    return names, data(), total


# ------------------------------------------------------------------ cell parsers
def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps phone numbers and codes as numbers
    return str(value).strip()


def choice_of(choices: type, label: str) -> Callable[[Any], str]:
    by_text = {}
    for value, name in choices.choices:
        by_text[value.lower()] = value
        by_text[str(name).lower()] = value
    with_zh = {**by_text, **_ZH.get(choices.__name__, {})}

    def parse(value) -> str:
        given = text(value)
        found = with_zh.get(given.lower())
        if found is None:
            raise ValueError(f"unknown {label} {given!r}")
        return found

    return parse


_ZH = {
    "OrgKind": {"供应商办事处": "vendor_office", "办事处": "vendor_office", "合作方": "partner",
                "客户": "customer"},
    "Role": {"客户联系人": "customer_contact", "工程师": "engineer",
             "合作方工程师": "partner_engineer", "服务经理": "service_manager",
             "产品维护经理": "product_leader", "客户经理": "account_head",
             "热线坐席": "hotline_agent", "管理员": "admin"},
    "LadderRole": {"服务经理": "service_manager", "产品维护经理": "product_leader",
                   "客户经理": "account_head"},
    "Status": {"新建": "new", "已受理": "acknowledged", "处理中": "in_progress",
               "等待客户": "waiting_customer", "已解决": "resolved", "已关闭": "closed",
               "关闭": "closed", "重新打开": "reopened"},
    "Channel": {"门户": "portal", "电话": "phone", "邮件": "email", "热线": "hotline",
                "即时消息": "im", "现场": "onsite"},
    "DayKind": {"节假日": "holiday", "假日": "holiday", "调休上班": "workday", "补班": "workday",
                "工作日": "workday"},
}  # fmt: skip


def date_of(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    given = text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(given)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {given!r}") from None


def language_of(value) -> str:
    given = text(value).lower()
    found = {"zh": "zh-hans", "zh-hans": "zh-hans", "中文": "zh-hans", "en": "en",
             "english": "en", "英文": "en"}.get(given)  # fmt: skip
    if found is None:
        raise ValueError(f"unknown language {given!r} (zh-hans or en)")
    return found


def moment_of(value) -> dt.datetime:
    """A date and time; without a zone it is the installation's (what an office's old system
    and its Excel show)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        given = text(value).replace("/", "-")
        try:
            moment = dt.datetime.fromisoformat(given)
        except ValueError:
            raise ValueError(f"not a date and time (YYYY-MM-DD HH:MM): {given!r}") from None
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def time_of(value) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    given = text(value)
    try:
        return dt.time.fromisoformat(given if len(given) != 4 else "0" + given)
    except ValueError:
        raise ValueError(f"not a time of day (HH:MM): {given!r}") from None
