"""Importing what an office arrives with: spreadsheets of organisations, people, products,
regions, the responsibility matrix, role assignments and holidays.

A file is read as rows of named columns: xlsx through openpyxl's read-only mode (rows stream,
the workbook is never held whole), CSV in UTF-8 (with or without a BOM) or GB18030, the
encoding Chinese Excel writes. Headers are matched to each kind's columns by their English or
Chinese names, or by an explicit mapping (`--map 姓名=display_name`).

Each row becomes one call of the owning app's verb (directory.services, calendars.services),
so the same checks, permissions and audit records apply as on the admin pages. Rows are keyed
by their natural key (a username, a product or region code, an organisation's name, a product ×
region cell, a calendar date): importing the same file again changes nothing and reports every
row as unchanged.

The whole file is one transaction, with a savepoint per row. A bad row is recorded with its row
number, column and reason, and the import goes on to find all the others. At the end, any error
rolls everything back, unless `skip_bad_rows` keeps the good rows. `dry_run` does all the work
and then rolls it back, so its report is exactly what a real run would do.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk.calendars import services as calendars
from caredesk.calendars.models import Calendar, DayKind
from caredesk.directory import policy
from caredesk.directory import services as directory
from caredesk.directory.models import (
    LadderRole,
    Organisation,
    OrgKind,
    Person,
    Product,
    Region,
    Responsibility,
    Role,
    RoleAssignment,
    Team,
)
from caredesk.errors import DomainError, PermissionDenied
from caredesk.inputs import decode_text_file

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
def _decode(raw: bytes) -> str:
    text = decode_text_file(raw)
    if text is None:
        raise ImportFileError("The file is neither UTF-8 nor GB18030 text.")
    return text


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]], int | None]:
    """The header, the data rows (with their row number in the file: the header is 1) and how
    many rows the file says it holds (None when it does not say)."""
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
        content = _decode(path.read_bytes())
        total = content.count("\n")
        rows = csv.reader(io.StringIO(content))
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


def _choice(choices: type, label: str) -> Callable[[Any], str]:
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
    "DayKind": {"节假日": "holiday", "假日": "holiday", "调休上班": "workday", "补班": "workday",
                "工作日": "workday"},
}  # fmt: skip


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    given = text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(given)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {given!r}") from None


def _language(value) -> str:
    given = text(value).lower()
    found = {"zh": "zh-hans", "zh-hans": "zh-hans", "中文": "zh-hans", "en": "en",
             "english": "en", "英文": "en"}.get(given)  # fmt: skip
    if found is None:
        raise ValueError(f"unknown language {given!r} (zh-hans or en)")
    return found


# ------------------------------------------------------------------ kinds
@dataclass
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[Any], Any] = text


class Kind:
    """One importable kind: its columns, and how a row becomes a verb call."""

    name = ""
    columns: tuple[Column, ...] = ()

    def __init__(self, actor: Person):
        self.actor = actor

    def apply(self, row: dict[str, Any]) -> str:
        """Write one row through the owning verb: "created", "updated" or "unchanged"."""
        raise NotImplementedError

    # helpers shared by the kinds
    def _upsert(self, model, existing, values: dict[str, Any]) -> str:
        if existing is None:
            directory.create_reference(actor=self.actor, model=model, values=values)
            return "created"
        changed = {k: v for k, v in values.items() if _current(existing, k) != _key(v)}
        if not changed:
            return "unchanged"
        directory.update_reference(actor=self.actor, obj=existing, values=changed)
        return "updated"


def _current(obj, name):
    return getattr(obj, f"{name}_id") if hasattr(obj, f"{name}_id") else getattr(obj, name)


def _key(value):
    return value.pk if hasattr(value, "pk") else value


def _organisation(column: str, name: str, *, kind: str | None = None) -> Organisation | None:
    if not name:
        return None
    found = list(Organisation.objects.filter(name=name)[:2])
    if not found:
        raise RowError(column, f"no organisation named {name!r}")
    if len(found) > 1:
        raise RowError(column, f"more than one organisation is named {name!r}")
    if kind and found[0].kind != kind:
        raise RowError(column, f"{name!r} is not a {kind.replace('_', ' ')}")
    return found[0]


def _person(column: str, username: str) -> Person | None:
    if not username:
        return None
    try:
        return Person.objects.get(username=username)
    except Person.DoesNotExist:
        raise RowError(column, f"no person with username {username!r}") from None


def _by_code(model, column: str, code: str):
    if not code:
        return None
    try:
        return model.objects.get(code=code)
    except model.DoesNotExist:
        raise RowError(column, f"no {model.__name__.lower()} with code {code!r}") from None


class Organisations(Kind):
    name = "organisations"
    columns = (
        Column("name", ("名称", "组织"), required=True),
        Column("kind", ("类型",), required=True, parse=_choice(OrgKind, "kind")),
        Column("parent", ("上级", "上级组织")),
    )

    def apply(self, row):
        parent = _organisation("parent", row["parent"])
        values = {"name": row["name"], "kind": row["kind"], "parent": parent}
        existing = list(Organisation.objects.filter(name=row["name"])[:2])
        if len(existing) > 1:
            raise RowError("name", f"more than one organisation is named {row['name']!r}")
        return self._upsert(Organisation, existing[0] if existing else None, values)


class People(Kind):
    name = "people"
    columns = (
        Column("username", ("用户名", "账号"), required=True),
        Column("display_name", ("姓名", "name")),
        Column("role", ("角色",), required=True, parse=_choice(Role, "role")),
        Column("organisation", ("组织", "单位"), required=True),
        Column("phone", ("电话", "手机")),
        Column("email", ("邮箱", "电子邮件")),
        Column("language", ("语言",), parse=_language),
    )

    def apply(self, row):
        values = {
            "display_name": row["display_name"],
            "role": row["role"],
            "organisation": _organisation("organisation", row["organisation"]),
            "phone": row["phone"],
            "email": row["email"],
        }
        if row["language"]:
            values["language"] = row["language"]
        existing = Person.objects.filter(username=row["username"]).first()
        if existing is None:
            # No password: imported people sign in once an administrator sets one.
            values["username"] = row["username"]
        return self._upsert(Person, existing, values)


class Products(Kind):
    name = "products"
    columns = (
        Column("code", ("代码", "编码"), required=True),
        Column("name", ("名称", "产品"), required=True),
        Column("name_en", ("英文名称", "english name")),
    )

    def apply(self, row):
        values = {"code": row["code"], "name": row["name"], "name_en": row["name_en"]}
        return self._upsert(Product, Product.objects.filter(code=row["code"]).first(), values)


class Regions(Kind):
    name = "regions"
    columns = (
        Column("code", ("代码", "编码"), required=True),
        Column("name", ("名称", "区域"), required=True),
        Column("name_en", ("英文名称", "english name")),
        Column("office", ("办事处", "服务办事处"), required=True),
        Column("service_manager", ("服务经理",)),
    )

    def apply(self, row):
        values = {
            "code": row["code"],
            "name": row["name"],
            "name_en": row["name_en"],
            "office": _organisation("office", row["office"], kind=OrgKind.VENDOR_OFFICE),
            "service_manager": _person("service_manager", row["service_manager"]),
        }
        return self._upsert(Region, Region.objects.filter(code=row["code"]).first(), values)


class Responsibilities(Kind):
    name = "responsibilities"
    columns = (
        Column("product", ("产品",), required=True),
        Column("region", ("区域",), required=True),
        Column("primary", ("责任人", "主责"), required=True),
        Column("backup", ("备份", "备份责任人")),
        Column("team", ("团队",)),
    )

    def apply(self, row):
        product = _by_code(Product, "product", row["product"])
        region = _by_code(Region, "region", row["region"])
        team = None
        if row["team"]:
            team = Team.objects.filter(office=region.office, name=row["team"]).first()
            if team is None:
                raise RowError("team", f"no team {row['team']!r} in {region.office}")
        values = {
            "product": product,
            "region": region,
            "primary": _person("primary", row["primary"]),
            "backup": _person("backup", row["backup"]),
            "team": team,
        }
        existing = Responsibility.objects.filter(product=product, region=region).first()
        return self._upsert(Responsibility, existing, values)


class RoleAssignments(Kind):
    name = "role-assignments"
    columns = (
        Column("role", ("角色",), required=True, parse=_choice(LadderRole, "role")),
        Column("person", ("人员", "用户名"), required=True),
        Column("customer", ("客户",)),
        Column("region", ("区域",)),
        Column("product", ("产品",)),
    )

    def apply(self, row):
        values = {
            "role": row["role"],
            "person": _person("person", row["person"]),
            "customer_org": _organisation("customer", row["customer"], kind=OrgKind.CUSTOMER),
            "region": _by_code(Region, "region", row["region"]),
            "product": _by_code(Product, "product", row["product"]),
        }
        scope = {k: _key(v) for k, v in values.items()}
        scope = {f"{k}_id" if k != "role" else k: v for k, v in scope.items()}
        if RoleAssignment.objects.filter(**scope).exists():
            return "unchanged"
        directory.create_reference(actor=self.actor, model=RoleAssignment, values=values)
        return "created"


class Holidays(Kind):
    name = "holidays"
    columns = (
        Column("calendar", ("日历",), required=True),
        Column("date", ("日期",), required=True, parse=_date),
        Column("kind", ("类型",), required=True, parse=_choice(DayKind, "day kind")),
        Column("name", ("名称", "说明")),
    )

    def apply(self, row):
        calendar = Calendar.objects.filter(name=row["calendar"]).first()
        if calendar is None:
            raise RowError("calendar", f"no calendar named {row['calendar']!r}")
        before = calendar.days.filter(date=row["date"]).values_list("kind", "name").first()
        if before == (row["kind"], row["name"]):
            return "unchanged"
        calendars.set_calendar_day(
            actor=self.actor,
            calendar=calendar,
            date=row["date"],
            kind=row["kind"],
            name=row["name"],
        )
        return "created" if before is None else "updated"


KINDS: dict[str, type[Kind]] = {
    k.name: k
    for k in (
        Organisations,
        People,
        Products,
        Regions,
        Responsibilities,
        RoleAssignments,
        Holidays,
    )
}


# ------------------------------------------------------------------ running
def column_positions(
    kind: type[Kind], header: list[str], mapping: dict[str, str] | None = None
) -> dict[str, int]:
    """Which position of the header holds each of the kind's columns."""
    wanted = {c.name: c for c in kind.columns}
    names = {h.lower(): i for i, h in enumerate(header) if h}
    positions: dict[str, int] = {}
    for given, target in (mapping or {}).items():
        if target not in wanted:
            raise ImportFileError(f"--map names an unknown column {target!r} of {kind.name}.")
        if given.lower() not in names:
            raise ImportFileError(f"--map names a header the file does not have: {given!r}.")
        positions[target] = names[given.lower()]
    for column in kind.columns:
        if column.name in positions:
            continue
        for alias in (column.name, *column.aliases):
            if alias.lower() in names:
                positions[column.name] = names[alias.lower()]
                break
    missing = [c.name for c in kind.columns if c.required and c.name not in positions]
    if missing:
        raise ImportFileError(
            f"The file has no column for {', '.join(missing)} (its header: {', '.join(header)})."
        )
    return positions


class _Rollback(Exception):
    pass


def run(
    *,
    kind: str,
    path: Path,
    actor: Person,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int | None], None] | None = None,
) -> Report:
    """Import one file; see the module's docstring for what is kept when."""
    if kind not in KINDS:
        raise ImportFileError(f"Unknown kind {kind!r}: one of {', '.join(KINDS)}.")
    if not policy.can_write_reference_data(actor):
        raise PermissionDenied(_("Only administrators change reference data."))
    spec = KINDS[kind]
    header, rows, estimate = read_rows(path)
    if total:
        total(estimate)
    positions = column_positions(spec, header, mapping)
    importer = spec(actor)
    report = Report(kind=kind)
    try:
        with transaction.atomic():
            for number, values in rows:
                report.rows += 1
                if report.rows > MAX_ROWS:
                    raise ImportFileError(f"More than {MAX_ROWS} rows: split the file.")
                _one(importer, spec, positions, number, values, report)
                if progress:
                    progress(1)
            keep = not dry_run and (skip_bad_rows or not report.problems)
            if not keep:
                raise _Rollback
            report.written = True
    except _Rollback:
        pass
    return report


def _one(importer: Kind, spec, positions, number: int, values: list, report: Report) -> None:
    row: dict[str, Any] = {}
    problems = []
    for column in spec.columns:
        at = positions.get(column.name)
        raw = values[at] if at is not None and at < len(values) else None
        if column.required and text(raw) == "":
            problems.append(Problem(number, column.name, "required"))
            continue
        try:
            row[column.name] = column.parse(raw) if text(raw) != "" else ""
        except ValueError as exc:
            problems.append(Problem(number, column.name, str(exc)))
    if problems:
        report.problems.extend(problems)
        return
    try:
        with transaction.atomic():
            outcome = importer.apply(row)
    except RowError as exc:
        report.problems.append(Problem(number, exc.column, exc.reason))
        return
    except DomainError as exc:
        if exc.fields:
            for name, reason in exc.fields.items():
                report.problems.append(Problem(number, name, str(reason)))
        else:
            report.problems.append(Problem(number, "", str(exc.message)))
        return
    setattr(report, outcome, getattr(report, outcome) + 1)
