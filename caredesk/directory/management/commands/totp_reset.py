from django.core.management.base import BaseCommand, CommandError

from caredesk.directory import totp
from caredesk.directory.models import Person
from caredesk.errors import DomainError


class Command(BaseCommand):
    help = (
        "Remove a person's two-step verification (authenticator and recovery codes), e.g. the "
        "only administrator's lost phone. Audited; they sign in with the password next time."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        person = Person.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No person with username {username!r}.")
        try:
            totp.reset(actor=None, person=person)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"two-step verification of {username} removed")
