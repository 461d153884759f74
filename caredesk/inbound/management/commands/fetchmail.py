"""`manage.py fetchmail`: take in customer mail — from the IMAP mailboxes set up in the admin
(the usual deployment, run it every minute or so), or from .eml files given with --eml."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caredesk.inbound import imap, services
from caredesk.inbound.models import Mailbox


class Command(BaseCommand):
    help = "Poll the IMAP mailboxes (or read .eml files) and turn mail into ticket work."

    def add_arguments(self, parser):
        parser.add_argument("--eml", nargs="+", metavar="FILE", help="Read these .eml files.")
        parser.add_argument(
            "--mailbox",
            help="Only this mailbox; with --eml, the mailbox whose defaults new requests take.",
        )
        parser.add_argument("--limit", type=int, default=500, help="Mails per mailbox and run.")

    def handle(self, *args, eml, mailbox, limit, **options):
        boxes = Mailbox.objects.filter(active=True)
        if mailbox:
            boxes = Mailbox.objects.filter(name=mailbox)
            if not boxes.exists():
                raise CommandError(f"No mailbox named {mailbox!r}.")
        if eml:
            self._files(eml, boxes.first() if mailbox or boxes.count() == 1 else None)
            return
        failed = []
        for box in boxes:
            try:
                result = imap.poll(box, limit=limit)
            except Exception as exc:  # one broken mailbox must not stop the others
                services.record_poll(
                    box, uidvalidity=box.uidvalidity, last_uid=box.last_uid, error=str(exc)[:2000]
                )
                failed.append(box.name)
                self.stderr.write(f"{box.name}: {type(exc).__name__}: {exc}")
                continue
            self.stdout.write(
                f"{box.name}: {result.taken} taken in, {result.duplicates} duplicates ignored"
            )
        if failed:
            raise CommandError(f"Could not poll: {', '.join(failed)}")

    def _files(self, paths, box):
        for name in paths:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            record = services.receive(path.read_bytes(), mailbox=box)
            if record is None:
                self.stdout.write(f"{name}: duplicate (Message-ID seen before), ignored")
            else:
                where = f" {record.ticket.number}" if record.ticket else ""
                why = f" ({record.reason})" if record.reason else ""
                self.stdout.write(f"{name}: {record.get_outcome_display()}{where}{why}")
