"""Sign-ins, failed sign-ins and lock-outs are audit records (who, from where, when)."""

from dataclasses import dataclass

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction

from caredesk.audit import services as audit

from .models import Person


@dataclass(frozen=True)
class SignIn:
    """The object of a sign-in record when the username names nobody."""

    pk: str


def _address(request) -> str:
    if request is None:
        return ""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


def _record(action: str, person, username: str, request) -> None:
    obj = person if person is not None else SignIn(pk=username[:150])
    with transaction.atomic():
        audit.record(
            actor=person,
            action=action,
            obj=obj,
            after={"username": username[:150], "address": _address(request)},
        )


def _on_login(sender, request, user, **kwargs):
    _record("auth.login", user, user.get_username(), request)


def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        _record("auth.logout", user, user.get_username(), request)


def _on_failure(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))
    person = Person.objects.filter(username=username).first()
    _record("auth.login_failed", person, username, request)


def _on_lockout(sender, request, username, ip_address, **kwargs):
    person = Person.objects.filter(username=username or "").first()
    _record("auth.locked_out", person, username or "", request)


def register() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="audit-login")
    user_logged_out.connect(_on_logout, dispatch_uid="audit-logout")
    user_login_failed.connect(_on_failure, dispatch_uid="audit-login-failed")
    user_locked_out.connect(_on_lockout, dispatch_uid="audit-locked-out")
