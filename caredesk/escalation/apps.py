from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "caredesk.escalation"
    label = "escalation"
    verbose_name = _("Escalation")

    def ready(self):
        # Registers the timer handlers and the ticket-event subscriber.
        from . import clocks, engine  # noqa: F401
