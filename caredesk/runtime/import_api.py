"""/api/v1/imports: the import page over the API. Upload a file (multipart) for a kind, poll the
run while the worker checks it (the head of the file, then every bad row), confirm, poll again
while the worker imports it. The same verbs as the page (import_runs), the same people:
administrators; anyone else is refused (403) on the list and the upload and finds no run (404).
"""

from datetime import datetime

from ninja import Field, File, Form, Query, Router, Schema
from ninja import Status as Answer
from ninja.files import UploadedFile

from caredesk.apikit import IdParam, error_responses
from caredesk.errors import NotFound, PermissionDenied

from . import import_runs
from .import_progress import rows_done
from .models import ImportRun, ImportStatus

router = Router(tags=["imports"])


class ImportProblemOut(Schema):
    row: int = Field(description="The row's number in the file (the header is row 1)")
    column: str
    reason: str


class ImportPreviewRowOut(Schema):
    row: int
    values: list[str] = Field(description="One value per column of `columns`, as read")


class ImportPreviewOut(Schema):
    columns: list[str] = Field(description="Our column names found in the file")
    sources: dict[str, str] = Field(description="Each column → the file's header it came from")
    rows: list[ImportPreviewRowOut]


class ImportSummaryOut(Schema):
    id: int
    kind: str
    file_name: str
    size: int
    status: str = Field(description="check, checked, run, done or failed")
    rows_total: int | None = Field(description="Rows in the file (an estimate until checked)")
    rows_done: int = Field(description="Rows the worker has gone through so far")
    created: int
    updated: int
    unchanged: int
    bad_rows: int
    problems_total: int
    skip_bad_rows: bool
    confirmable: bool = Field(description="Checked and waiting for POST …/confirm")
    error: str = Field(description="Why the file as a whole failed (status failed)")
    created_at: datetime
    checked_at: datetime | None
    confirmed_at: datetime | None
    finished_at: datetime | None


class ImportRunOut(ImportSummaryOut):
    preview: ImportPreviewOut
    problems: list[ImportProblemOut] = Field(
        description=f"Every bad row the worker found (the first {import_runs.MAX_PROBLEMS})"
    )


class ImportListQuery(Schema):
    limit: int = Field(30, ge=1, le=200)


class ImportConfirmIn(Schema):
    skip_bad_rows: bool | None = Field(
        None, description="Keep the good rows when some are bad; left out: the upload's choice"
    )


def _summary(run: ImportRun) -> dict:
    return {
        "id": run.pk,
        "kind": run.kind,
        "file_name": run.file_name,
        "size": run.size,
        "status": run.status,
        "rows_total": run.rows_total,
        "rows_done": rows_done(run),
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "bad_rows": run.bad_rows,
        "problems_total": run.problems_total,
        "skip_bad_rows": run.skip_bad_rows,
        "confirmable": run.status == ImportStatus.CHECKED,
        "error": run.error,
        "created_at": run.created_at,
        "checked_at": run.checked_at,
        "confirmed_at": run.confirmed_at,
        "finished_at": run.finished_at,
    }


def run_out(run: ImportRun) -> dict:
    preview = run.preview or {}
    return {
        **_summary(run),
        "preview": {
            "columns": preview.get("columns", []),
            "sources": preview.get("sources", {}),
            "rows": [{"row": n, "values": values} for n, values in preview.get("rows", [])],
        },
        "problems": [
            {"row": row, "column": column, "reason": reason} for row, column, reason in run.problems
        ],
    }


def _run(request, run_id: int) -> ImportRun:
    """The run, for an administrator (any administrator's, as on the page); 404 otherwise."""
    if not import_runs.may_import(request.auth):
        raise NotFound()
    run = ImportRun.objects.defer("content").filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    return run


@router.post("/imports", response={201: ImportRunOut, **error_responses(403, 413)})
def upload_import(
    request,
    file: File[UploadedFile],
    kind: Form[str],
    mapping: Form[list[str]] = [],  # noqa: B006 (Ninja reads the default, never mutates it)
    skip_bad_rows: Form[bool] = False,
):
    """Keep an xlsx or CSV file (`file`) of a `kind` (organisations, people, products,
    regions, responsibilities, role-assignments, holidays, rosters, tickets) for the worker's
    check, a dry run over every row. `mapping`: HEADER=COLUMN, once per header that is not
    ours (e.g. 工号=username). Poll GET /imports/{id} until `status` is checked, then
    confirm."""
    if not import_runs.may_import(request.auth):
        raise PermissionDenied()
    run = import_runs.upload_import(
        actor=request.auth,
        kind=kind,
        file_name=file.name or "",
        content=file.read(import_runs.MAX_BYTES + 1),
        mapping_lines=[line for item in mapping for line in item.splitlines()],
        skip_bad_rows=skip_bad_rows,
    )
    return Answer(201, run_out(run))


@router.get("/imports", response={200: list[ImportSummaryOut], **error_responses(403)})
def list_imports(request, query: Query[ImportListQuery]):
    """The caller's own uploads, newest first."""
    if not import_runs.may_import(request.auth):
        raise PermissionDenied()
    runs = (
        ImportRun.objects.defer("content", "preview", "problems")
        .filter(created_by=request.auth)
        .order_by("-id")[: query.limit]
    )
    return [_summary(r) for r in runs]


@router.get("/imports/{run_id}", response={200: ImportRunOut, **error_responses(404)})
def get_import(request, run_id: IdParam):
    """The run: its state and progress, the head of the file and every bad row found."""
    return run_out(_run(request, run_id))


@router.post("/imports/{run_id}/confirm", response={200: ImportRunOut, **error_responses(404, 409)})
def confirm_import(request, run_id: IdParam, payload: ImportConfirmIn | None = None):
    """Import a checked file (409 unless checked; 409 when the check found bad rows and
    `skip_bad_rows` is not true)."""
    run = _run(request, run_id)
    chosen = payload.skip_bad_rows if payload is not None else None
    skip = run.skip_bad_rows if chosen is None else chosen
    import_runs.confirm_import(actor=request.auth, run=run, skip_bad_rows=skip)
    return run_out(_run(request, run_id))
