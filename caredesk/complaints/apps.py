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

        _register_attachment_owner()


def _register_attachment_owner() -> None:
    """attachments: whoever sees a complaint sees its files and may add one; its internal files
    (evidence of the investigation) are for staff, like its internal notes."""
    from django.urls import reverse

    from caredesk.attachments import registry

    from . import policy, selectors

    registry.register(
        registry.Owner(
            kind="complaint",
            find=lambda person, pk: selectors.complaint_for(person, complaint_id=pk),
            may_add=policy.can_view,
            page_url=lambda c: reverse("complaints:complaint_page", args=[c.number]),
            sees_internal=policy.sees_internal,
        )
    )
