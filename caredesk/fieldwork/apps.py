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
        from .changes import services  # noqa: F401
