"""Tables of analytics (its own only: the floors below are read, never written)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReportRun(models.Model):
    """One build of the report pack (workbook and deck) for a period and a scope, asked for by
    a person on the analytics page or the API, or by a scheduled pack (`schedule` names it and
    `period` is that schedule's period: one run per schedule and period, ever).

    The worker claims queued runs (and running ones whose worker stopped: the claim expired),
    records each step as it starts, and keeps the files under REPORTS_DIR/`folder`."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    period = models.CharField(_("period"), max_length=10)
    # The filters as URL parameters (Filters.as_query), parsed again when the run is built.
    filters = models.JSONField(default=dict)
    language = models.CharField(max_length=10, default="zh-hans")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    step = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=0)
    step_label = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # Relative to REPORTS_DIR; `files` maps a kind ("xlsx", "pptx") to a file name in it.
    folder = models.CharField(max_length=200, blank=True)
    files = models.JSONField(default=dict, blank=True)
    # A scheduled pack: the schedule's name and its recipients frozen when the run was made
    # ({"people": [ids], "endpoints": [ids]}), so editing the schedule never redirects a pack
    # in flight.
    schedule = models.CharField(max_length=64, blank=True)
    recipients = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period"],
                condition=~Q(schedule=""),
                name="one_report_run_per_schedule_period",
            )
        ]
        indexes = [
            # The worker's query: runs not finished, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["queued", "running"]),
                name="report_run_unfinished",
            ),
            models.Index(fields=["requester", "-created_at"], name="report_run_requester"),
        ]

    def __str__(self) -> str:
        return f"report {self.period} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return int(100 * self.step / self.steps) if self.steps else 0
