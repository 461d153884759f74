"""The demo world: one vendor office, a partner, a province operator with two city branches,
and tickets in every status, modelled (in our own words) on the six training-deck cases.

Tickets are made through the services with the clock moved back, so their timelines read like
real histories of the last few days.
"""

import datetime as dt

from django.db import transaction

from caredesk import clock
from caredesk.demo import complaints as complaints_demo
from caredesk.demo import handover as handover_demo  # handover
from caredesk.demo import masks as masks_demo  # masks
from caredesk.directory.models import (
    Organisation,
    OrgKind,
    Person,
    Product,
    Region,
    Responsibility,
    Role,
    RoleAssignment,
    Team,
)
from caredesk.escalation import demo as escalation_demo
from caredesk.fieldwork.visits import services as visits
from caredesk.insights.risk import config as risk_config  # early warning
from caredesk.stakeholders import services as stakeholder_services
from caredesk.tickets import services

from . import cases as cases_demo  # learning cases
from . import changes as changes_demo
from . import surveys as demo_surveys  # satisfaction

DEMO_PASSWORD = "caredesk-demo"
MARKER_ORG = "江南代表处"

PEOPLE = [
    # username, display name, role, organisation key, phone, language
    ("manager.a", "王立", Role.SERVICE_MANAGER, "office", "138-0000-0001", "zh-hans"),
    ("engineer.b", "李博", Role.ENGINEER, "office", "138-0000-0002", "zh-hans"),
    ("engineer.c", "陈晨", Role.ENGINEER, "office", "138-0000-0003", "zh-hans"),
    ("partner.d", "赵东", Role.PARTNER_ENGINEER, "partner", "139-0000-0004", "zh-hans"),
    ("leader.p", "周鹏", Role.PRODUCT_LEADER, "office", "138-0000-0005", "zh-hans"),
    ("spm.s", "孙明", Role.SPM, "office", "138-0000-0006", "zh-hans"),
    ("head.w", "吴强", Role.ACCOUNT_HEAD, "office", "138-0000-0007", "zh-hans"),
    ("hotline.h", "何华", Role.HOTLINE_AGENT, "hq", "400-000-0000", "zh-hans"),
    ("customer.x", "徐霞", Role.CUSTOMER_CONTACT, "province", "137-0000-0101", "zh-hans"),
    ("customer.y", "杨越", Role.CUSTOMER_CONTACT, "lakeside", "137-0000-0102", "zh-hans"),
    ("customer.z", "张珍", Role.CUSTOMER_CONTACT, "hillside", "137-0000-0103", "zh-hans"),
    ("customer.o", "Olivia Ng", Role.CUSTOMER_CONTACT, "other", "136-0000-0201", "en"),
    ("admin", "管理员", Role.ADMIN, "office", "", "zh-hans"),
]


def _org(name, kind, parent=None):
    return Organisation.objects.create(name=name, kind=kind, parent=parent)


@transaction.atomic
def build_world() -> dict:
    """The fixed cast every test and benchmark starts from (and the demo's first part): the
    organisations, people, products, regions, teams, the responsibility matrix and the role
    assignments, as a dict of those objects by key."""
    hq = _org("服务总部", OrgKind.VENDOR_OFFICE)
    office = _org(MARKER_ORG, OrgKind.VENDOR_OFFICE, hq)
    partner = _org("速联通信服务（合作方）", OrgKind.PARTNER)
    province = _org("江南省电信", OrgKind.CUSTOMER)
    orgs = {
        "hq": hq,
        "office": office,
        "partner": partner,
        "province": province,
        "lakeside": _org("江南省电信湖滨分公司", OrgKind.CUSTOMER, province),
        "hillside": _org("江南省电信山城分公司", OrgKind.CUSTOMER, province),
        "other": _org("North Ridge Mobile", OrgKind.CUSTOMER),
    }
    people = {}
    for username, name, role, org_key, phone, lang in PEOPLE:
        person = Person(
            username=username,
            display_name=name,
            role=role,
            organisation=orgs[org_key],
            phone=phone,
            language=lang,
            email=f"{username}@demo.caredesk.invalid",
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        person.set_password(DEMO_PASSWORD)
        person.save()
        people[username] = person
    products = {
        code: Product.objects.create(code=code, name=name, name_en=name_en)
        for code, name, name_en in [
            ("core", "核心网", "Core network"),
            ("wireless", "无线接入", "Radio access"),
            ("transport", "光传输", "Optical transport"),
        ]
    }
    regions = {
        code: Region.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            office=office,
            service_manager=people["manager.a"],
        )
        for code, name, name_en in [
            ("lakeside", "湖滨", "Lakeside"),
            ("hillside", "山城", "Hillside"),
        ]
    }
    core_team = Team.objects.create(name="核心网组", name_en="Core network team", office=office)
    core_team.members.set([people["engineer.b"], people["manager.a"]])
    radio_team = Team.objects.create(
        name="无线与传输组", name_en="Radio and transport team", office=office
    )
    radio_team.members.set([people["engineer.c"], people["partner.d"], people["manager.a"]])
    p = people
    cells = [
        ("core", "lakeside", "engineer.b", "engineer.c", core_team),
        ("wireless", "lakeside", "engineer.c", "engineer.b", radio_team),
        ("transport", "lakeside", "partner.d", "engineer.c", radio_team),
        ("core", "hillside", "engineer.b", "engineer.c", core_team),
        ("wireless", "hillside", "engineer.c", "partner.d", radio_team),
        # transport × hillside is left empty on purpose: it routes to the service manager.
    ]
    for prod, reg, primary, backup, team in cells:
        Responsibility.objects.create(
            product=products[prod],
            region=regions[reg],
            primary=p[primary],
            backup=p[backup],
            team=team,
        )
    # The ladder above the engineers (seed case 2's remedy): the product maintenance leader of
    # each product, and the province account's SPM and account head, inherited by its branches.
    for prod in products.values():
        RoleAssignment.objects.create(role="product_leader", person=p["leader.p"], product=prod)
    for role, who in (("spm", "spm.s"), ("account_head", "head.w")):
        RoleAssignment.objects.create(role=role, person=p[who], customer_org=orgs["province"])
    return {
        "orgs": orgs,
        "people": people,
        "products": products,
        "regions": regions,
        "teams": {core_team.name: core_team, radio_team.name: radio_team},
    }


def _stakeholders(world: dict) -> None:
    """Seed case 4's remedy: the province supervisor hears about every branch's requests, and
    each branch's own contact about its own — whoever happens to be the requester."""
    p, o = world["people"], world["orgs"]
    for org, person, branches in [
        ("province", "customer.x", True),
        ("lakeside", "customer.y", False),
        ("hillside", "customer.z", False),
    ]:
        stakeholder_services.add_stakeholder(
            actor=p["admin"], organisation=o[org], person=p[person], include_branches=branches
        )


# The latest time of day the demo's "today" events use: "today" is the last day on which that
# moment has passed, so every event lies in the past whenever the demo is loaded.
LATEST_EVENT = dt.timedelta(hours=10, minutes=10)


def _at(days_ago: float, hour: int, minute: int = 0) -> dt.datetime:
    """A moment `days_ago` days before the demo's "today" at hh:mm Shanghai time."""
    shanghai = dt.timezone(dt.timedelta(hours=8))
    today = clock.now().astimezone(shanghai) - LATEST_EVENT
    day = (today - dt.timedelta(days=days_ago)).date()
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=shanghai)


def _tickets(w: dict) -> None:
    p, o, prod, reg = w["people"], w["orgs"], w["products"], w["regions"]

    def at(days, h, m=0):
        return clock.frozen_at(_at(days, h, m))

    # Case 1: a request passed from number to number. Here the manager who took the call owns
    # it and hands it to the wireless engineer, who has not accepted yet.
    with at(0, 9, 20):
        t1 = services.open_ticket(
            actor=p["manager.a"],
            customer_org=o["lakeside"],
            requester=p["customer.y"],
            product=prod["wireless"],
            region=reg["lakeside"],
            severity="P3",
            channel="phone",
            title="基站软件需要现场升级",
            customer_voice="我们想请代表处安排一次现场版本升级，之前打了好几个电话都没人说清楚谁负责。",
        )
    with at(0, 9, 21):
        services.acknowledge(actor=p["manager.a"], ticket=t1)
    # The signs before the 400 call (the early warning reads them): passed on twice in ten
    # minutes, the first colleague declining, the customer calling again with a threat.
    with at(0, 9, 22):
        first = services.propose_handoff(
            actor=p["manager.a"], ticket=t1, to_person=p["engineer.b"], reason="先请核心网看看。"
        )
    with at(0, 9, 25):
        services.decline_handoff(
            actor=p["engineer.b"], handoff=first, reason="基站软件属于无线专业，不归核心网。"
        )
    with at(0, 9, 27):
        services.log_call(
            actor=p["manager.a"],
            ticket=t1,
            direction="inbound",
            outcome="answered",
            party="杨越",
            note="客户又打来：到底谁负责？已经打了三个电话了，再没人管就打400投诉。",
        )
    with at(0, 9, 30):
        services.propose_handoff(
            actor=p["manager.a"],
            ticket=t1,
            to_person=p["engineer.c"],
            reason="无线产品，按责任矩阵由陈晨负责升级。",
        )

    # Case 2: an urgent server outage nobody has acknowledged yet.
    with at(0, 10, 4):
        t2 = services.open_ticket(
            actor=p["customer.x"],
            customer_org=o["province"],
            product=prod["core"],
            region=reg["lakeside"],
            severity="P1",
            channel="portal",
            title="网管服务器宕机，无法登录",
            customer_voice="网管服务器突然宕机，所有网元都看不到了。一直联系的工程师手机关机，非常着急！",
        )
    with at(0, 10, 5):  # a minute later, before the 400 call: the tone turns sharp
        services.add_comment(
            actor=p["customer.x"],
            ticket=t2,
            body="还是找不到人！再没人处理我就打400投诉！",
        )

    # Case 3: the answer changed twice; the conclusion's history shows why.
    with at(3, 14):
        t3 = services.open_ticket(
            actor=p["customer.y"],
            customer_org=o["lakeside"],
            product=prod["core"],
            region=reg["lakeside"],
            severity="P2",
            channel="portal",
            title="设备故障后业务偶发中断",
            customer_voice="设备故障，问了三次得到三个不同的说法，到底能不能解决？",
        )
    with at(3, 14, 30):
        services.acknowledge(actor=p["engineer.b"], ticket=t3)
    with at(3, 16):
        services.set_conclusion(
            actor=p["engineer.b"],
            ticket=t3,
            text="故障与当前版本的已知兼容性问题有关，需进一步定位。",
        )
    with at(2, 11):
        services.set_conclusion(
            actor=p["engineer.b"],
            ticket=t3,
            text="确认为版本缺陷，升级到补丁版本可解决；升级方案评审后实施。",
            reason="研发复现了问题并给出补丁。",
        )
    t3.refresh_from_db()
    with at(2, 11, 5):
        services.edit_ticket(
            actor=p["engineer.b"], ticket=t3, version=t3.version, changes={"status": "in_progress"}
        )
    with at(2, 11, 10):
        services.log_call(
            actor=p["engineer.b"],
            ticket=t3,
            direction="outbound",
            outcome="answered",
            party="杨越",
            note="已向客户说明最终结论和升级计划。",
        )

    # Case 4: a branch asked, the fix was done; the branch (the requester) must hear it first.
    with at(5, 9):
        t4 = services.open_ticket(
            actor=p["customer.y"],
            customer_org=o["lakeside"],
            product=prod["transport"],
            region=reg["lakeside"],
            severity="P3",
            channel="portal",
            site="湖滨二号机房 OTN-07",
            title="传输设备持续高温告警",
            customer_voice="设备一直报高温告警，希望派人到现场处理，而不是只远程看看。",
        )
    with at(5, 9, 30):
        services.acknowledge(actor=p["partner.d"], ticket=t4)
    # Before the branch's complaint: it asks twice and hears nothing, and says so.
    with at(4, 9, 30):
        services.add_comment(
            actor=p["customer.y"],
            ticket=t4,
            body="昨天说派人来，到现在没人联系我们分公司，省公司倒是知道了？",
        )
    with at(4, 10, 30):
        services.add_comment(
            actor=p["customer.y"],
            ticket=t4,
            body="还是没有回复，我们分公司一点都不知道进展，再这样就投诉了。",
        )
    # The partner who owns it goes on site; the branch contact confirms his visit report.
    # (Moments are worked out before the clock is moved: _at counts from the real today.)
    on_site_4 = _at(3, 14)
    with at(4, 16):
        v4 = visits.plan_visit(
            actor=p["partner.d"],
            ticket=t4,
            engineer=p["partner.d"],
            planned_at=on_site_4,
            purpose="到湖滨二号机房检查高温告警，清理防尘网、检查风扇。",
        )
    with at(3, 13, 20):
        visits.start_travel(actor=p["partner.d"], visit=v4)
    with at(3, 14, 5):
        visits.arrive(actor=p["partner.d"], visit=v4)
    with at(3, 14, 55):
        visits.leave_site(
            actor=p["partner.d"],
            visit=v4,
            result="resolved",
            work_done="防尘网积灰严重导致散热不良，已清理；风扇运转正常，温度恢复，高温告警消失。",
            customer_message="建议每季度清理一次防尘网，我们会在巡检时提醒。",
        )
    with at(3, 15):
        services.add_comment(
            actor=p["partner.d"],
            ticket=t4,
            body="已到现场清理防尘网，温度恢复正常，告警消失。",
        )
    with at(3, 15, 30):
        services.resolve(
            actor=p["partner.d"], ticket=t4, note="清理设备防尘网后温度正常，观察24小时无高温告警。"
        )
    with at(3, 16, 10):
        visits.confirm_report(actor=p["customer.y"], visit=v4)

    # Case 5: the night shift asked for masking; the day shift is waiting to confirm details.
    with at(1, 23):
        t5 = services.open_ticket(
            actor=p["engineer.c"],
            customer_org=o["hillside"],
            requester=p["customer.z"],
            product=prod["wireless"],
            region=reg["hillside"],
            severity="P2",
            channel="phone",
            title="升级后告警不上报",
            customer_voice="早上上班发现告警都上不来，网管里多了两百多条屏蔽规则，是不是升级搞坏了？",
        )
    with at(0, 8, 40):
        services.acknowledge(actor=p["engineer.c"], ticket=t5)
        services.add_comment(
            actor=p["engineer.c"],
            ticket=t5,
            body="屏蔽规则是夜班按贵方值班人员要求添加的，请确认哪些规则可以删除。",
        )
    t5.refresh_from_db()
    with at(0, 8, 45):
        services.edit_ticket(
            actor=p["engineer.c"],
            ticket=t5,
            version=t5.version,
            changes={"status": "waiting_customer"},
        )

    # Case 6: restarting boards did not hold; the customer reopened. The engineer sent on site
    # works until five, cannot find the cause — and leaves only with a next step (who, by
    # when) and a word to the customer; the service manager hears of it at once.
    with at(4, 10):
        t6 = services.open_ticket(
            actor=p["customer.z"],
            customer_org=o["hillside"],
            product=prod["transport"],
            region=reg["hillside"],
            severity="P2",
            channel="portal",
            title="多条光纤专线中断",
            customer_voice="很多专线不通，用户都在投诉，请尽快处理。",
        )
    with at(4, 10, 20):
        services.acknowledge(actor=p["manager.a"], ticket=t6)
    with at(4, 17):
        services.resolve(actor=p["manager.a"], ticket=t6, note="已重启相关板卡，专线恢复。")
    with at(3, 9):
        services.reopen(
            actor=p["customer.z"], ticket=t6, reason="今天早上又断了，问题没有根本解决。"
        )
    on_site_6, back_by = _at(1, 13), _at(-1, 10)  # tomorrow at ten
    with at(1, 11):
        v6 = visits.plan_visit(
            actor=p["manager.a"],
            ticket=t6,
            engineer=p["engineer.c"],
            planned_at=on_site_6,
            purpose="现场排查多条光纤专线中断：OTN板卡、尾纤、配线架。",
        )
    with at(1, 12, 10):
        visits.start_travel(actor=p["engineer.c"], visit=v6)
    with at(1, 13, 5):
        visits.arrive(actor=p["engineer.c"], visit=v6)
    with at(1, 17):
        visits.leave_site(
            actor=p["engineer.c"],
            visit=v6,
            result="unresolved",
            work_done="逐段检查了OTN板卡、尾纤和配线架，重启后部分专线短暂恢复又中断，未找到根因。",
            next_step="携带光功率计和备用光模块复查全段光路，并请产品维护负责人远程分析告警日志。",
            next_step_owner=p["engineer.c"],
            next_step_due=back_by,
            customer_message=(
                "今天未能找到专线中断的根因，非常抱歉。明天上午10点前我们会带仪表和备件再次到站，"
                "并请产品专家远程协助；服务经理王立全程跟进。"
            ),
        )

    # A closed one: the customer confirmed.
    with at(6, 10):
        t7 = services.open_ticket(
            actor=p["customer.x"],
            customer_org=o["province"],
            product=prod["core"],
            region=reg["hillside"],
            severity="P4",
            channel="portal",
            title="咨询核心网License到期时间",
            customer_voice="请告诉我们现网License什么时候到期。",
        )
    with at(6, 10, 30):
        services.acknowledge(actor=p["engineer.b"], ticket=t7)
    with at(6, 11):
        services.resolve(
            actor=p["engineer.b"], ticket=t7, note="License将于明年6月30日到期，续期流程已发邮件。"
        )
    with at(5, 9):
        services.confirm_closure(actor=p["customer.x"], ticket=t7, note="收到，谢谢。")

    # Another operator entirely: nobody at 江南省电信 may see this one.
    with at(1, 16):
        services.open_ticket(
            actor=p["customer.o"],
            customer_org=o["other"],
            product=prod["core"],
            region=reg["lakeside"],
            severity="P3",
            channel="portal",
            title="Core network KPI report request",
            customer_voice="Please send the monthly KPI report for the core network.",
        )


def load_demo() -> bool:
    """Load the demo once. Returns False when it is already there."""
    if Organisation.objects.filter(name=MARKER_ORG).exists():
        return False
    # Scored as it happens, each event on its own clock: the cases alert when they would have.
    with transaction.atomic(), risk_config.inline_scoring():
        world = build_world()
        escalation_demo.setup(world)
        _stakeholders(world)
        _tickets(world)
        complaints_demo.seed(world)  # complaints
        demo_surveys.seed(world, _at)  # satisfaction
        changes_demo.seed(world)  # change requests (issue 11)
        masks_demo.setup(world)  # masks
        handover_demo.seed(world)  # handover
        cases_demo.seed(world)  # learning cases
    return True


def demo_logins() -> list[tuple[str, str, str]]:
    return [
        (p.username, p.name, p.get_role_display())
        for p in Person.objects.filter(username__in=[row[0] for row in PEOPLE]).order_by("pk")
    ]
