"""Two-step sign-in: an authenticator app (TOTP, RFC 6238) and one-time recovery codes.

The one door for every change to a person's second factor — set-up (a device that counts only
once a code from the app confirms it), turning it off, new recovery codes, an administrator's
reset — and for the code check at sign-in with its throttle. Each is an audit record.

Devices are django-otp's `TOTPDevice` rows (its secret, drift and last accepted step), but codes
are checked here against `caredesk.clock`, not by the device's own `verify_token` (which reads
`time.time()`), so tests move time like everywhere else. Recovery codes are our own rows, stored
as SHA-256 like API tokens: django-otp's static tokens are kept in plain text.
"""

import base64
import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.errors import Conflict, DomainError, NotFound, ValidationFailed

from . import policy
from .models import Person, RecoveryCode

RECOVERY_CODES = 10
# 16 characters from 31 (no 0/o, 1/l/i, which are misread off paper): 79 bits, too many to try
# against a leaked hash, so SHA-256 is enough (like API tokens).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_LENGTH = 16
# The wait after each further run of wrong codes doubles, up to this many doublings.
_MAX_DOUBLINGS = 10


class WrongCode(ValidationFailed):
    code = "wrong_code"
    default_message = _("That code is not right.")

    def __init__(self):
        super().__init__(
            fields={
                "code": _(
                    "That code is not right. Type the newest code your app shows (check the "
                    "phone's clock), or one of your recovery codes."
                )
            }
        )


class CodeStepLocked(DomainError):
    """Too many wrong codes in a row: no code is checked for this person until `until`."""

    code = "throttled"
    status = 429
    default_message = _("Too many wrong codes. Wait, then try again.")

    def __init__(self, *, until: dt.datetime):
        super().__init__()
        self.until = until


@dataclass(frozen=True)
class SecondFactor:
    """What a person's Two-step verification page shows."""

    device: TOTPDevice | None  # the confirmed authenticator
    pending: TOTPDevice | None  # set up but not confirmed yet
    recovery_codes_left: int
    required: bool
    locked_until: dt.datetime | None


# ---------------------------------------------------------------- reading


def device_of(person: Person) -> TOTPDevice | None:
    """The person's confirmed authenticator, if any: only that one counts at sign-in."""
    return TOTPDevice.objects.filter(user=person, confirmed=True).order_by("id").first()


def has_second_factor(person: Person) -> bool:
    return TOTPDevice.objects.filter(user=person, confirmed=True).exists()


def must_set_up(person: Person) -> bool:
    """An administrator who must add an authenticator before anything else (the setting)."""
    return policy.second_factor_required(person) and not has_second_factor(person)


def second_factor_of(person: Person) -> SecondFactor:
    device = device_of(person)
    return SecondFactor(
        device=device,
        pending=None
        if device
        else TOTPDevice.objects.filter(user=person, confirmed=False).order_by("-id").first(),
        recovery_codes_left=RecoveryCode.objects.filter(person=person, used_at=None).count(),
        required=policy.second_factor_required(person),
        locked_until=_locked_until(device, clock.now()) if device else None,
    )


def people_with_second_factor(actor: Person) -> QuerySet[Person]:
    """For an administrator: everyone with an authenticator (`has_device`, `device_last_used`)
    and the administrators the setting obliges who have none yet."""
    if not policy.can_write_reference_data(actor):
        return Person.objects.none()
    devices = TOTPDevice.objects.filter(confirmed=True, user=OuterRef("pk"))
    qs = Person.objects.filter(is_active=True).annotate(
        has_device=Exists(devices),
        device_last_used=Subquery(devices.order_by("id").values("last_used_at")[:1]),
    )
    shown = Q(has_device=True)
    if settings.TOTP_REQUIRED_FOR_ADMINS:
        shown |= policy.ADMINISTRATORS
    return qs.filter(shown).order_by("username")


def secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an app without a camera: base32 in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// address the QR code carries (issuer: CAREDESK_TOTP_ISSUER)."""
    return device.config_url


# ---------------------------------------------------------------- the codes themselves


def _locked_device(person: Person, *, confirmed: bool) -> TOTPDevice | None:
    """The person's device, row-locked: two checks of one code (two tabs) are one after the
    other, so the second sees the step the first accepted and is refused."""
    qs = TOTPDevice.objects.select_for_update().filter(user=person, confirmed=confirmed)
    return qs.order_by("-id" if not confirmed else "id").first()


def _normalised(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _matching_step(device: TOTPDevice, code: str, now: dt.datetime) -> int | None:
    """The time step whose code this is, within the device's tolerance (one step either side
    by default) and later than the last code accepted (so no code works twice)."""
    if not (code.isascii() and code.isdigit() and len(code) == device.digits):
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now.timestamp()
    if not totp.verify(int(code), device.tolerance, device.last_t + 1):
        return None
    device.drift = totp.drift  # follow the phone's clock, as django-otp's OTP_TOTP_SYNC does
    return totp.t()


def _locked_until(device: TOTPDevice, now: dt.datetime) -> dt.datetime | None:
    """After each run of CAREDESK_TOTP_FAILURE_LIMIT wrong codes the code step waits
    CAREDESK_TOTP_LOCKOUT_MINUTES, doubled for every run before it: 5 tries, 15 minutes,
    5 tries, 30 minutes … A right code starts the count again."""
    limit = max(1, settings.TOTP_FAILURE_LIMIT)
    failures = device.throttling_failure_count
    last = device.throttling_failure_timestamp
    if failures == 0 or failures % limit or last is None:
        return None
    runs = failures // limit
    wait = dt.timedelta(minutes=settings.TOTP_LOCKOUT_MINUTES * 2 ** min(runs - 1, _MAX_DOUBLINGS))
    return last + wait if now < last + wait else None


def _random_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))


def _new_recovery_codes(person: Person, now: dt.datetime) -> list[str]:
    RecoveryCode.objects.filter(person=person).delete()
    codes = [_random_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(person=person, code_hash=RecoveryCode.hash_code(c), created_at=now)
        for c in codes
    )
    return ["-".join(c[i : i + 4] for i in range(0, _CODE_LENGTH, 4)) for c in codes]


def check_code(*, person: Person, code: str, address: str = "", purpose: str = "sign_in") -> str:
    """Check a code from the person's authenticator, or one of their recovery codes (used up
    by this). Answers "totp" or "recovery_code"; raises WrongCode, or CodeStepLocked while the
    throttle holds (nothing is checked then). Every check is an audit record, the failed
    ones too — they are committed even though the caller sees an error.

    `purpose` says what the check was for ("sign_in", "turn_off", "recovery_codes")."""
    now = clock.now()
    code = _normalised(code)
    with transaction.atomic():
        device = _locked_device(person, confirmed=True)
        if device is None:
            raise Conflict(_("Two-step verification is not on for this account."))
        until = _locked_until(device, now)
        if until is not None:
            refused: DomainError = CodeStepLocked(until=until)
        else:
            method = _accept(person, device, code, now)
            details = {"purpose": purpose, "address": address}
            if method is not None:
                device.throttling_failure_count = 0
                device.throttling_failure_timestamp = None
                device.last_used_at = now
                device.save()
                audit.record(
                    actor=person,
                    action="auth.second_factor",
                    obj=person,
                    after={**details, "method": method},
                )
                return method
            device.throttling_failure_count += 1
            device.throttling_failure_timestamp = now
            device.save(update_fields=["throttling_failure_count", "throttling_failure_timestamp"])
            audit.record(
                actor=person,
                action="auth.second_factor_failed",
                obj=person,
                after={**details, "failures": device.throttling_failure_count},
            )
            until = _locked_until(device, now)
            if until is not None:
                audit.record(
                    actor=person,
                    action="auth.second_factor_locked",
                    obj=person,
                    after={**details, "until": until},
                )
                refused = CodeStepLocked(until=until)
            else:
                refused = WrongCode()
    raise refused


def _accept(person: Person, device: TOTPDevice, code: str, now: dt.datetime) -> str | None:
    step = _matching_step(device, code, now)
    if step is not None:
        device.last_t = step
        return "totp"
    if len(code) != _CODE_LENGTH:
        return None
    used = RecoveryCode.objects.filter(
        person=person, code_hash=RecoveryCode.hash_code(code), used_at=None
    ).update(used_at=now)
    return "recovery_code" if used else None


# ---------------------------------------------------------------- changing it


def _own(actor: Person, person: Person) -> None:
    """One's own second factor only, and only staff (and administrators the setting obliges):
    for anyone else the page does not exist."""
    if actor.pk != person.pk or not policy.may_use_second_factor(person):
        raise NotFound()


@transaction.atomic
def start_setup(*, actor: Person, person: Person) -> TOTPDevice:
    """A new secret for the person's authenticator app, not counting until confirmed with a
    code from the app (a set-up left half-way is replaced by the next)."""
    _own(actor, person)
    if has_second_factor(person):
        raise Conflict(_("Two-step verification is on already; turn it off first."))
    TOTPDevice.objects.filter(user=person, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=person, name="authenticator app", confirmed=False)
    audit.record(actor=actor, action="totp.setup", obj=person, after={"device": device.pk})
    return device


@transaction.atomic
def confirm_setup(*, actor: Person, person: Person, code: str) -> list[str]:
    """The set-up counts once the app shows a right code. Answers the recovery codes, which
    are shown this once; from the next sign-in on, the code is asked for after the password."""
    _own(actor, person)
    device = _locked_device(person, confirmed=False)
    if device is None:
        raise Conflict(_("Nothing to confirm: start the set-up again."))
    now = clock.now()
    step = _matching_step(device, _normalised(code), now)
    if step is None:
        raise ValidationFailed(
            _("That code is not right."),
            fields={"code": _("That code is not right. Type the newest code the app shows.")},
        )
    device.confirmed = True
    device.last_t = step
    device.last_used_at = now
    device.save()
    codes = _new_recovery_codes(person, now)
    audit.record(
        actor=actor,
        action="totp.enrol",
        obj=person,
        after={"device": device.pk, "recovery_codes": len(codes)},
    )
    return codes


def new_recovery_codes(*, actor: Person, person: Person, code: str, address: str = "") -> list:
    """Ten new recovery codes in place of the old ones, for a right code (from the app or an
    old recovery code): someone at an unattended, signed-in computer cannot take them."""
    _own(actor, person)
    check_code(person=person, code=code, address=address, purpose="recovery_codes")
    with transaction.atomic():
        codes = _new_recovery_codes(person, clock.now())
        audit.record(
            actor=actor,
            action="totp.recovery_codes",
            obj=person,
            after={"recovery_codes": len(codes)},
        )
    return codes


def turn_off(*, actor: Person, person: Person, code: str, address: str = "") -> None:
    """Sign-in asks for the password only again, for a right code (as above). An
    administrator the setting obliges is sent to set up a new one at once."""
    _own(actor, person)
    check_code(person=person, code=code, address=address, purpose="turn_off")
    with transaction.atomic():
        removed = _remove_all(person)
        audit.record(actor=actor, action="totp.remove", obj=person, after=removed)


@transaction.atomic
def reset(*, actor: Person | None, person: Person) -> None:
    """An administrator (or an operator at the command line, actor None) removes someone's
    authenticator and recovery codes — a lost phone — and so lifts any code lock-out. They sign
    in with the password alone next time and may set up a new one."""
    if actor is not None and not policy.can_write_reference_data(actor):
        raise NotFound()
    if not TOTPDevice.objects.filter(user=person).exists():
        raise Conflict(_("%(name)s has no two-step verification.") % {"name": person.name})
    removed = _remove_all(person)
    audit.record(
        actor=actor,
        action="totp.reset",
        obj=person,
        after={**removed, "username": person.username},
    )


def _remove_all(person: Person) -> dict:
    devices = TOTPDevice.objects.filter(user=person).delete()[0]
    codes = RecoveryCode.objects.filter(person=person).delete()[0]
    return {"devices": devices, "recovery_codes": codes}
