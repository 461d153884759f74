from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "caredesk.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from caredesk import loops
        from caredesk.directory import refdata

        from .delivery import deliver_due
        from .models import Endpoint

        loops.register("outbox", deliver_due, order=20)
        # Addressing reads the active endpoints from the reference-data copy (addressing.py).
        refdata.watch(Endpoint)
