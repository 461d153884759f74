"""The orders a ticket list can be read in, and the keyset cursors that page through them.

The staff queue opens on `urgency`: tickets with a breached clock first (the most overdue
first), then the nearest due time, then severity — read from Ticket.urgency and
Ticket.next_due_at, which escalation.clocks keeps, through partial indexes over the open
tickets in that order (models.Ticket.Meta). The other columns sort too; every order ends on the
id, so it is total and a cursor can name the last row it gave out.

A cursor holds the order's name, the page number it leads to and the last row's key values;
the next page is the rows after that key (one row-value comparison where the key's columns
all run the same way, which the index seeks to), so paging costs the same at any depth. A page
asked for by number (`page=N`, a link someone kept) is read with OFFSET, up to MAX_PAGE.
A ticket whose key changes while someone pages (a clock breaches, a reply updates it) moves in
the order and may be shown twice or passed over, as in any list sorted by a changing value.

Lists that include resolved and closed tickets are read newest or oldest first only: nothing
but the id indexes covers them, and their clocks have stopped.
"""

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from caredesk.errors import ValidationFailed

from .models import Severity, Status, Ticket

MAX_PAGE = 100


@dataclass(frozen=True)
class Sort:
    name: str
    keys: tuple[tuple[str, bool], ...]  # (field, descending), the id last

    def order_by(self) -> list[str]:
        return [f"-{f}" if desc else f for f, desc in self.keys]


SORTS = {
    s.name: s
    for s in (
        Sort(
            "urgency",
            (("urgency", False), ("next_due_at", False), ("severity", False), ("id", False)),
        ),
        Sort("newest", (("id", True),)),
        Sort("oldest", (("id", False),)),
        Sort("severity", (("severity", False), ("id", True))),
        Sort("status", (("status", False), ("id", True))),
        Sort("updated", (("updated_at", True), ("id", True))),
    )
}
SORT_NAMES = tuple(SORTS)
CLOSED_TOO_SORTS = ("newest", "oldest")
_DATETIMES = {"next_due_at", "updated_at"}
_TEXT = {"severity": set(Severity.values), "status": set(Status.values)}


def sorts_for(open_only: bool) -> tuple[str, ...]:
    """The orders a list may be read in: every one over open tickets, else by id."""
    return SORT_NAMES if open_only else CLOSED_TOO_SORTS


def _invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: str(message)})


def _wire(field: str, value):
    if value is None:
        return None
    return value.isoformat() if field in _DATETIMES else value


def _unwire(field: str, value):
    """A key value read back from a cursor, checked to be what the column holds."""
    if value is None:
        if field == "next_due_at":
            return None
        raise ValueError(field)
    if field in _DATETIMES:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(field)
        return parsed
    if field in _TEXT:
        if value not in _TEXT[field]:
            raise ValueError(field)
        return value
    if type(value) is not int or value < 0:
        raise ValueError(field)
    return value


def encode(sort: Sort, row: Ticket, page: int) -> str:
    values = [_wire(f, getattr(row, f)) for f, _desc in sort.keys]
    raw = json.dumps([sort.name, page, values], separators=(",", ":"))
    return "k" + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(sort: Sort, cursor: str) -> tuple[list, int]:
    """The key values and page number a cursor of `sort` holds; ValidationFailed for anything
    else (another order's cursor, a cursor from the id-order API lists, an edited one)."""
    try:
        if not cursor.startswith("k"):
            raise ValueError("prefix")
        body = cursor[1:]
        name, page, values = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if name != sort.name or type(page) is not int or page < 2:
            raise ValueError("shape")
        if len(values) != len(sort.keys):
            raise ValueError("keys")
        return [_unwire(f, v) for (f, _desc), v in zip(sort.keys, values, strict=True)], page
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error) as exc:
        raise _invalid("cursor", _("Not a page link this list gave out.")) from exc


def _column(field: str) -> str:
    column = Ticket._meta.get_field(field).column
    return f"{connection.ops.quote_name(Ticket._meta.db_table)}.{connection.ops.quote_name(column)}"


def _param(field: str, value):
    if field in _DATETIMES:
        return connection.ops.adapt_datetimefield_value(value)
    return value


def after(sort: Sort, values: list) -> Q | RawSQL:
    """The rows that come after the key `values` in `sort`.

    A NULL key value (next_due_at of a ticket with no clock running) is left out of the
    comparison: by the invariant clocks.summarise keeps, every row sharing the keys before it
    has it NULL too."""
    keys = [(f, desc, v) for (f, desc), v in zip(sort.keys, values, strict=True) if v is not None]
    if len({desc for _f, desc, _v in keys}) == 1:
        op = "<" if keys[0][1] else ">"
        columns = ", ".join(_column(f) for f, _d, _v in keys)
        marks = ", ".join(["%s"] * len(keys))
        sql = f"({columns}) {op} ({marks})" if len(keys) > 1 else f"{columns} {op} %s"
        return RawSQL(sql, [_param(f, v) for f, _d, v in keys], output_field=BooleanField())
    found = Q(pk__in=[])
    for i, (field, desc, value) in enumerate(keys):
        same = {f: v for f, _d, v in keys[:i]}
        found |= Q(**same, **{f"{field}__{'lt' if desc else 'gt'}": value})
    return found


@dataclass(frozen=True)
class Page:
    rows: list[Ticket]
    next_cursor: str | None
    number: int  # 1 for the first page
    sort: str  # the order the rows are in


def parse_page(value: str | int | None) -> int | None:
    """A page number from a URL: None when absent, ValidationFailed when not 1…MAX_PAGE."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise _invalid("page", _("Not a page number.")) from exc
    if not 1 <= number <= MAX_PAGE:
        raise _invalid(
            "page",
            _("Pages 1 to %(n)d can be opened by number; go further with “Next”.")
            % {"n": MAX_PAGE},
        )
    return number


def read_page(
    qs: QuerySet[Ticket], sort: Sort, cursor: str | None, page: int | None, limit: int
) -> tuple[list[Ticket], str | None, int]:
    """One page of `qs` in `sort`: after the cursor, else the numbered page, else the first.
    Returns the rows (one extra read to know whether more follow), the next page's cursor and
    this page's number."""
    qs = qs.order_by(*sort.order_by())
    number = 1
    if cursor:
        values, number = decode(sort, cursor)
        rows = list(qs.filter(after(sort, values))[: limit + 1])
    elif page and page > 1:
        number = page
        start = (page - 1) * limit
        rows = list(qs[start : start + limit + 1])
    else:
        rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode(sort, rows[-1], number + 1) if more and rows else None), number
