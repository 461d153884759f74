from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    """Satisfaction surveys after closure: signed single-use links, scores, follow-ups."""

    name = "caredesk.satisfaction"
    label = "satisfaction"
    verbose_name = _("Satisfaction")

    def ready(self) -> None:
        # Registers the sending timers' handlers and the closure events' subscriber.
        from .services import sending

        sending.register()
