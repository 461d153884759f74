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
        _register_attachment_owners()


def _register_attachment_owners() -> None:
    """attachments: a change's files are seen and added by whoever sees the change, a visit's by
    whoever sees the visit (its ticket's readers: the customer adds a photo beside the report
    they confirm). Neither has internal parts."""
    from django.urls import reverse

    from caredesk.attachments import registry
    from caredesk.tickets import policy as ticket_policy

    from .changes import policy as change_policy
    from .changes import selectors as change_selectors
    from .visits import selectors as visit_selectors

    registry.register(
        registry.Owner(
            kind="change",
            find=lambda person, pk: change_selectors.change_for(person, pk),
            may_add=change_policy.can_view,
            page_url=lambda change: reverse("fieldwork:change_page", args=[change.pk]),
        )
    )
    registry.register(
        registry.Owner(
            kind="visit",
            find=lambda person, pk: visit_selectors.visit_for(person, pk),
            may_add=lambda person, visit: ticket_policy.can_view(person, visit.ticket),
            # customers are sent on to the report on their ticket page
            page_url=lambda visit: reverse("fieldwork:visit_page", args=[visit.pk]),
        )
    )
