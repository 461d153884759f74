"""The worker's heartbeat: each running `manage.py worker` keeps one row fresh, so readiness and
the metrics can tell a live worker from one that stopped or hangs."""

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
