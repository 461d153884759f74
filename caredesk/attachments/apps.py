from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    """Files attached to records, checked by content and served only through a permission check."""

    name = "caredesk.attachments"
    label = "attachments"
    verbose_name = _("Attachments")
