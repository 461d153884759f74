from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """The learning-case library: customer voice, event replay and lessons, anonymised."""

    name = "caredesk.insights.cases"
    label = "cases"
    verbose_name = _("Learning cases")
