"""The worker's loop that builds report runs: claim one unfinished run, build its pack step by
step (recording each step as it starts, which also renews the claim), then mark it done — and,
for a scheduled pack, queue its mail and group posts in that same transaction.

A build is long, so it runs outside a transaction: the files are written first, and the run
turns done only when they all exist. A worker killed mid-build leaves the run `running` under
a claim that expires; another worker takes it again from the start (into a fresh folder).
After MAX_ATTEMPTS such takes, or at the first error of the build itself, the run is failed
with the reason, and its partial files removed."""

import datetime as dt
import logging
import secrets
import shutil

from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from caredesk import claiming, clock
from caredesk.errors import DomainError
from caredesk.insights.cases.reporting import cases_for_report

from . import packs, runs
from .models import ReportRun, RunStatus
from .report import step_count, write_report

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


class LostClaim(Exception):
    """Another worker took the run after this one's claim expired: stop quietly."""


class _Progress:
    def __init__(self, run: ReportRun, worker: str, lease):
        self.run, self.worker, self.lease = run, worker, lease
        self.step = 0

    def record(self, **fields) -> None:
        now = clock.now()
        taken = ReportRun.objects.filter(pk=self.run.pk, claimed_by=self.worker).update(
            claimed_until=now + self.lease, **fields
        )
        if not taken:
            raise LostClaim()

    def __call__(self, label: str) -> None:
        self.step += 1
        self.record(step=self.step, step_label=label[:200])


def build_due(
    *, worker: str, batch: int = 1, lease: dt.timedelta = dt.timedelta(minutes=2), now=None
) -> int:
    """Claim and build one unfinished run (a build is heavy: one per pass, whatever the
    batch). Returns 1 when a run finished (done or failed), else 0."""
    now = now or clock.now()
    ids = claiming.claim(
        ReportRun,
        ready=Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
        order_by="created_at",
        worker=worker,
        now=now,
        batch=1,
        lease=lease,
    )
    return sum(build(pk, worker=worker, lease=lease) for pk in ids)


def build(run_id: int, *, worker: str, lease) -> int:
    run = ReportRun.objects.select_related("requester").get(pk=run_id)
    if run.claimed_by != worker or run.finished:
        return 0
    progress = _Progress(run, worker, lease)
    try:
        with translation.override(run.language):
            if run.attempt > MAX_ATTEMPTS:
                raise DomainError(
                    _("The worker stopped while building this report %(n)s times.")
                    % {"n": run.attempt - 1}
                )
            if run.folder:  # a stopped worker's partial files
                shutil.rmtree(runs.folder_path(run), ignore_errors=True)
            folder = f"{run.created_at:%Y/%m}/run-{run.pk}-{secrets.token_hex(8)}"
            filters = runs.filters_of(run)
            cases = cases_for_report(
                run.requester,
                period_start=filters.period.start,
                period_end=filters.period.end,
                customer=filters.customer_id,
                language=run.language,
            )
            progress.record(
                status=RunStatus.RUNNING,
                started_at=clock.now(),
                steps=1 + step_count(cases),
                folder=folder,
                error="",
            )
            run.folder = folder
            progress(_("Figures and learning cases"))
            written = write_report(
                filters=filters,
                viewer=run.requester,
                out_dir=runs.folder_path(run),
                language=run.language,
                cases=cases,
                step=progress,
            )
    except LostClaim:
        return 0
    except DomainError as exc:
        return _fail(run, worker, str(exc.message) or str(exc))
    except Exception as exc:  # a bug in a figure must show on the run page, not stop the worker
        log.exception("report run %s failed", run.pk)
        return _fail(run, worker, f"{type(exc).__name__}: {exc}")
    files = {path.suffix.lstrip("."): path.name for path in written}
    with transaction.atomic():
        finished = ReportRun.objects.filter(pk=run.pk, claimed_by=worker).update(
            status=RunStatus.DONE,
            files=files,
            step=progress.step,
            step_label="",
            finished_at=clock.now(),
            claimed_until=None,
        )
        if finished and run.schedule:
            run.refresh_from_db()
            packs.tell_recipients(run)
    return finished


def _fail(run: ReportRun, worker: str, error: str) -> int:
    if run.folder:
        shutil.rmtree(runs.folder_path(run), ignore_errors=True)
    return ReportRun.objects.filter(pk=run.pk, claimed_by=worker).update(
        status=RunStatus.FAILED,
        error=error[:2000],
        finished_at=clock.now(),
        claimed_until=None,
        files={},
    )
