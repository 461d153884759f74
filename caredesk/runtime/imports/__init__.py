"""Importing what an office arrives with: spreadsheets of organisations, people, products,
regions, the responsibility matrix, role assignments, holidays, on-call rotations and
historical tickets.

A file is read as rows of named columns: xlsx through openpyxl's read-only mode (rows stream,
the workbook is never held whole), CSV in UTF-8 (with or without a BOM) or GB18030, the
encoding Chinese Excel writes. Headers are matched to each kind's columns by their English or
Chinese names, or by an explicit mapping (`--map 姓名=display_name`).

Each row becomes one call of the owning app's verb (directory, calendars, escalation, tickets),
so the same checks, permissions and audit records apply as on the admin pages. Rows are keyed
by their natural key (a username, a product or region code, an organisation's name, a product ×
region cell, a calendar date, a team's rotation name, a ticket's number): importing the same
file again changes nothing and reports every row as unchanged.

The whole file is one transaction, with a savepoint per row. A bad row is recorded with its row
number, column and reason, and the import goes on to find all the others. At the end, any error
rolls everything back, unless `skip_bad_rows` keeps the good rows. `dry_run` does all the work
and then rolls it back, so its report is exactly what a real run would do.

- reading.py   the file as rows of cells, and the cell parsers
- kinds.py     the reference data's kinds (organisations … holidays)
- work.py      the on-call rotations and the historical tickets
- running.py   one run over a file (the command's and the worker's), and its preview
"""

from .reading import MAX_ROWS, ImportFileError, Problem, Report, read_rows
from .running import KINDS, Preview, column_positions, parse_mapping, preview, run

__all__ = [
    "KINDS",
    "MAX_ROWS",
    "ImportFileError",
    "Preview",
    "Problem",
    "Report",
    "column_positions",
    "parse_mapping",
    "preview",
    "read_rows",
    "run",
]
