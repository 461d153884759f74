"""The outbox: one row per message to deliver, written in the same transaction as its event.

`notify` knows messages, recipients and channels — never tickets. The worker delivers rows
(see delivery.py); endpoints are the group robots and HTTP/SMS gateways messages go through.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caredesk.stakeholders.models import ContactChannel


class MessageState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Failed")


class EndpointKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk custom robot")
    FEISHU = "feishu", _("Feishu custom bot")
    WEBHOOK = "webhook", _("SMS gateway / HTTP webhook")


class Endpoint(models.Model):
    """A robot or gateway that messages are posted to, set up by an administrator.

    An endpoint belongs to an organisation (the group of that customer or office); one without
    an organisation serves everybody (e.g. the company's SMS gateway). `rate_per_minute` is
    the vendor's limit: messages beyond it wait in the outbox, they are never dropped."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=EndpointKind.choices)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="endpoints",
        help_text=_("Leave empty for an endpoint that serves every organisation."),
    )
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk and Feishu signing secret; HMAC key of an HTTP webhook."),
    )
    rate_per_minute = models.PositiveIntegerField(_("messages per minute"), default=20)
    # For SMS gateways: the gateway's approved template code per CareDesk template name.
    options = models.JSONField(_("options"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notification endpoint")
        verbose_name_plural = _("notification endpoints")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class Message(models.Model):
    channel = models.CharField(_("channel"), max_length=20, choices=ContactChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    endpoint = models.ForeignKey(
        Endpoint,
        verbose_name=_("endpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    # When the channel asked for was not set up for the recipient and the message went by
    # `channel` instead: the channels asked for, and what was missing for each
    # (addressing.Missing), comma-separated in step — two channels that both fell back to
    # the same address make one message.
    requested_channel = models.CharField(_("channel asked for"), max_length=60, blank=True)
    fallback_reason = models.CharField(max_length=40, blank=True)
    template = models.CharField(_("template"), max_length=64)
    context = models.JSONField(default=dict, blank=True)
    # Files an email carries, read when it is sent: [{"path", "filename", "content_type"}].
    # The paths are written by CareDesk's own code (a report run's files), never by a sender.
    attachments = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    # What the message is about, as text (e.g. "ticket:42"), for listing per object.
    topic = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    # The email Message-ID this row is sent with, so replies (In-Reply-To) find their topic.
    message_id = models.CharField(max_length=200, blank=True, db_index=True)
    state = models.CharField(max_length=10, choices=MessageState.choices, default="pending")
    attempt = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # What was sent, as rendered for the recipient (kept for the record and the dead letters).
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The request (or the traced work) that queued it: the worker logs its delivery under it.
    request_id = models.CharField(max_length=64, blank=True, default="", db_default="")

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
            models.Index(fields=["state", "-created_at"], name="message_state"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient_id or self.address}: {self.template}"

    @property
    def fell_back(self) -> bool:
        return bool(self.requested_channel) and self.requested_channel != self.channel

    def add_fallback(self, requested: str, missing: str) -> None:
        """Another channel asked for landed on this message's address too."""
        if requested and requested not in self.requested_channel.split(","):
            self.requested_channel = ",".join(filter(None, [self.requested_channel, requested]))
            self.fallback_reason = ",".join(filter(None, [self.fallback_reason, missing]))


class AttemptOutcome(models.TextChoices):
    IN_FLIGHT = "in_flight", _("Sending")
    SENT = "sent", _("Delivered")
    RETRY = "retry", _("Will retry")
    THROTTLED = "throttled", _("Throttled by the receiver")
    DEAD = "dead", _("Failed")
    # A try its worker opened and never recorded (killed mid-send): closed when the message is
    # taken again, since nobody knows whether the receiver got it.
    LOST = "lost", _("Interrupted: the worker stopped")


class Attempt(models.Model):
    """One try at delivering a message: its history, and the ledger behind rate limits
    (a robot's sends in the last minute are its attempts in the last minute)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts")
    endpoint = models.ForeignKey(
        Endpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    worker = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    detail = models.TextField(blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["endpoint", "at"], name="attempt_endpoint_at")]

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.at:%Y-%m-%d %H:%M:%S}: {self.outcome}"
