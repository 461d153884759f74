"""Mail coming in: the mailboxes CareDesk polls, every mail it received, and its attachments.

Every mail is kept, whatever became of it: a comment on a ticket, a new ticket, or held in
quarantine (unknown sender, automatic reply, a refused action) for a person to look at.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Security(models.TextChoices):
    SSL = "ssl", _("IMAP over TLS (993)")
    STARTTLS = "starttls", _("STARTTLS (143)")
    PLAIN = "plain", _("Unencrypted (loopback only)")


class Mailbox(models.Model):
    """An IMAP mailbox polled by `manage.py fetchmail`. New requests from it get the default
    product, region and severity (the matrix then routes them)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("host"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=200)
    password = models.CharField(_("password"), max_length=200)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    default_product = models.ForeignKey(
        "directory.Product",
        verbose_name=_("product of new requests"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    default_region = models.ForeignKey(
        "directory.Region",
        verbose_name=_("region of new requests"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    default_severity = models.CharField(_("severity of new requests"), max_length=2, default="P3")
    active = models.BooleanField(_("active"), default=True)
    # Where polling stands: UIDs are only comparable within one UIDVALIDITY of the folder.
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    COMMENT = "comment", _("Added to a ticket")
    OPENED = "opened", _("Opened a ticket")
    QUARANTINED = "quarantined", _("In quarantine")


class InboundMail(models.Model):
    message_id = models.CharField(max_length=300, unique=True)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="mails"
    )
    uid = models.BigIntegerField(null=True, blank=True)
    from_address = models.CharField(_("from"), max_length=300)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    in_reply_to = models.TextField(blank=True)
    text = models.TextField(blank=True)
    raw = models.FileField(upload_to="mail/raw/%Y/%m/")
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    sender = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
    )

    class Meta:
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mails")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["outcome", "-received_at"], name="inbound_outcome")]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"


class MailAttachment(models.Model):
    mail = models.ForeignKey(InboundMail, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="mail/attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
