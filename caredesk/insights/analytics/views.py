"""The analytics pages: the dashboard (filters in the URL, a chart and a table per panel),
each panel's xlsx download of exactly the rows its table shows, and the report runs — the
button that queues one, its page with the progress (polled by HTMX) beside the person's runs,
and the files, served only past runs.file_for's check."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from caredesk import clock
from caredesk.directory import refdata
from caredesk.directory.models import Organisation, OrgKind, Product
from caredesk.errors import NotFound, ValidationFailed

from . import figures, panels, runs
from .filters import SHANGHAI, filters_from
from .workbook import table_xlsx

RUNS_LISTED = 50


def _default_period() -> str:
    now = clock.now().astimezone(SHANGHAI)
    return f"{now.year}H{1 if now.month <= 6 else 2}"


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


def _choices():
    orgs = list(Organisation.objects.order_by("name").values("pk", "name", "kind"))
    return {
        "customers": [o for o in orgs if o["kind"] == OrgKind.CUSTOMER],
        "offices": [o for o in orgs if o["kind"] == OrgKind.VENDOR_OFFICE],
        "partners": [o for o in orgs if o["kind"] == OrgKind.PARTNER],
        "products": list(Product.objects.order_by("code")),
    }


@require_GET
@login_required
def dashboard(request):
    viewer = request.user
    if not figures.reads_figures(viewer):
        return _not_found(request)
    errors = {}
    try:
        filters = filters_from(request.GET, default_period=_default_period())
    except ValidationFailed as exc:
        errors = exc.fields
        filters = filters_from({}, default_period=_default_period())
    by = request.GET.get("by", "period")
    by = by if by in panels.SATISFACTION_BY else "period"
    query = urlencode({**filters.as_query(), "by": by})
    shown = []
    for key in panels.PANELS:
        title, columns, rows, chart = panels.panel_rows(key, filters, viewer, by=by)
        shown.append(
            {
                "key": key,
                "title": title,
                "headings": [c[1] for c in columns],
                "cells": panels.cells(columns, rows),
                "chart": chart,
                "chart_id": f"chart-{key}",
            }
        )
    context = {
        "panels": shown,
        "filters": filters,
        "by": by,
        "by_choices": panels.SATISFACTION_BY,
        "query": query,
        "errors": errors,
        **_choices(),
    }
    return render(request, "analytics/dashboard.html", context, status=422 if errors else 200)


@require_GET
@login_required
def download(request, key: str):
    viewer = request.user
    if not figures.reads_figures(viewer) or key not in panels.PANELS:
        return _not_found(request)
    try:
        filters = filters_from(request.GET, default_period=_default_period())
    except ValidationFailed:
        return HttpResponse(status=422)
    title, columns, rows, _chart = panels.panel_rows(
        key, filters, viewer, by=request.GET.get("by", "period")
    )
    response = HttpResponse(
        table_xlsx(title, columns, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"caredesk-{key}-{filters.period.label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _scope(run) -> str:
    """The run's filters beyond the period, by name ("" for everything the requester sees)."""
    names = []
    for key in ("customer", "office", "partner"):
        org = refdata.organisation(int(run.filters[key])) if key in run.filters else None
        names.append(org.name if org else "")
    product = refdata.product(pk=int(run.filters["product"])) if "product" in run.filters else None
    names.append(product.local_name if product else "")
    return " · ".join(n for n in names if n)


def _runs_panel(request, run=None) -> dict:
    listed = list(runs.runs_of(request.user)[:RUNS_LISTED])
    for r in listed:
        r.scope = _scope(r)
    return {"run": run, "runs": listed}


def _runs_page(request, *, run=None, errors=None, status=200):
    context = {**_runs_panel(request, run), "errors": errors or {}}
    return render(request, "analytics/reports.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def report_runs(request):
    """GET: the person's report runs. POST (the dashboard's button, with its filters): queue
    a run and go to its page."""
    viewer = request.user
    if not figures.reads_figures(viewer):
        return _not_found(request)
    if request.method == "GET":
        return _runs_page(request)
    language = request.POST.get("language") or viewer.language
    try:
        filters = filters_from(request.POST, default_period=_default_period())
        run = runs.request_report(
            actor=viewer,
            filters=filters,
            language=language if language in runs.LANGUAGES else "zh-hans",
        )
    except ValidationFailed as exc:
        return _runs_page(request, errors=exc.fields, status=422)
    return redirect("analytics:analytics_report", run_id=run.pk)


@require_GET
@login_required
def report_run(request, run_id: int):
    try:
        run = runs.run_for(request.user, run_id)
    except NotFound:
        return _not_found(request)
    return _runs_page(request, run=run)


@require_GET
@login_required
def report_progress(request, run_id: int):
    """The progress card and the list under it, for HTMX to poll until the run finishes."""
    try:
        run = runs.run_for(request.user, run_id)
    except NotFound:
        return _not_found(request)
    return render(request, "analytics/_run_panel.html", _runs_panel(request, run))


@require_GET
@login_required
def report_file(request, run_id: int, kind: str):
    try:
        _run, path = runs.file_for(request.user, run_id, kind)
    except NotFound:
        return _not_found(request)
    return file_answer(path, kind)


def file_answer(path: Path, kind: str) -> FileResponse:
    """A run's file, always as an attachment and never sniffed into something runnable."""
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=path.name,
        content_type=runs.FILE_KINDS[kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
