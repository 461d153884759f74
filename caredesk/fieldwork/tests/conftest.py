import datetime as dt

import pytest

from caredesk import clock
from caredesk.fieldwork.visits import services


@pytest.fixture
def on_site(cast, open_request):
    """A factory: customer.y's request (core × Lakeside, owned by engineer.b) with a visit by
    `engineer` planned by the owner, set off for and arrived at — now, by the clock."""

    def make(ticket=None, engineer=None, planner=None):
        ticket = ticket or open_request()
        engineer = engineer or cast.b
        visit = services.plan_visit(
            actor=planner or ticket.owner,
            ticket=ticket,
            engineer=engineer,
            planned_at=clock.now() + dt.timedelta(hours=1),
            purpose="查看传输设备和尾纤",
        )
        services.start_travel(actor=engineer, visit=visit)
        return services.arrive(actor=engineer, visit=visit)

    return make
