"""Two-step verification, the rules (caredesk/directory/totp.py) and the personal page: a set-up
counts once a code confirms it; codes follow RFC 6238 on the project's clock and work once;
wrong codes are throttled; recovery codes are stored hashed and work once; turning off needs a
code; administrators reset a lost phone; every change is an audit record."""

import base64
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from caredesk import clock
from caredesk.audit.models import AuditRecord
from caredesk.directory import totp
from caredesk.directory.models import RecoveryCode
from caredesk.errors import Conflict, NotFound, ValidationFailed

from .totp_helpers import code_for, enrolled

T = dt.datetime(2026, 11, 24, 2, 0, 0, tzinfo=dt.UTC)
RFC_KEY = b"12345678901234567890".hex()


def actions_about(person) -> list[str]:
    return list(
        AuditRecord.objects.filter(object_type="Person", object_id=str(person.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def page(person) -> Client:
    client = Client()
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_codes_are_rfc_6238_read_on_the_project_clock(cast, unix_time, code):
    # RFC 6238 appendix B, SHA-1, eight digits, no tolerance: only the clock picks the step.
    TOTPDevice.objects.create(user=cast.b, key=RFC_KEY, digits=8, tolerance=0, confirmed=True)
    moment = dt.datetime.fromtimestamp(unix_time, dt.UTC)
    with clock.frozen_at(moment + dt.timedelta(seconds=30)), pytest.raises(totp.WrongCode):
        totp.check_code(person=cast.b, code=code)
    with clock.frozen_at(moment):
        assert totp.check_code(person=cast.b, code=code) == "totp"


def test_a_setup_counts_only_once_a_code_confirms_it(cast):
    with clock.frozen_at(T):
        device = totp.start_setup(actor=cast.b, person=cast.b)
        assert not totp.has_second_factor(cast.b)
        with pytest.raises(ValidationFailed) as refused:
            totp.confirm_setup(actor=cast.b, person=cast.b, code="000000")
        assert "code" in refused.value.fields
        assert not totp.has_second_factor(cast.b)
        codes = totp.confirm_setup(actor=cast.b, person=cast.b, code=code_for(device))
    assert totp.has_second_factor(cast.b)
    assert len(codes) == totp.RECOVERY_CODES == len(set(codes))
    # Shown once, kept only as hashes.
    stored = set(RecoveryCode.objects.filter(person=cast.b).values_list("code_hash", flat=True))
    assert stored == {RecoveryCode.hash_code(c.replace("-", "")) for c in codes}
    assert not stored & set(codes)
    assert actions_about(cast.b) == ["totp.setup", "totp.enrol"]
    with pytest.raises(Conflict):
        totp.start_setup(actor=cast.b, person=cast.b)


def test_a_code_works_once_and_one_step_either_side(cast):
    with clock.frozen_at(T):
        device, _ = enrolled(cast.b)
        with pytest.raises(totp.WrongCode):  # the code that confirmed the set-up
            totp.check_code(person=cast.b, code=code_for(device))
        assert totp.check_code(person=cast.b, code=code_for(device, steps=1)) == "totp"
        with pytest.raises(totp.WrongCode):
            totp.check_code(person=cast.b, code=code_for(device, steps=1))
        with pytest.raises(totp.WrongCode):  # two steps ahead: outside the tolerance
            totp.check_code(person=cast.b, code=code_for(device, steps=3))
    with clock.frozen_at(T + dt.timedelta(minutes=5)):
        spaced = f" {code_for(device)[:3]} {code_for(device)[3:]}"  # as some apps show it
        assert totp.check_code(person=cast.b, code=spaced) == "totp"


def test_wrong_codes_are_throttled_and_each_run_doubles_the_wait(cast, settings):
    settings.TOTP_FAILURE_LIMIT = 5
    settings.TOTP_LOCKOUT_MINUTES = 15
    with clock.frozen_at(T):
        device, _ = enrolled(cast.b)
        for _ in range(4):
            with pytest.raises(totp.WrongCode):
                totp.check_code(person=cast.b, code="123456", address="10.0.0.7")
        with pytest.raises(totp.CodeStepLocked) as locked:
            totp.check_code(person=cast.b, code="123456", address="10.0.0.7")
        assert locked.value.until == T + dt.timedelta(minutes=15)
        assert locked.value.status == 429
        # While locked even the right code is not looked at.
        with pytest.raises(totp.CodeStepLocked):
            totp.check_code(person=cast.b, code=code_for(device, steps=1))
    later = T + dt.timedelta(minutes=15, seconds=1)
    with clock.frozen_at(later):
        for _ in range(4):
            with pytest.raises(totp.WrongCode):
                totp.check_code(person=cast.b, code="123456")
        with pytest.raises(totp.CodeStepLocked) as again:
            totp.check_code(person=cast.b, code="123456")
        assert again.value.until == later + dt.timedelta(minutes=30)
    with clock.frozen_at(later + dt.timedelta(minutes=30, seconds=1)):
        assert totp.check_code(person=cast.b, code=code_for(device)) == "totp"
        # A right code starts the count again: four wrong ones lock nothing.
        for _ in range(4):
            with pytest.raises(totp.WrongCode):
                totp.check_code(person=cast.b, code="123456")
    actions = actions_about(cast.b)
    assert actions.count("auth.second_factor_failed") == 14
    assert actions.count("auth.second_factor_locked") == 2
    assert actions.count("auth.second_factor") == 1
    failed = AuditRecord.objects.filter(action="auth.second_factor_failed").order_by("id").first()
    assert failed.after == {"purpose": "sign_in", "address": "10.0.0.7", "failures": 1}


def test_a_recovery_code_works_once_however_it_is_typed(cast):
    with clock.frozen_at(T):
        _, codes = enrolled(cast.b)
        typed = codes[3].upper().replace("-", " ")
        assert totp.check_code(person=cast.b, code=typed) == "recovery_code"
        with pytest.raises(totp.WrongCode):
            totp.check_code(person=cast.b, code=codes[3])
        assert totp.second_factor_of(cast.b).recovery_codes_left == 9
        # New codes replace the old ones, for a right code.
        fresh = totp.new_recovery_codes(actor=cast.b, person=cast.b, code=codes[0])
        with pytest.raises(totp.WrongCode):
            totp.check_code(person=cast.b, code=codes[1])
        assert totp.check_code(person=cast.b, code=fresh[0]) == "recovery_code"
    assert "totp.recovery_codes" in actions_about(cast.b)


def test_turning_off_needs_a_right_code_and_is_audited(cast):
    with clock.frozen_at(T):
        device, codes = enrolled(cast.b)
        with pytest.raises(totp.WrongCode):
            totp.turn_off(actor=cast.b, person=cast.b, code="000000")
        assert totp.has_second_factor(cast.b)
        totp.turn_off(actor=cast.b, person=cast.b, code=code_for(device, steps=1))
    assert not totp.has_second_factor(cast.b)
    assert not RecoveryCode.objects.filter(person=cast.b).exists()
    removed = AuditRecord.objects.get(action="totp.remove")
    assert removed.actor_name == "engineer.b"
    assert removed.after == {"devices": 1, "recovery_codes": 10}
    # Nobody turns off another's, not even with the right code.
    with clock.frozen_at(T):
        other, _ = enrolled(cast.c)
        with pytest.raises(NotFound):
            totp.turn_off(actor=cast.b, person=cast.c, code=code_for(other, steps=1))


def test_an_administrator_resets_a_lost_phone_and_it_is_audited(cast):
    with clock.frozen_at(T):
        enrolled(cast.b)
        enrolled(cast.c)
    with pytest.raises(NotFound):
        totp.reset(actor=cast.a, person=cast.b)  # a service manager is no administrator
    totp.reset(actor=cast.admin, person=cast.b)
    assert not totp.has_second_factor(cast.b)
    record = AuditRecord.objects.get(action="totp.reset")
    assert (record.actor_name, record.object_id) == ("admin", str(cast.b.pk))
    assert record.after["username"] == "engineer.b"
    with pytest.raises(Conflict):
        totp.reset(actor=cast.admin, person=cast.b)
    # The page: the administrator's list and its button; for others the button is nowhere.
    admin = page(cast.admin)
    listing = admin.get("/directory/two-step/").content.decode()
    assert 'data-testid="two-step-people"' in listing and "engineer.c" in listing
    assert "engineer.b" not in listing.split('data-testid="two-step-people"')[1]
    assert page(cast.b).post(f"/directory/two-step/reset/{cast.c.pk}/").status_code == 404
    assert admin.post(f"/directory/two-step/reset/{cast.c.pk}/").status_code == 302
    assert not totp.has_second_factor(cast.c)
    assert AuditRecord.objects.filter(action="totp.reset").count() == 2


def test_the_command_resets_without_an_administrator(cast):
    with clock.frozen_at(T):
        enrolled(cast.admin)
    out = io.StringIO()
    call_command("totp_reset", "admin", stdout=out)
    assert "removed" in out.getvalue()
    assert not totp.has_second_factor(cast.admin)
    record = AuditRecord.objects.get(action="totp.reset")
    assert record.actor_id is None and record.actor_name == "system"


def test_customers_have_no_two_step_page(cast):
    assert page(cast.y).get("/directory/two-step/").status_code == 404
    assert page(cast.y).post("/directory/two-step/setup/").status_code == 404
    with pytest.raises(NotFound):
        totp.start_setup(actor=cast.y, person=cast.y)
    assert 'data-testid="my-two-step"' not in page(cast.y).get("/portal/").content.decode()
    assert 'data-testid="my-two-step"' in page(cast.b).get("/queue/").content.decode()


def test_the_page_sets_up_with_a_qr_code_and_the_secret_and_shows_codes_once(cast):
    client = page(cast.b)
    off = client.get("/directory/two-step/").content.decode()
    assert 'data-testid="totp-start"' in off
    assert client.post("/directory/two-step/setup/").status_code == 302
    shown = client.get("/directory/two-step/").content.decode()
    device = TOTPDevice.objects.get(user=cast.b, confirmed=False)
    qr = shown.split('<img src="data:image/svg+xml;base64,')[1].split('"')[0]
    assert base64.b64decode(qr).startswith(b"<svg")
    secret = shown.split('data-testid="totp-secret">')[1].split("<")[0].replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert "otpauth://" not in shown  # the address is in the picture only
    wrong = client.post("/directory/two-step/confirm/", {"code": "000000"})
    assert wrong.status_code == 422 and 'data-testid="code-error"' in wrong.content.decode()
    done = client.post("/directory/two-step/confirm/", {"code": code_for(device)})
    assert done.status_code == 200
    codes_shown = done.content.decode().split('data-testid="recovery-codes"')[1]
    first = codes_shown.split("<li>")[1].split("<")[0]
    assert RecoveryCode.objects.filter(code_hash=RecoveryCode.hash_code(first.replace("-", "")))
    again = client.get("/directory/two-step/").content.decode()
    assert first not in again and 'data-testid="recovery-codes"' not in again
    assert "Recovery codes left" in again


def test_the_page_turns_off_with_a_code(cast):
    with clock.frozen_at(T):
        device, _ = enrolled(cast.b)
        client = page(cast.b)
        refused = client.post("/directory/two-step/turn-off/", {"code": "999999"})
        assert refused.status_code == 422
        ok = client.post("/directory/two-step/turn-off/", {"code": code_for(device, steps=1)})
    assert ok.status_code == 302 and not totp.has_second_factor(cast.b)
