"""What the tests of two-step sign-in share: the code a phone would show, and a person with a
confirmed authenticator."""

import datetime as dt

from django_otp.oath import TOTP

from caredesk import clock
from caredesk.directory import totp


def code_for(device, moment: dt.datetime | None = None, *, steps: int = 0) -> str:
    """The code the person's app shows at `moment` (now), `steps` time steps later."""
    moment = moment or clock.now()
    # drift 0: the phone knows nothing of the drift the server noted.
    maker = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    maker.time = moment.timestamp() + steps * device.step
    return f"{maker.token():0{device.digits}d}"


def enrolled(person):
    """`person` with a confirmed authenticator: (device, recovery codes). The code that
    confirmed it was the current one, so the next code accepted is a later step's."""
    device = totp.start_setup(actor=person, person=person)
    codes = totp.confirm_setup(actor=person, person=person, code=code_for(device))
    device.refresh_from_db()
    return device, codes
