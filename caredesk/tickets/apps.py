from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "caredesk.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # Ticket events write their notifications to the outbox (see notifications.py).
        from . import notifications, search
        from .services import closing  # noqa: F401  (registers the auto-close timers)

        notifications.register()
        # The search index follows titles, customer words and comments in the same transaction.
        search.register()
