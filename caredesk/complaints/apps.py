from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Hotline complaints handled to a closed loop: receipt, assessment, deadlines with
    extension, investigation, root cause, corrective actions, response, call-back, withdrawal."""

    name = "caredesk.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # Registers the deadline timers' handler (caredesk.timers).
        from .services import deadlines  # noqa: F401
