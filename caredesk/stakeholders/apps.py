from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "caredesk.stakeholders"
    label = "stakeholders"
    verbose_name = _("Stakeholder maps")

    def ready(self):
        from caredesk.directory import refdata

        from .models import Stakeholder

        # The maps are read from each process's cached copy (their people are read fresh).
        refdata.watch(Stakeholder)
