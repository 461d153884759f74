"""Stored files and their owners (a kind and an id: this app knows no ticket)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    UPLOAD = "upload", _("Uploaded")
    MAIL = "mail", _("By email")


class Attachment(models.Model):
    """One file on one owner ("ticket", 42). The bytes live under ATTACHMENTS_DIR by a random
    name; `content_type` is what the content was sniffed as, never what the sender claimed."""

    owner_kind = models.CharField(max_length=20)
    owner_id = models.BigIntegerField()
    filename = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(max_length=10)  # the sniffed type: png, pdf, text…
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=80, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    uploaded_by = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    # staff only, on owners with internal parts (a complaint's investigation)
    internal = models.BooleanField(_("internal"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["owner_kind", "owner_id"], name="attachment_owner")]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.kind in RASTER_KINDS


RASTER_KINDS = frozenset({"png", "jpeg", "gif", "webp"})
