import importlib.util
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caredesk.directory.models import Person
from caredesk.errors import DomainError, NotFound
from caredesk.insights.analytics.filters import filters_from
from caredesk.insights.analytics.report import write_report

CASES_MODULE = "caredesk.insights.cases.reporting"


def learning_cases(viewer, filters) -> list[dict]:
    """The period's published learning cases, when the cases app offers them; else none."""
    if importlib.util.find_spec(CASES_MODULE) is None:
        return []
    reporting = importlib.import_module(CASES_MODULE)
    return reporting.cases_for_report(
        viewer,
        period_start=filters.period.start,
        period_end=filters.period.end,
        customer=filters.customer_id,
    )


class Command(BaseCommand):
    help = "Write the service report (xlsx workbook, pptx deck) for a month or a half-year."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026-05, 2026H1 or 2026H2")
        parser.add_argument("--customer", help="customer organisation id (with its branches)")
        parser.add_argument("--office", help="serving office id (with the offices below it)")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
        parser.add_argument("--out", default=".", help="folder to write the files into")
        parser.add_argument(
            "--as", dest="viewer", default="admin", help="whose view of the figures (username)"
        )

    def handle(self, *args, period, customer, office, language, out, viewer, **options):
        person = Person.objects.filter(username=viewer, is_active=True).first()
        if person is None:
            raise CommandError(f"No active person with username {viewer!r}.")
        params = {"period": period, "customer": customer or "", "office": office or ""}
        try:
            filters = filters_from(params, default_period=period)
            files = write_report(
                filters=filters,
                viewer=person,
                out_dir=Path(out),
                language=language,
                cases=learning_cases(person, filters),
            )
        except NotFound as exc:
            raise CommandError(f"{viewer!r} may not read figures.") from exc
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) or str(exc.message)
            raise CommandError(detail) from exc
        for path in files:
            self.stdout.write(str(path))
