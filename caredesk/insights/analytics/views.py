"""The analytics pages: the dashboard (filters in the URL, a chart and a table per panel) and
each panel's xlsx download of exactly the rows its table shows."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from caredesk import clock
from caredesk.directory.models import Organisation, OrgKind, Product
from caredesk.errors import ValidationFailed

from . import figures, panels
from .filters import SHANGHAI, filters_from
from .workbook import table_xlsx


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
