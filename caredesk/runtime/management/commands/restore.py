"""`manage.py restore FILE`: put back a backup made by `manage.py backup`, all or nothing, then
verify the restored audit chain. Stop the web server and the worker first."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from caredesk.runtime import cli, services


class Command(BaseCommand):
    help = "Replace the database (and the audit checkpoints if given) with the backup in FILE."
    # The system checks open the database before handle() can turn a failure to reach it
    # into a message; these commands check what they need themselves.
    requires_system_checks = []

    def add_arguments(self, parser):
        cli.add_arguments(
            parser,
            checkpoints="Where to put the backup's audit checkpoints (a file or directory).",
            force="Replace a database that holds tables (and checkpoints already at PATH).",
        )

    def handle(self, *args, file, checkpoints, force, **options):
        with cli.refusals():
            done = services.restore(file, checkpoints=checkpoints, force=force)
        self.stdout.write(
            f"Restored the {services.NAMES[done.vendor]} database ({done.tables} tables) "
            f"as it was at {done.created_at}."
        )
        if done.checkpoints is not None:
            self.stdout.write(f"Restored the audit checkpoints to {done.checkpoints}.")
        elif done.checkpoints_left:
            self.stdout.write(
                "The backup also holds audit checkpoints; pass --checkpoints PATH to restore them."
            )
        # The same check as `manage.py verify_audit`, on the restored copy.
        call_command("verify_audit", stdout=self.stdout, stderr=self.stderr)
