from django.core.management.base import BaseCommand, CommandError

from caredesk.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit non-zero at the first broken record."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at record #{report.broken_at}: {report.reason} "
                f"({report.checked} records verified before it)."
            )
        self.stdout.write(f"Audit chain intact: {report.checked} records verified.")
