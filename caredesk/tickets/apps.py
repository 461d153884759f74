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
        # attachments: whoever sees a ticket sees its files and may add one.
        from django.urls import reverse

        from caredesk.attachments import registry

        from . import policy, selectors

        registry.register(
            registry.Owner(
                kind="ticket",
                find=lambda person, pk: selectors.ticket_for(person, ticket_id=pk),
                may_add=policy.can_view,
                page_url=lambda t: reverse("tickets:ticket", args=[t.number]),
            )
        )
