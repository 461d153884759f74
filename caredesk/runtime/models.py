"""The worker's heartbeat (each running `manage.py worker` keeps one row fresh, so readiness and
the metrics can tell a live worker from one that stopped or hangs), and the imports run from
the admin page by the worker."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerBeat(models.Model):
    name = models.CharField(_("worker"), max_length=100, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(_("last heartbeat"))
    passes = models.PositiveBigIntegerField(default=0)
    # Rows the worker finished since it started (timers fired, messages tried, …).
    done = models.PositiveBigIntegerField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class ImportStatus(models.TextChoices):
    CHECK = "check", _("Waiting to be checked")
    CHECKED = "checked", _("Checked")
    RUN = "run", _("Waiting to be imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


# What the worker picks up: the check (a dry run) after an upload, the import once confirmed.
IMPORT_PENDING = (ImportStatus.CHECK, ImportStatus.RUN)


class ImportRun(models.Model):
    """A file uploaded on the import page, checked and then imported by the worker
    (caredesk.runtime.import_runs). The file is kept in the row, so web and worker processes
    need no shared disk; it is dropped once imported."""

    kind = models.CharField(_("kind"), max_length=30)
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    mapping = models.JSONField(_("header mapping"), default=dict, blank=True)
    skip_bad_rows = models.BooleanField(_("keep the good rows when some are bad"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECK
    )
    # The head of the file as read at upload: columns, their headers, the first rows.
    preview = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    bad_rows = models.PositiveIntegerField(default=0)
    # Every bad row's [row, column, reason] (up to a limit; problems_total counts them all).
    problems = models.JSONField(default=list, blank=True)
    problems_total = models.PositiveIntegerField(default=0)
    # Why the file as a whole could not be read or imported (status FAILED).
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"))
    started_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="import_pending",
                condition=models.Q(status__in=IMPORT_PENDING),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.CHECKED, ImportStatus.DONE, ImportStatus.FAILED)
