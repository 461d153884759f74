import datetime as dt

import pytest

from caredesk import clock
from caredesk.escalation import demo
from caredesk.timers.services import run_due

# A Tuesday morning in Shanghai, outside any holiday.
T0 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def chains(cast):
    """The demo's calendars, SLA policies, escalation chains and rotations."""
    demo.setup(cast.world)
    return cast


@pytest.fixture
def at():
    """at(minutes) freezes the clock T0 + minutes and runs the due timers there."""
    frozen = []

    def move(minutes: float, *, fire: bool = True):
        moment = T0 + dt.timedelta(minutes=minutes)
        if frozen:
            frozen.pop().__exit__(None, None, None)
        ctx = clock.frozen_at(moment)
        ctx.__enter__()
        frozen.append(ctx)
        if fire:
            while run_due(worker="test", now=moment):
                pass
        return moment

    yield move
    if frozen:
        frozen.pop().__exit__(None, None, None)


# Real receivers for delivery: an SMTP server and the vendors' robot stand-in.
from caredesk.notify.tests.conftest import receiver, robot, smtp, smtp_port  # noqa: E402, F401
