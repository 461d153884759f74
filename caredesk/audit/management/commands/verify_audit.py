import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from caredesk.audit.checking import verify_audit


class Command(BaseCommand):
    help = (
        "Check the audit log: every sealed record's keyed seal, the chain linking them, and "
        "the checkpoints kept outside the database. Exits non-zero naming the first problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            default="",
            help="The checkpoint log to check against (default: AUDIT_CHECKPOINTS); with "
            "syslog, the file the log host keeps the lines in.",
        )
        parser.add_argument(
            "--unsealed-minutes",
            type=float,
            default=10,
            help="Warn about records left unsealed longer than this.",
        )

    def handle(self, *args, checkpoints: str, unsealed_minutes: float, **options):
        report = verify_audit(
            checkpoint_file=checkpoints or None,
            unsealed_age=dt.timedelta(minutes=unsealed_minutes),
        )
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if not report.ok:
            for later in report.problems[1:]:
                self.stderr.write(f"also: {later}")
            raise CommandError(
                f"Audit log check failed at {report.first} "
                f"({report.sealed} sealed records verified before it)."
            )
        self.stdout.write(
            f"Audit log intact: {report.sealed} sealed records verified against "
            f"{report.checkpoints} checkpoints; {report.unsealed} records waiting to be sealed."
        )
