from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "caredesk.escalation"
    label = "escalation"
    verbose_name = _("Escalation")

    def ready(self):
        # Registers the timer handlers and the ticket-event subscriber.
        from caredesk.directory import refdata

        from . import clocks, engine, firing, models  # noqa: F401

        # Policies are read from each process's cached copy.
        refdata.watch(
            models.SlaPolicy,
            models.EscalationPolicy,
            models.EscalationStep,
        )
