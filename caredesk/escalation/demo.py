"""The demo's clocks, rosters and escalation chains (loaded by `seed_demo`)."""

import datetime as dt
from pathlib import Path

from caredesk.calendars.worktime import import_days

from .models import (
    Calendar,
    EscalationPolicy,
    EscalationStep,
    Rotation,
    RotationMember,
    SlaPolicy,
    Trigger,
)

HOLIDAYS = Path(__file__).parent.parent / "calendars" / "data" / "cn-holidays-2026.csv"

# severity: (calendar, acknowledge, respond, restore, resolve) in minutes
SLA = {
    "P1": ("24x7", 15, 30, 240, 1440),
    "P2": ("24x7", 30, 60, 480, 2880),
    "P3": ("business", 240, 480, None, 2400),
    "P4": ("business", 480, 960, None, 4800),
}

# (trigger, severity, name, [(target, wait, channels, condition, clock, percent), ...])
CHAINS = [
    (
        Trigger.OPENED,
        "P1",
        "P1 未确认受理升级",
        [
            ("owner", 0, "sms,wecom", "not_acknowledged", "", 100),
            ("backup", 10, "sms,wecom", "not_acknowledged", "", 100),
            ("service_manager", 10, "sms,email", "not_acknowledged", "", 100),
            ("product_leader", 15, "sms,email", "not_acknowledged", "", 100),
            ("spm", 15, "email", "not_acknowledged", "", 100),
            ("account_head", 30, "email", "not_acknowledged", "", 100),
        ],
    ),
    (
        Trigger.OPENED,
        "",
        "未确认受理升级",
        [
            ("owner", 15, "email,wecom", "not_acknowledged", "", 100),
            ("backup", 30, "email,wecom", "not_acknowledged", "", 100),
            ("service_manager", 60, "email", "not_acknowledged", "", 100),
        ],
    ),
    (
        Trigger.HANDOFF,
        "",
        "转交未接受升级",
        [
            ("handoff_target", 30, "wecom", "handoff_not_accepted", "", 100),
            ("owner", 0, "wecom", "handoff_not_accepted", "", 100),
            ("service_manager", 30, "email,wecom", "handoff_not_accepted", "", 100),
        ],
    ),
    (
        Trigger.CLOCK,
        "",
        "时限预警与超时升级",
        [
            ("owner", 0, "wecom", "clock_at_risk", "resolve", 75),
            ("service_manager", 0, "email,wecom", "clock_breached", "acknowledge", 100),
            ("service_manager", 0, "email,wecom", "clock_breached", "resolve", 100),
            ("product_leader", 60, "email", "clock_breached", "resolve", 100),
        ],
    ),
    (
        # Seed case 6: whoever takes the next step and the service manager hear at once that
        # the engineer left without a resolution; when the promised next step's time passes
        # with nobody back on site, the service manager and then the product maintenance
        # leader are called in.
        Trigger.VISIT,
        "",
        "上站未解决升级",
        [
            ("next_step_owner", 0, "wecom", "visit_unresolved", "", 100),
            ("service_manager", 0, "email,wecom", "visit_unresolved", "", 100),
            ("service_manager", 0, "sms,email", "next_step_overdue", "", 100),
            ("product_leader", 60, "sms,email", "next_step_overdue", "", 100),
        ],
    ),
    # ---- change requests (caredesk.fieldwork.changes) ----
    # Seed case 3's remedy for emergencies: an emergency change still not authorised at its
    # deadline calls in the service manager, then the product maintenance leader.
    (
        Trigger.CHANGE,
        "",
        "紧急变更未补办授权升级",
        [
            ("service_manager", 0, "sms,email", "change_unauthorised", "", 100),
            ("product_leader", 30, "sms,email", "change_unauthorised", "", 100),
        ],
    ),
]


def setup(world: dict) -> None:
    always = Calendar.objects.create(name="全天候 24×7", always_open=True)
    business = Calendar.objects.create(name="工作日（北京时间）")
    import_days(business, HOLIDAYS.read_text(encoding="utf-8"))
    calendars = {"24x7": always, "business": business}
    for severity, (cal, ack, respond, restore, resolve) in SLA.items():
        SlaPolicy.objects.create(
            name=f"默认 {severity}",
            severity=severity,
            calendar=calendars[cal],
            acknowledge_minutes=ack,
            respond_minutes=respond,
            restore_minutes=restore,
            resolve_minutes=resolve,
        )
    for trigger, severity, name, steps in CHAINS:
        policy = EscalationPolicy.objects.create(name=name, trigger=trigger, severity=severity)
        for order, (target, wait, channels, condition, clock, percent) in enumerate(steps, 1):
            EscalationStep.objects.create(
                policy=policy,
                order=order,
                target=target,
                wait_minutes=wait,
                channels=channels,
                condition=condition,
                clock=clock,
                percent=percent,
            )
    people = world["people"]
    start = dt.date(2026, 1, 5)  # a Monday
    for team, members, period in [
        ("核心网组", ["engineer.b", "manager.a"], "weekly"),
        ("无线与传输组", ["engineer.c", "partner.d"], "daily"),
    ]:
        rotation = Rotation.objects.create(
            team=world["teams"][team], name="值班", period=period, start_date=start
        )
        for position, username in enumerate(members):
            RotationMember.objects.create(
                rotation=rotation, person=people[username], position=position
            )
