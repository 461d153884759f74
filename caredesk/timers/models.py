"""Durable timers: actions due at a time, kept in the database, never in memory."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DueAction(models.Model):
    """One thing to do at `due_at`: `kind` names the handler, `subject` the object it acts on.

    Done rows keep `done_at` and the handler's `outcome` (fired, skipped: condition no longer
    holds, cancelled) as the record of what happened."""

    kind = models.CharField(max_length=64)
    subject = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    attempt = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)
    # The request (or the traced work) that scheduled it, bound again while it is handled, so
    # what it queues and logs carries the same id. A database default too: rows written by
    # plain SQL (bulk loads, the timers benchmark) need not name it.
    request_id = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("due action")
        verbose_name_plural = _("due actions")
        indexes = [
            # The worker's only query: pending rows by due time. Done rows stay out of it,
            # so its cost follows the number due, not the history.
            models.Index(
                fields=["due_at"], condition=Q(done_at__isnull=True), name="due_action_pending"
            ),
            models.Index(fields=["kind", "subject"], name="due_action_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject} @ {self.due_at:%Y-%m-%d %H:%M}"


class ProbeEffect(models.Model):
    """What a `timers.probe` action leaves behind: one row per execution. Operators schedule
    probes to see that workers run (`manage.py timers_probe`); tests and benchmarks count the
    rows to prove every action ran exactly once."""

    action_id = models.BigIntegerField(db_index=True)
    worker = models.CharField(max_length=100)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"probe {self.action_id} by {self.worker}"
