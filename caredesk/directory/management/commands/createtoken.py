from django.core.management.base import BaseCommand, CommandError

from caredesk.directory.models import ApiToken, Person


class Command(BaseCommand):
    help = "Create an API token for a person and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, username, name, **options):
        person = Person.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No person with username {username!r}.")
        if not person.is_active:
            raise CommandError(f"{username!r} is deactivated; activate the account first.")
        key = ApiToken.new_key()
        ApiToken.objects.create(
            person=person, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:10]
        )
        self.stdout.write(key)
