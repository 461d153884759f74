from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Dashboards with charts and the half-year report (xlsx workbook and slide deck)."""

    name = "caredesk.insights.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from caredesk import loops

        from . import building, packs

        # After the timers and the outbox: queue the scheduled packs that are due, then build
        # one waiting run per pass (its mail leaves through the outbox on the next pass).
        loops.register("reports.packs", packs.packs_due, order=50)
        loops.register("reports.build", building.build_due, order=60)
        checks.register(check_schedules)


def check_schedules(app_configs=None, **kwargs):
    """Each REPORT_SCHEDULES entry parses (else the worker would skip it every pass)."""
    from django.conf import settings

    from .packs import parse_schedule

    errors = []
    for entry in settings.REPORT_SCHEDULES:
        try:
            parse_schedule(entry)
        except ValueError as exc:
            errors.append(checks.Error(f"REPORT_SCHEDULES: {exc}", id="analytics.E001"))
    return errors
