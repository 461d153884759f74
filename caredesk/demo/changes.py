"""The demo's change requests (issue 11, seed cases 3 and 5 told the way they should go).

Seed case 3 went wrong because a partner engineer upgraded an old device on a colleague's word
alone. Here the same kind of upgrade is requested by the office, assessed (it can interrupt
services: medium risk), approved by the product maintenance leader and by the branch, carried
out by partner.d inside its night window, verified and done. And the alarm masking that seed
case 5 did without anyone's authorisation is an approved change of its own, waiting for its
rules (masking_change() finds it for the masks' demo).
"""

from caredesk import clock
from caredesk.fieldwork.changes import services
from caredesk.fieldwork.models import ChangeKind, ChangeRequest, ChangeStatus

from . import world as demo_world

MASKING_TITLE = "湖滨升级割接后屏蔽遗留告警"
# The elements the masking change covers: the masks' demo hangs one rule on each.
MASKED_ELEMENTS = ["OTN-07", "BTS-0012", "BTS-0013"]


def _at(days: float, hour: int, minute: int = 0):
    """A moment of the demo's days (read from the real clock: call it outside frozen_at)."""
    return demo_world._at(days, hour, minute)


def seed(world: dict) -> None:
    """Two changes on 湖滨分公司's transport network (idempotent with the demo: load_demo runs
    once)."""
    p, o = world["people"], world["orgs"]
    moments = {
        key: _at(*when)
        for key, when in {
            "requested": (3, 15),
            "approved": (3, 16),
            "customer_approved": (3, 17),
            "opens": (2, 1),
            "started": (2, 1, 5),
            "verified": (2, 2, 30),
            "done": (2, 2, 40),
            "closes": (2, 4),
            "mask_requested": (1, 22),
            "mask_approved": (1, 22, 15),
            "mask_opens": (1, 22, 30),
            "mask_closes": (-2, 9),
        }.items()
    }

    def at(key):
        return clock.frozen_at(moments[key])

    scope = {
        "customer_org": o["lakeside"],
        "region": world["regions"]["lakeside"],
        "product": world["products"]["transport"],
        "executor": p["partner.d"],
    }
    with at("requested"):
        upgrade = services.create_change(
            actor=p["engineer.c"],
            kind=ChangeKind.UPGRADE,
            title="OTN-03 老旧设备主控软件升级",
            plan=(
                "1. 备份全部配置和业务数据\n2. 确认下挂专线业务清单并提前通知客户\n"
                "3. 加载新版本，先升级备用主控板\n4. 主备倒换，观察30分钟"
            ),
            rollback_plan="倒回原主用板，加载备份版本和配置；30分钟内恢复下挂业务。",
            assessment={"service_impact": True},
            window_start=moments["opens"],
            window_end=moments["closes"],
            elements=[{"element": "OTN-03", "site": "湖滨一号机房"}],
            **scope,
        )
        upgrade = services.submit_change(actor=p["engineer.c"], change=upgrade)
    with at("approved"):
        upgrade = services.approve_change(actor=p["leader.p"], change=upgrade)
    with at("customer_approved"):
        upgrade = services.approve_change(actor=p["customer.y"], change=upgrade)
    with at("started"):
        upgrade = services.start_change(actor=p["partner.d"], change=upgrade)
    with at("verified"):
        upgrade = services.verify_change(
            actor=p["partner.d"],
            change=upgrade,
            checklist=[
                {"item": "主备主控板版本一致", "ok": True},
                {"item": "下挂专线业务全部恢复", "ok": True},
                {"item": "无新增紧急告警", "ok": True},
            ],
            execution_note="按方案完成升级和主备倒换，观察30分钟业务正常。",
        )
    with at("done"):
        services.complete_change(
            actor=p["partner.d"], change=upgrade, outcome="done", note="升级完成，业务正常。"
        )
    # After the upgrade the night shift asks for its leftover alarms to be masked: this time
    # as a change of its own, approved before a single rule is made.
    with at("mask_requested"):
        masking = services.create_change(
            actor=p["engineer.c"],
            kind=ChangeKind.ALARM_MASKING,
            title=MASKING_TITLE,
            plan="屏蔽升级割接后遗留的割接告警，白班确认业务正常后到期恢复。",
            rollback_plan="删除屏蔽规则，告警恢复上报。",
            window_start=moments["mask_opens"],
            window_end=moments["mask_closes"],
            elements=MASKED_ELEMENTS,
            **scope,
        )
        masking = services.submit_change(actor=p["engineer.c"], change=masking)
    with at("mask_approved"):
        services.approve_change(actor=p["leader.p"], change=masking)


def masking_change(world: dict | None = None) -> ChangeRequest | None:
    """The demo's approved alarm-masking change, for the masks' demo to hang its rules on."""
    return (
        ChangeRequest.objects.filter(
            kind=ChangeKind.ALARM_MASKING, status=ChangeStatus.APPROVED, title=MASKING_TITLE
        )
        .order_by("pk")
        .first()
    )
