from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    """Work on the customer's network and on site: change requests, alarm-masking rules kept in
    step with Alertmanager, and site visits (shared/DESIGN.md, seed cases 3, 5 and 6)."""

    name = "caredesk.fieldwork"
    label = "fieldwork"
    verbose_name = _("Field work")

    def ready(self):
        # Registers the change requests' timer handlers (the stakeholders' notice before the
        # window, an emergency change's deadline to be authorised).
        # masks: the rules' timers (warning, end) and the worker's Alertmanager loops — after
        # the timers (10) and the outbox (20): push what the timers and verbs queued, then
        # compare with what Alertmanager holds.
        from caredesk import loops

        from .changes import services  # noqa: F401
        from .masks import sync
        from .masks import timers as _mask_timers  # noqa: F401  (registers the handlers)

        loops.register("masks.push", sync.push_due, order=30)
        loops.register("masks.reconcile", sync.reconcile_due, order=40)
