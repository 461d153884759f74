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


# ---- change requests ----
@pytest.fixture
def make_change(cast):
    """A factory: engineer.b's change request on Lakeside's network (core × Lakeside, so
    leader.p and manager.a approve it), carried out by partner.d, its window two to four hours
    from now by the clock; a draft unless `submit`."""
    from caredesk.fieldwork.changes import services as change_services

    def make(submit=False, actor=None, **over):
        now = clock.now()
        values = {
            "actor": actor or cast.b,
            "customer_org": cast.orgs.lakeside,
            "kind": "upgrade",
            "title": "OTN-07 主控板软件升级",
            "plan": "1. 备份配置 2. 加载新版本 3. 倒换主备板 4. 观察业务",
            "rollback_plan": "回退到备份版本并倒回原主用板",
            "window_start": now + dt.timedelta(hours=2),
            "window_end": now + dt.timedelta(hours=4),
            "elements": [{"element": "OTN-07", "site": "湖滨二号机房"}],
            "executor": cast.d,
            "region": cast.regions.lakeside,
            "product": cast.products.core,
        }
        values.update(over)
        change = change_services.create_change(**values)
        if submit:
            change = change_services.submit_change(actor=values["actor"], change=change)
        return change

    return make
