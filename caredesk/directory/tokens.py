"""API tokens: made, listed and revoked by their owner (and by administrators), each change
audited. Only a token's SHA-256 is stored; the token itself is shown once, when made."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.errors import Conflict, NotFound, ValidationFailed

from . import policy
from .models import ApiToken, Person

MAX_DAYS = 366


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # shown once, never stored


def tokens_visible_to(person: Person) -> QuerySet[ApiToken]:
    """A person's own tokens; an administrator's view is every token."""
    qs = ApiToken.objects.select_related("person").order_by("-created_at", "-id")
    return qs if policy.can_write_reference_data(person) else qs.filter(person=person)


def token_for(person: Person, token_id: int) -> ApiToken:
    found = tokens_visible_to(person).filter(pk=token_id).first()
    if found is None:
        raise NotFound()
    return found


def _operator(actor: Person | None) -> bool:
    """An administrator, or an operator at the command line (actor None: shell access to the
    installation is the authority there)."""
    return actor is None or policy.can_write_reference_data(actor)


@transaction.atomic
def create_token(
    *, actor: Person | None, person: Person, name: str, expires_in_days: int | None
) -> NewToken:
    """A new token for `person`, made by themselves or by an administrator. It expires after
    `expires_in_days` (at most a year; None: never, for administrators only)."""
    if actor is not None and person.pk != actor.pk and not _operator(actor):
        raise NotFound()
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = str(_("Say what the token is for."))
    elif len(name) > 100:
        errors["name"] = str(_("At most %(n)d characters.") % {"n": 100})
    if expires_in_days is None and not _operator(actor):
        errors["expires_in_days"] = str(_("Choose when the token expires."))
    elif expires_in_days is not None and not 1 <= expires_in_days <= MAX_DAYS:
        errors["expires_in_days"] = str(_("Between 1 and %(n)d days.") % {"n": MAX_DAYS})
    if not person.is_active:
        errors["person"] = str(_("This person is no longer active."))
    if errors:
        raise ValidationFailed(fields=errors)
    key = ApiToken.new_key()
    now = clock.now()
    token = ApiToken.objects.create(
        person=person,
        name=name,
        key_hash=ApiToken.hash_key(key),
        prefix=key[:10],
        expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit.record(
        actor=actor,
        action="token.create",
        obj=token,
        after={
            "person": person.pk,
            "name": name,
            "prefix": token.prefix,
            "expires_at": token.expires_at,
        },
    )
    return NewToken(token=token, key=key)


@transaction.atomic
def revoke_token(*, actor: Person | None, token: ApiToken) -> ApiToken:
    """The token stops working at once. Its owner or an administrator revokes it."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if actor is not None and token.person_id != actor.pk and not _operator(actor):
        raise NotFound()
    if token.revoked_at is not None:
        raise Conflict(_("This token is revoked already."))
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action="token.revoke",
        obj=token,
        after={"person": token.person_id, "prefix": token.prefix},
    )
    return token
