from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Dashboards with charts and the half-year report (xlsx workbook and slide deck)."""

    name = "caredesk.insights.analytics"
    label = "analytics"
    verbose_name = _("Analytics")
