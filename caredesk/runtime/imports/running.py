"""One run of an import over a file — the command's and the worker's — and its preview."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _

from caredesk.directory import policy
from caredesk.directory.models import Person
from caredesk.errors import DomainError, PermissionDenied

from . import kinds, work
from .reading import MAX_ROWS, ImportFileError, Problem, Report, RowError, read_rows, text

KINDS: dict[str, type[kinds.Kind]] = {
    k.name: k
    for k in (
        kinds.Organisations,
        kinds.People,
        kinds.Products,
        kinds.Regions,
        kinds.Responsibilities,
        kinds.RoleAssignments,
        kinds.Holidays,
        work.Rosters,
        work.RosterOverrides,
        work.Tickets,
    )
}


# ------------------------------------------------------------------ running
def column_positions(
    kind: type[kinds.Kind], header: list[str], mapping: dict[str, str] | None = None
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
    many = getattr(importer, "apply_many", None)
    pending: list[tuple[int, dict[str, Any]]] = []
    report = Report(kind=kind)
    try:
        with transaction.atomic():
            for number, values in rows:
                report.rows += 1
                if report.rows > MAX_ROWS:
                    raise ImportFileError(f"More than {MAX_ROWS} rows: split the file.")
                row = _parsed(spec, positions, number, values, report)
                if row is not None and many is None:
                    _apply_one(importer, number, row, report)
                elif row is not None:
                    pending.append((number, row))
                    if len(pending) >= importer.chunk:
                        _apply_chunk(importer, pending, report)
                if progress:
                    progress(1)
            if pending:
                _apply_chunk(importer, pending, report)
            report.problems.sort(key=lambda p: p.row)  # a chunk reports after later rows
            keep = not dry_run and (skip_bad_rows or not report.problems)
            if not keep:
                raise _Rollback
            report.written = True
    except _Rollback:
        pass
    return report


def _parsed(spec, positions, number: int, values: list, report: Report) -> dict | None:
    """The row's cells parsed by the kind's columns, or None (its problems reported)."""
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
        return None
    return row


def _apply_one(importer: kinds.Kind, number: int, row: dict, report: Report) -> None:
    try:
        with transaction.atomic():
            outcome = importer.apply(row)
    except (RowError, DomainError) as exc:
        outcome = exc
    _count(number, outcome, report)


def _apply_chunk(importer, pending: list[tuple[int, dict]], report: Report) -> None:
    try:
        with transaction.atomic():
            outcomes = importer.apply_many([row for _number, row in pending])
    except DatabaseError:
        # A row the checks let through and the database refused: the chunk is undone and
        # tried row by row, so the report names that row and keeps the others.
        for number, row in pending:
            _apply_one(importer, number, row, report)
    else:
        for (number, _row), outcome in zip(pending, outcomes, strict=True):
            _count(number, outcome, report)
    pending.clear()


def _count(number: int, outcome, report: Report) -> None:
    if isinstance(outcome, RowError):
        report.problems.append(Problem(number, outcome.column, outcome.reason))
    elif isinstance(outcome, DomainError):
        if outcome.fields:
            for name, reason in outcome.fields.items():
                report.problems.append(Problem(number, name, str(reason)))
        else:
            report.problems.append(Problem(number, "", str(outcome.message)))
    else:
        setattr(report, outcome, getattr(report, outcome) + 1)


@dataclass
class Preview:
    """The head of a file as an import reads it: which header feeds each of the kind's columns,
    and the first rows' cells under the kind's column names."""

    columns: list[str]
    sources: dict[str, str]
    rows: list[tuple[int, list[str]]]
    estimate: int | None


def preview(
    *, kind: str, path: Path, mapping: dict[str, str] | None = None, first: int = 10
) -> Preview:
    """The first `first` rows of the file for `kind`; ImportFileError when the file as a whole
    cannot be read (the rows' own errors are the dry run's to find)."""
    if kind not in KINDS:
        raise ImportFileError(f"Unknown kind {kind!r}: one of {', '.join(KINDS)}.")
    spec = KINDS[kind]
    header, rows, estimate = read_rows(path)
    positions = column_positions(spec, header, mapping)
    names = [c.name for c in spec.columns if c.name in positions]
    head = []
    for number, values in itertools.islice(rows, first):
        cells = [values[positions[n]] if positions[n] < len(values) else None for n in names]
        head.append((number, [text(v) for v in cells]))
    return Preview(
        columns=names,
        sources={n: header[positions[n]] for n in names},
        rows=head,
        estimate=estimate,
    )


def parse_mapping(items: list[str]) -> dict[str, str]:
    """`HEADER=COLUMN` items (the command's --map, the page's lines) as {header: column}."""
    mapping = {}
    for item in items:
        header, sep, column = item.partition("=")
        if not sep or not header.strip() or not column.strip():
            raise ImportFileError(f"--map takes HEADER=COLUMN, not {item!r}")
        mapping[header.strip()] = column.strip()
    return mapping
