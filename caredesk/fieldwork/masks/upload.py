"""Masking rules from a spreadsheet (xlsx) or CSV upload: one rule a row, under a header row.

Columns (English or Chinese headers, in any order; only `reason` is required):
elements (网元), alarm_codes (告警码), matchers (匹配条件, as `name="value"; name=~"regex"`),
reason (原因), starts_at (开始), ends_at (结束, `YYYY-MM-DD HH:MM` in the installation's zone, or
ISO 8601 with an offset), owner (责任人, a username). Several elements or codes in one cell are
separated by commas, semicolons or new lines. What a cell cannot say is kept on its draft as a
problem naming its row and column, so the services refuse the file with every bad row named.
"""

import csv
import datetime as dt
import io
import re
import zipfile

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caredesk.directory.models import Person
from caredesk.inputs import decode_text_file

from . import matchers as matching
from .services import RuleDraft

COLUMNS = {
    "elements": ("elements", "element", "ne", "网元"),
    "alarm_codes": ("alarm_codes", "alarm_code", "alarm codes", "告警码", "告警编码"),
    "matchers": ("matchers", "matcher", "匹配条件", "匹配"),
    "reason": ("reason", "原因", "屏蔽原因"),
    "starts_at": ("starts_at", "start", "开始", "开始时间"),
    "ends_at": ("ends_at", "end", "结束", "结束时间", "到期时间"),
    "owner": ("owner", "责任人"),
}
HEADER = {alias.casefold(): column for column, names in COLUMNS.items() for alias in names}
MAX_ROWS = 20000
MAX_BYTES = 5 * 1024 * 1024


class UploadUnreadable(Exception):
    """The file is not a spreadsheet or CSV this reads (its message says why)."""


def _cells(raw: bytes, name: str) -> list[list]:
    if name.lower().endswith(".xlsx") or raw[:2] == b"PK":
        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise UploadUnreadable(str(_("Not an xlsx file this can read."))) from exc
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    text = decode_text_file(raw)
    if text is None:
        raise UploadUnreadable(str(_("Save the CSV as UTF-8.")))
    return list(csv.reader(io.StringIO(text)))


def _split(value) -> list[str]:
    if value is None:
        return []
    return [v.strip() for v in re.split(r"[,;，；\n]", str(value)) if v.strip()]


def _moment(value) -> dt.datetime | None | str:
    """A cell's time: aware, or None when empty, or the words of why it is not a time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("/", "-"))
        except ValueError:
            return str(_("Give a time as YYYY-MM-DD HH:MM."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def read(raw: bytes, name: str) -> list[RuleDraft]:
    """The rules of an uploaded file, one draft a data row, each knowing its row number in the
    sheet (the header is row 1; blank rows are skipped but counted). Raises UploadUnreadable
    for a file that is not a table at all, or has no `reason` column."""
    if len(raw) > MAX_BYTES:
        raise UploadUnreadable(str(_("At most 5 MB.")))
    rows = _cells(raw, name)
    if not rows:
        raise UploadUnreadable(str(_("The file is empty.")))
    columns = [HEADER.get(str(h or "").strip().casefold()) for h in rows[0]]
    if "reason" not in columns:
        raise UploadUnreadable(
            str(_("The first row names the columns: at least reason (原因), and elements (网元)."))
        )
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise UploadUnreadable(str(_("At most %(n)d rows.") % {"n": MAX_ROWS}))
    usernames = set()
    table = []
    for number, values in enumerate(body, start=2):
        cells = {c: v for c, v in zip(columns, values, strict=False) if c}
        if not any(v not in (None, "") for v in cells.values()):
            continue
        table.append((number, cells))
        if cells.get("owner"):
            usernames.add(str(cells["owner"]).strip())
    people = {p.username: p for p in Person.objects.filter(username__in=usernames)}
    return [_draft(number, cells, people) for number, cells in table]


def _draft(number: int, cells: dict, people: dict[str, Person]) -> RuleDraft:
    problems = []
    given, bad = matching.parse_text(str(cells.get("matchers") or ""))
    if bad is not None:
        problems.append(
            ("matchers", "matcher_text", str(_("Not a matcher: %(text)s")) % {"text": bad[:80]})
        )
    times = {}
    for column in ("starts_at", "ends_at"):
        moment = _moment(cells.get(column))
        if isinstance(moment, str):
            problems.append((column, "invalid_time", moment))
            moment = None
        times[column] = moment
    owner = None
    if name := str(cells.get("owner") or "").strip():
        owner = people.get(name)
        if owner is None:
            problems.append(
                ("owner", "owner_invalid", str(_("No such person: %(name)s")) % {"name": name[:80]})
            )
    return RuleDraft(
        reason=str(cells.get("reason") or ""),
        matchers=given,
        elements=_split(cells.get("elements")),
        alarm_codes=_split(cells.get("alarm_codes")),
        starts_at=times["starts_at"],
        ends_at=times["ends_at"],
        owner=owner,
        preset=problems,
        row=number,
    )
