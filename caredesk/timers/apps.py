from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimersConfig(AppConfig):
    name = "caredesk.timers"
    label = "timers"
    verbose_name = _("Timers")

    def ready(self) -> None:
        from caredesk import loops

        from .services import run_due

        # Due timers first in each pass: escalations and clocks, then what they queued.
        loops.register("timers", run_due, order=10)
