"""`manage.py backup FILE`: the database (and the audit checkpoints) in one file, taken while
CareDesk runs. See caredesk/runtime/services.py for what the file holds."""

from django.core.management.base import BaseCommand

from caredesk.runtime import cli, services


class Command(BaseCommand):
    help = "Back up the database, and the audit checkpoints if given, into FILE."
    # The system checks open the database before handle() can turn a failure to reach it
    # into a message; these commands check what they need themselves.
    requires_system_checks = []

    def add_arguments(self, parser):
        cli.add_arguments(
            parser,
            checkpoints="The audit checkpoint file or directory to include.",
            force="Replace FILE if it exists.",
        )

    def handle(self, *args, file, checkpoints, force, **options):
        with cli.refusals():
            done = services.backup(file, checkpoints=checkpoints, force=force)
        extra = " and the audit checkpoints" if done.checkpoints else ""
        self.stdout.write(
            f"Backed up the {services.NAMES[done.vendor]} database ({done.tables} tables){extra} "
            f"to {done.path} ({done.size:,} bytes)."
        )
