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


# ---------------------------------------------------------------- masks: a real Alertmanager


@pytest.fixture(scope="session")
def alertmanager_url(tmp_path_factory):
    """One real Alertmanager (Debian's prometheus-alertmanager) on a free loopback port for the
    whole session — per xdist worker, as session fixtures are — started and stopped by
    scripts/testam.sh."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    where = tmp_path_factory.mktemp("alertmanager")
    started = subprocess.run(
        [str(root / "scripts" / "testam.sh"), "start", str(where)],
        capture_output=True,
        text=True,
        cwd=root,
    )
    if started.returncode != 0:
        pytest.fail(f"Alertmanager did not start: {started.stderr.strip()}")
    yield started.stdout.strip()
    subprocess.run([str(root / "scripts" / "testam.sh"), "stop", str(where)], cwd=root)


@pytest.fixture
def alertmanager(alertmanager_url, settings):
    """The session's Alertmanager, configured for this test and with no live silence left from
    an earlier one (Alertmanager keeps expired silences listed; they are not live)."""
    from caredesk.fieldwork.masks.alertmanager import LIVE_STATES, Client

    settings.ALERTMANAGER_URL = alertmanager_url
    client = Client(alertmanager_url)
    for silence in client.list_silences().silences:
        if silence.get("status", {}).get("state") in LIVE_STATES:
            client.expire_silence(silence["id"])
    yield client
    client.close()


@pytest.fixture
def masking_change(cast):
    """A factory: an alarm-masking change for Lakeside (requested by engineer.b, executed by
    `executor`, partner.d by default) in `status`, its window open now for eight hours, on
    `elements` (none: any element). Made through the ORM until the change verbs are merged."""
    from caredesk.fieldwork.models import ChangeKind, ChangeRequest, ChangeStatus, ChangeTarget

    def make(
        status=ChangeStatus.APPROVED,
        *,
        kind=ChangeKind.ALARM_MASKING,
        executor=None,
        customer_org=None,
        elements=(),
        requester=None,
    ):
        now = clock.now()
        change = ChangeRequest.objects.create(
            kind=kind,
            status=status,
            customer_org=customer_org or cast.orgs.lakeside,
            requester=requester or cast.b,
            executor=executor or cast.d,
            title="升级后屏蔽割接告警",
            plan="屏蔽升级网元的割接告警，次日早班前到期",
            window_start=now,
            window_end=now + dt.timedelta(hours=8),
            vendor_approver=cast.a if status == ChangeStatus.APPROVED else None,
            vendor_approved_at=now if status == ChangeStatus.APPROVED else None,
            approved_at=now if status == ChangeStatus.APPROVED else None,
            created_at=now,
            updated_at=now,
        )
        for element in elements:
            ChangeTarget.objects.create(change=change, element=element)
        return change

    return make
