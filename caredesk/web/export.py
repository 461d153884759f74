"""Exports of list pages to CSV and xlsx, streamed: rows are written as they are read, so a
million tickets cost the memory of one chunk, not of the list.

CSV goes out through a StreamingHttpResponse with a UTF-8 byte-order mark (Chinese Excel reads
UTF-8 without it as GBK); xlsx is written by openpyxl in write-only mode to a temporary file
(a zip cannot be streamed before its end), then sent as a FileResponse.

Pages call `export_response` with the rows of their own selector and filters: an export is the
list page, unpaged, never a second filter implementation.
"""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")
BOM = "\ufeff"


class _Echo:
    """A file-like that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def write_xlsx(target, header: list[str], rows: Iterable[list], *, title: str) -> None:
    """Write the rows to `target` (a path or file) with openpyxl's write-only workbook."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    book.save(target)


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        # Times as the page shows them (the viewer's zone), without a zone Excel cannot hold.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # no formula from a customer's words (CSV injection)
    return value


def export_response(
    fmt: str, *, name: str, header: list[str], rows: Callable[[], Iterable[list]]
) -> StreamingHttpResponse | FileResponse:
    """The export of a list as `fmt` ("csv" or "xlsx"), named `name` plus the date."""
    if fmt not in FORMATS:
        raise Http404()
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(header, rows()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(spool, header, rows(), title=name)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
