"""The audit log: append-only records, sealed afterwards into a keyed hash chain.

A change inserts its record with no chain fields (`seq`, `seal`, `sealed_at` all NULL), so
writers share no row and never wait for each other. The worker's sealer then gives unsealed
records the next sequence numbers, in the order it finds them, and each one's `seal` is
HMAC-SHA256(key, previous seal, the record's content) — see `sealing.py`.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AuditHead(models.Model):
    """The chain's tip, one row, locked only by the sealer (never by a change being recorded);
    and where the last checkpoint written outside the database stands."""

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    checkpoint_seq = models.BigIntegerField(default=0)
    checkpoint_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class AuditRecord(models.Model):
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    # Filled by the sealer: the record's place in the chain and its HMAC.
    seq = models.BigIntegerField(null=True, unique=True)
    seal = models.CharField(max_length=64, null=True)
    sealed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The sealer's queue: stays as small as the backlog, however long the log grows.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_unsealed_idx"),
        ]

    def __str__(self) -> str:
        place = f"#{self.seq}" if self.seq else "unsealed"
        return f"{place} {self.action} {self.object_type}:{self.object_id}"
