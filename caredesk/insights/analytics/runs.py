"""Report runs: asking for one, who may read one, and the reads pages and the API share.

A run is read by the person who asked for it, and by staff of the same office when the
requester is office staff too (they read the same figures: the office's and below). A partner
engineer's run shows his own work's figures, so it is his alone. Everyone else gets NotFound."""

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import OFFICE_ROLES, Person
from caredesk.errors import NotFound, ValidationFailed

from . import figures
from .filters import Filters, filters_from
from .models import ReportRun, RunStatus

LANGUAGES = ("zh-hans", "en")
FILE_KINDS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationFailed(fields={"language": _("Choose zh-hans or en.")})


def request_report(
    *,
    actor: Person,
    filters: Filters,
    language: str = "zh-hans",
    schedule: str = "",
    recipients: dict | None = None,
) -> ReportRun:
    """Queue a build of the report pack for `filters` as `actor` sees the figures; the worker
    builds it (building.py). Only someone who reads figures may ask (else NotFound)."""
    figures.check_reads_figures(actor)
    check_language(language)
    with transaction.atomic():
        run = ReportRun.objects.create(
            requester=actor,
            period=filters.period.label,
            filters=filters.as_query(),
            language=language,
            schedule=schedule,
            recipients=recipients or {},
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action="analytics.report_requested",
            obj=run,
            after={"filters": run.filters, "language": language, "schedule": schedule},
        )
    return run


def filters_of(run: ReportRun) -> Filters:
    return filters_from(run.filters, default_period=run.period)


def _shares_figures(person: Person, requester: Person) -> bool:
    return (
        person.role in OFFICE_ROLES
        and requester.role in OFFICE_ROLES
        and person.organisation_id is not None
        and person.organisation_id == requester.organisation_id
    )


def may_read_run(person: Person, run: ReportRun) -> bool:
    if not figures.reads_figures(person):
        return False
    return person.pk == run.requester_id or _shares_figures(person, run.requester)


def runs_of(person: Person) -> QuerySet[ReportRun]:
    """The runs `person` asked for (scheduled ones made as them included), newest first."""
    if not figures.reads_figures(person):
        return ReportRun.objects.none()
    return ReportRun.objects.filter(requester=person).order_by("-created_at", "-pk")


def readable_runs(person: Person) -> QuerySet[ReportRun]:
    """Every run `person` may read (the filter may_read_run agrees with)."""
    if not figures.reads_figures(person):
        return ReportRun.objects.none()
    shared = Q(pk__in=[])
    if person.role in OFFICE_ROLES and person.organisation_id is not None:
        shared = Q(
            requester__organisation_id=person.organisation_id,
            requester__role__in=list(OFFICE_ROLES),
        )
    return ReportRun.objects.filter(Q(requester=person) | shared)


def run_for(person: Person, run_id: int) -> ReportRun:
    run = ReportRun.objects.select_related("requester").filter(pk=run_id).first()
    if run is None or not may_read_run(person, run):
        raise NotFound()
    return run


def folder_path(run: ReportRun) -> Path:
    return Path(settings.REPORTS_DIR) / run.folder


def file_for(person: Person, run_id: int, kind: str) -> tuple[ReportRun, Path]:
    """A done run's file of `kind` (xlsx, pptx) that `person` may read; else NotFound."""
    run = run_for(person, run_id)
    name = run.files.get(kind) if run.status == RunStatus.DONE else None
    if kind not in FILE_KINDS or not name or not run.folder:
        raise NotFound()
    path = folder_path(run) / name
    if not path.is_file():
        raise NotFound()
    return run, path
