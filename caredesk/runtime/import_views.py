"""The import pages (administrators only; 404 for everyone else): upload a file and choose its
kind, see the head of the file and then every bad row the worker's check found, confirm, and
follow the worker's progress (an HTMX fragment polled while the worker is on it). Thin: the
verbs and the worker are in import_runs."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caredesk import pagekit
from caredesk.errors import DomainError

from . import import_runs, imports
from .import_progress import rows_done
from .models import ImportRun, ImportStatus

LISTED = 30
SHOWN_PROBLEMS = 1000
POLL_SECONDS = 2

KIND_LABELS = {
    "organisations": gettext_lazy("Organisations"),
    "people": gettext_lazy("People"),
    "products": gettext_lazy("Products"),
    "regions": gettext_lazy("Regions"),
    "responsibilities": gettext_lazy("Responsibility matrix"),
    "role-assignments": gettext_lazy("Role assignments"),
    "holidays": gettext_lazy("Holidays and make-up days"),
    "rosters": gettext_lazy("On-call rotations"),
    "roster-overrides": gettext_lazy("On-call overrides (who covers whom)"),
    "tickets": gettext_lazy("Historical tickets"),
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The file holds"))
    file = forms.FileField(label=gettext_lazy("Spreadsheet (xlsx) or CSV"))
    mapping = forms.CharField(
        label=gettext_lazy("Header mapping (optional)"),
        help_text=gettext_lazy("One HEADER=COLUMN a line, e.g. 工号=username."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", pagekit.CHOOSE)] + [
            (k, KIND_LABELS.get(k, k)) for k in imports.KINDS
        ]


class ConfirmForm(forms.Form):
    skip_bad_rows = forms.BooleanField(
        label=gettext_lazy("Import the good rows and leave the bad ones out"), required=False
    )


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


def _run_for(request, run_id: int) -> ImportRun | None:
    if not import_runs.may_import(request.user):
        return None
    return ImportRun.objects.defer("content").filter(pk=run_id).first()


def _columns() -> dict[str, tuple]:
    return {k: spec.columns for k, spec in imports.KINDS.items()}


@login_required
def import_list(request):
    """GET: the upload form and the latest runs. POST: keep the file for the worker's check."""
    if not import_runs.may_import(request.user):
        return _not_found(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = import_runs.upload_import(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    file_name=upload.name,
                    content=upload.read(import_runs.MAX_BYTES + 1),
                    mapping_lines=form.cleaned_data["mapping"].splitlines(),
                )
            except DomainError as exc:
                if not pagekit.add_field_errors(form, exc):
                    messages.error(request, str(exc.message))
                status = pagekit.error_status(exc)
            else:
                return redirect("runtime:import_run", run_id=run.pk)
    runs = ImportRun.objects.defer("content", "preview", "problems").order_by("-id")[:LISTED]
    context = {"form": form, "runs": runs, "labels": KIND_LABELS, "columns": _columns()}
    return render(request, "runtime/imports.html", context, status=status)


def _progress_context(run: ImportRun) -> dict:
    done = rows_done(run)
    percent = None
    if run.rows_total:
        percent = min(100, round(100 * done / run.rows_total))
    return {
        "run": run,
        "done": done,
        "percent": percent,
        "working": not run.finished,
        "poll": POLL_SECONDS,
    }


@login_required
def import_run(request, run_id):
    run = _run_for(request, run_id)
    if run is None:
        return _not_found(request)
    context = {
        **_progress_context(run),
        "label": KIND_LABELS.get(run.kind, run.kind),
        "preview_rows": run.preview.get("rows", []),
        "preview_columns": [
            (c, run.preview.get("sources", {}).get(c, "")) for c in run.preview.get("columns", [])
        ],
        "problems": run.problems[:SHOWN_PROBLEMS],
        "more_problems": max(0, run.problems_total - SHOWN_PROBLEMS),
        "confirmable": run.status == ImportStatus.CHECKED,
        "confirm_form": ConfirmForm(),
    }
    return render(request, "runtime/import_run.html", context)


@login_required
def import_progress(request, run_id):
    """The progress fragment; once the worker is done with the run, the whole page reloads to
    show its result (HX-Refresh)."""
    run = _run_for(request, run_id)
    if run is None:
        return _not_found(request)
    response = render(request, "runtime/_import_progress.html", _progress_context(run))
    if run.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request, run_id):
    run = _run_for(request, run_id)
    if run is None:
        return _not_found(request)
    form = ConfirmForm(request.POST)
    form.is_valid()  # a lone optional checkbox: always valid
    try:
        import_runs.confirm_import(
            actor=request.user, run=run, skip_bad_rows=form.cleaned_data["skip_bad_rows"]
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The worker imports the file now; this page follows it."))
    return redirect("runtime:import_run", run_id=run.pk)
