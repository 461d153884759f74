from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from caredesk.directory import tokens
from caredesk.directory.models import ApiToken
from caredesk.errors import DomainError


class Command(BaseCommand):
    help = "List API tokens (optionally one person's), or revoke one by its id or prefix."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="Only this username's tokens.")
        parser.add_argument("--revoke", metavar="ID_OR_PREFIX", help="Revoke this token.")

    def handle(self, *args, user, revoke, **options):
        if revoke:
            found = ApiToken.objects.filter(prefix=revoke).first() or (
                ApiToken.objects.filter(pk=int(revoke)).first()
                if revoke.isascii() and revoke.isdigit()
                else None
            )
            if found is None:
                raise CommandError(f"No token with id or prefix {revoke!r}.")
            try:
                tokens.revoke_token(actor=None, token=found)
            except DomainError as exc:
                raise CommandError(str(exc.message)) from exc
            self.stdout.write(f"revoked {found.prefix}… ({found.person.username})")
            return
        qs = ApiToken.objects.select_related("person").order_by("person__username", "id")
        if user:
            qs = qs.filter(person__username=user)
        for t in qs:
            now = timezone.now()
            state = "revoked" if t.revoked_at else ("live" if t.is_live(now) else "expired")
            expiry = f"expires {t.expires_at:%Y-%m-%d}" if t.expires_at else "no expiry"
            self.stdout.write(
                f"{t.pk}\t{t.prefix}…\t{t.person.username}\t{t.name}\t{state}\t{expiry}"
            )
