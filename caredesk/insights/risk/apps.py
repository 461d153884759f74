from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """Complaint early warning: an explainable risk score per open ticket."""

    name = "caredesk.insights.risk"
    label = "risk"
    verbose_name = _("Early warning")
