"""The outbox: one row per message to deliver, written in the same transaction as its event.

`notify` knows messages, recipients and channels — never tickets. The worker delivers rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Failed")


class Message(models.Model):
    channel = models.CharField(_("channel"), max_length=20)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    template = models.CharField(_("template"), max_length=64)
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    # What the message is about, as text (e.g. "ticket:42"), for listing per object.
    topic = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=10, choices=MessageState.choices, default="pending")
    attempt = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="message_pending_due",
            ),
            models.Index(fields=["topic", "created_at"], name="message_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient_id or self.address}: {self.template}"
