from django.core.management.base import BaseCommand, CommandError

from caredesk.directory import tokens
from caredesk.directory.models import Person
from caredesk.errors import DomainError


class Command(BaseCommand):
    help = "Create an API token for a person and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument(
            "--days", type=int, default=90, help="Days until it expires (0: never). Default 90."
        )

    def handle(self, *args, username, name, days, **options):
        person = Person.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No person with username {username!r}.")
        if not person.is_active:
            raise CommandError(f"{username!r} is deactivated; activate the account first.")
        try:
            made = tokens.create_token(
                actor=None, person=person, name=name, expires_in_days=days or None
            )
        except DomainError as exc:
            raise CommandError("; ".join(f"{k}: {v}" for k, v in exc.fields.items())) from exc
        self.stdout.write(made.key)
