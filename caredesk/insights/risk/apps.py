from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """Complaint early warning: an explainable risk score per open ticket."""

    name = "caredesk.insights.risk"
    label = "risk"
    verbose_name = _("Early warning")

    def ready(self):
        # Every event on a ticket marks it to rescore; the worker's loop rescores marked
        # tickets in batches; the timer escalates an alert nobody acknowledged.
        from caredesk import events, loops

        from . import reactions, services, timers  # noqa: F401

        events.subscribe(reactions.on_event)
        loops.register("risk", services.rescore_dirty, order=50)
