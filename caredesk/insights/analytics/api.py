"""/api/v1/reports: ask for a build of the report pack (workbook and deck) for a period and a
scope, follow its progress, list one's runs, and fetch the files — each read passing
runs.run_for's check (404 for what the caller may not read)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema
from ninja import Status as Answer

from caredesk.apikit import Id, IdParam, error_responses

from . import figures, runs
from .filters import filters_from
from .models import ReportRun
from .views import file_answer

router = Router(tags=["reports"])
PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$|^[0-9]{4}[Hh][12]$"
RUNS_LISTED = 100


class ReportIn(Schema):
    period: str = Field(
        pattern=PERIOD_PATTERN, description="A month (2026-05) or a half-year (2026H1)"
    )
    customer: Id | None = Field(None, description="A customer organisation")
    branches: bool = Field(True, description="With the customer's branches")
    office: Id | None = None
    product: Id | None = None
    partner: Id | None = None
    language: Literal["zh-hans", "en"] = "zh-hans"


class ReportRunOut(Schema):
    id: int
    requester: int
    period: str
    filters: dict[str, str]
    language: str
    status: str = Field(description="queued, running, done or failed")
    step: int
    steps: int
    step_label: str
    error: str
    files: list[str] = Field(description="The kinds to download (xlsx, pptx) once done")
    schedule: str = Field(description="The scheduled pack that made it; empty when asked for")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _out(run: ReportRun) -> dict:
    return {
        "id": run.pk,
        "requester": run.requester_id,
        "period": run.period,
        "filters": run.filters,
        "language": run.language,
        "status": run.status,
        "step": run.step,
        "steps": run.steps,
        "step_label": run.step_label,
        "error": run.error,
        "files": sorted(run.files) if run.status == "done" else [],
        "schedule": run.schedule,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }


@router.post("/reports", response={201: ReportRunOut, **error_responses(404)})
def create_report(request, body: ReportIn):
    params = {"period": body.period, "branches": "1" if body.branches else "0"}
    for name in ("customer", "office", "product", "partner"):
        if getattr(body, name) is not None:
            params[name] = str(getattr(body, name))
    figures.check_reads_figures(request.auth)
    run = runs.request_report(
        actor=request.auth,
        filters=filters_from(params, default_period=body.period),
        language=body.language,
    )
    return Answer(201, _out(run))


@router.get("/reports", response={200: list[ReportRunOut], **error_responses(404)})
def list_reports(request):
    figures.check_reads_figures(request.auth)
    return [_out(r) for r in runs.runs_of(request.auth)[:RUNS_LISTED]]


@router.get("/reports/{run_id}", response={200: ReportRunOut, **error_responses(404)})
def get_report(request, run_id: IdParam):
    return _out(runs.run_for(request.auth, run_id))


@router.get(
    "/reports/{run_id}/files/{kind}",
    response={200: None, **error_responses(404)},
    openapi_extra={
        # keyed like Ninja's own responses (an int), so the two merge into one "200"
        "responses": {
            200: {
                "description": "The workbook or the deck, as an attachment.",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def download_report(request, run_id: IdParam, kind: Literal["xlsx", "pptx"]):
    _run, path = runs.file_for(request.auth, run_id, kind)
    return file_answer(path, kind)
