from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    """The shift hand-over report: what the incoming shift must know about a customer's network."""

    name = "caredesk.insights.handover"
    label = "handover"
    verbose_name = _("Shift hand-over")

    def ready(self):
        # Registers the timer handlers: a shift change tells the incoming shift, and the one
        # reminder when it is not acknowledged.
        from . import timers  # noqa: F401
