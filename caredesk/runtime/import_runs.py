"""Imports from the admin page (the same kinds and rules as `manage.py import`), run by the worker.

1. upload_import: an administrator uploads a file for a kind (with a header mapping if its
   headers are not ours); the head of the file is read at once, so a file that cannot be read
   at all (wrong type, a missing column) is refused on the form. The run waits to be checked.
2. The worker checks it: a dry run over every row, reporting every bad one (row, column,
   reason) and what would be created, changed or left as it is. Nothing is kept.
3. confirm_import: the administrator, having seen the preview and the errors, asks for the
   import (keeping the good rows if they choose to, when some are bad); the worker imports it,
   all or nothing, exactly as the command does.

The worker takes one run per pass (a large file takes minutes; the timers and the outbox get
their turn between runs) under a long lease, moved on as the rows go by (import_progress). A
worker killed mid-import rolls the import back with its transaction; the run is taken again
when the lease ends, up to MAX_ATTEMPTS times. An import that committed but whose result was
not recorded is simply taken again: imports are idempotent, the second pass finds every row
unchanged. While it imports, the worker's heartbeat goes on out of band (heartbeat.Pulse), so
/readyz does not call a busy worker dead.
"""

import contextlib
import datetime as dt
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caredesk import claiming, clock
from caredesk.audit import services as audit
from caredesk.directory import policy
from caredesk.directory.models import Person
from caredesk.errors import Conflict, DomainError, PermissionDenied, ValidationFailed

from . import heartbeat, imports
from .import_progress import Meter
from .models import IMPORT_PENDING, ImportRun, ImportStatus

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024 * 1024
PREVIEW_ROWS = 10
MAX_PROBLEMS = 5000  # kept on the run for the page; problems_total counts every one
MAX_ATTEMPTS = 3
LEASE = dt.timedelta(hours=1)
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")


class ImportNotReady(Conflict):
    code = "import_not_ready"
    default_message = _("This import is not waiting to be confirmed.")


def may_import(person: Person) -> bool:
    return policy.can_write_reference_data(person)


def _require_admin(actor: Person) -> None:
    if not may_import(actor):
        raise PermissionDenied(_("Only administrators import files."))


@contextlib.contextmanager
def _as_file(file_name: str, content: bytes) -> Iterator[Path]:
    """The content as a file named like the upload (its suffix says how to read it)."""
    with tempfile.TemporaryDirectory(prefix="caredesk-import-") as folder:
        path = Path(folder) / ("upload" + Path(file_name).suffix.lower())
        path.write_bytes(content)
        yield path


def upload_import(
    *,
    actor: Person,
    kind: str,
    file_name: str,
    content: bytes,
    mapping_lines: list[str],
    skip_bad_rows: bool = False,
) -> ImportRun:
    """Keep an uploaded file for the worker to check. Refused (422, every field named): an
    unknown kind, an empty or too large file, a type other than xlsx or CSV, a mapping that
    is not HEADER=COLUMN lines, a file whose header lacks a required column. `skip_bad_rows`
    is the uploader's choice kept for the confirmation (the API's; the check ignores it)."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    if kind not in imports.KINDS:
        errors["kind"] = str(_("Choose what the file holds."))
    if not content:
        errors["file"] = str(_("The file is empty."))
    elif len(content) > MAX_BYTES:
        errors["file"] = str(_("At most %(n)d MB per file.") % {"n": MAX_BYTES // 2**20})
    elif not file_name.lower().endswith(SUFFIXES):
        errors["file"] = str(_("Upload an xlsx workbook or a CSV file."))
    mapping: dict[str, str] = {}
    try:
        mapping = imports.parse_mapping([line for line in mapping_lines if line.strip()])
    except imports.ImportFileError as exc:
        errors["mapping"] = str(exc)
    if errors:
        raise ValidationFailed(fields=errors)
    with _as_file(file_name, content) as path:
        try:
            head = imports.preview(kind=kind, path=path, mapping=mapping, first=PREVIEW_ROWS)
        except imports.ImportFileError as exc:
            raise ValidationFailed(fields={"file": str(exc)}) from exc
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=kind,
            file_name=Path(file_name).name[:255],
            content=content,
            size=len(content),
            mapping=mapping,
            skip_bad_rows=skip_bad_rows,
            preview={"columns": head.columns, "sources": head.sources, "rows": head.rows},
            rows_total=head.estimate,
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action="import.upload",
            obj=run,
            after={
                "kind": kind,
                "file": run.file_name,
                "size": run.size,
                "mapping": mapping,
                "skip_bad_rows": skip_bad_rows,
            },
        )
    return run


def confirm_import(*, actor: Person, run: ImportRun, skip_bad_rows: bool) -> ImportRun:
    """Ask the worker to import a checked file. Refused (409) unless the check is done and
    found the file good, or `skip_bad_rows` keeps the good rows of a file with bad ones."""
    _require_admin(actor)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().defer("content").get(pk=run.pk)
        if run.status != ImportStatus.CHECKED:
            raise ImportNotReady()
        if run.problems_total and not skip_bad_rows:
            raise ImportNotReady(
                _(
                    "The check found bad rows: fix the file and upload it again, "
                    "or keep the good ones."
                )
            )
        run.status, run.skip_bad_rows = ImportStatus.RUN, skip_bad_rows
        run.confirmed_at, run.rows_done, run.attempt = clock.now(), 0, 0
        run.save(update_fields=["status", "skip_bad_rows", "confirmed_at", "rows_done", "attempt"])
        audit.record(
            actor=actor, action="import.confirm", obj=run, after={"skip_bad_rows": skip_bad_rows}
        )
    return run


# ------------------------------------------------------------------ the worker's loop
def work_imports(*, worker: str, batch: int = 1, lease: dt.timedelta | None = None) -> int:
    """One pass: check or import the oldest waiting run. Returns 1 when one was worked."""
    ids = claiming.claim(
        ImportRun,
        ready=Q(status__in=IMPORT_PENDING),
        order_by="created_at",
        worker=worker,
        now=clock.now(),
        batch=1,
        lease=max(lease or LEASE, LEASE),
    )
    for pk in ids:
        _work(pk, worker)
    return len(ids)


def _work(pk: int, worker: str) -> None:
    run = ImportRun.objects.select_related("created_by").get(pk=pk)
    checking = run.status == ImportStatus.CHECK
    if run.attempt > MAX_ATTEMPTS:
        _finish(
            pk,
            worker,
            checking,
            error=str(_("Stopped %(n)d times: given up.") % {"n": MAX_ATTEMPTS}),
        )
        return
    ImportRun.objects.filter(pk=pk, claimed_by=worker).update(started_at=clock.now(), rows_done=0)
    meter = Meter(pk, worker, LEASE)
    pulse = heartbeat.Pulse(worker)  # the worker stays alive for /readyz while it imports

    def progress(rows: int) -> None:
        meter.add(rows)
        pulse()

    try:
        with _as_file(run.file_name, bytes(run.content)) as path:
            report = imports.run(
                kind=run.kind,
                path=path,
                actor=run.created_by,
                dry_run=checking,
                skip_bad_rows=run.skip_bad_rows,
                mapping=run.mapping,
                progress=progress,
                total=meter.total,
            )
    except imports.ImportFileError as exc:
        _finish(pk, worker, checking, error=str(exc))
        return
    except DomainError as exc:  # the uploader is no longer an administrator, for instance
        _finish(pk, worker, checking, error=str(exc.message))
        return
    except Exception:  # one bad file must not stop the worker's other loops
        log.exception("import %s failed", pk)
        _finish(pk, worker, checking, error=str(_("The import stopped on an unexpected error.")))
        return
    finally:
        meter.close()
        pulse.close()
    _finish(pk, worker, checking, report=report)


def _finish(
    pk: int,
    worker: str,
    checking: bool,
    *,
    report: imports.Report | None = None,
    error: str = "",
) -> None:
    now = clock.now()
    with transaction.atomic():
        for run in claiming.locked_claims(ImportRun, [pk], worker):
            run.claimed_until, run.finished_at = None, now
            if report is not None:
                run.rows_done = run.rows_total = report.rows
                run.created, run.updated = report.created, report.updated
                run.unchanged, run.bad_rows = report.unchanged, report.bad_rows
                run.problems = [[p.row, p.column, p.reason] for p in report.problems[:MAX_PROBLEMS]]
                run.problems_total = len(report.problems)
            if error:
                run.status, run.error = ImportStatus.FAILED, error
            elif checking:
                run.status, run.checked_at = ImportStatus.CHECKED, now
            else:
                run.status = ImportStatus.DONE
            if run.status != ImportStatus.CHECKED:
                run.content = b""  # imported or refused: the file is not needed any more
            run.save()
            audit.record(
                actor=run.created_by,
                action=f"import.{run.status}",
                obj=run,
                after={
                    "rows": run.rows_done,
                    "created": run.created,
                    "updated": run.updated,
                    "unchanged": run.unchanged,
                    "bad_rows": run.bad_rows,
                    "error": run.error,
                },
            )
