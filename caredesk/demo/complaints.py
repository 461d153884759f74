"""The demo's complaints (issue 12), modelled in our own words on the training deck's cases:
a buck-passing complaint withdrawn after the call-back, an unreachable engineer's with an
extension, a contradicting-answers one overdue and escalated, and a wrong-stakeholder one the
complainant rejected, still open — plus the escalation chain complaints' missed deadlines
start. Made through the services with the clock moved back, like the rest of the demo."""

import datetime as dt

from caredesk import clock
from caredesk.complaints import services
from caredesk.complaints.models import Category, Complaint
from caredesk.complaints.services import deadlines
from caredesk.escalation.models import EscalationPolicy, EscalationStep, Trigger
from caredesk.tickets.models import Ticket
from caredesk.timers import services as timers
from caredesk.timers.models import DueAction

CHAIN_NAME = "投诉超期督办"
# (target, wait minutes, channels): the handler at once, then the ladder above.
CHAIN = [
    ("complaint_handler", 0, "email,wecom"),
    ("service_manager", 0, "email,sms"),
    ("spm", 240, "email,sms"),
    ("account_head", 24 * 60, "email,sms"),
]


def escalation_chain() -> EscalationPolicy:
    """The chain a complaint's missed deadline starts on its main ticket (idempotent)."""
    found = EscalationPolicy.objects.filter(trigger=Trigger.COMPLAINT, name=CHAIN_NAME).first()
    if found:
        return found
    chain = EscalationPolicy.objects.create(name=CHAIN_NAME, trigger=Trigger.COMPLAINT)
    for order, (target, wait, channels) in enumerate(CHAIN, 1):
        EscalationStep.objects.create(
            policy=chain,
            order=order,
            target=target,
            wait_minutes=wait,
            channels=channels,
            condition="complaint_overdue",
            percent=100,
        )
    return chain


# ---------------------------------------------------------------- the demo's complaints


def _fire_due(complaint: Complaint, until) -> None:
    """What the worker did back then: the complaint's deadline timers due by `until`, each at
    its own moment (the reminder the next working day included)."""
    subjects = [f"complaint:{complaint.pk}:{kind}" for kind in deadlines.FIELDS]
    while True:
        row = (
            DueAction.objects.filter(
                kind=deadlines.TIMER, subject__in=subjects, done_at__isnull=True, due_at__lte=until
            )
            .order_by("due_at", "pk")
            .first()
        )
        if row is None:
            return
        moment = row.due_at + dt.timedelta(minutes=1)
        with clock.frozen_at(moment):
            timers.settle({row.pk: deadlines.on_deadline(row)}, now=moment)


def seed(world: dict) -> None:
    """The demo's complaints, once (the demo loads once; this is part of that load)."""
    from caredesk.demo.world import _at

    p = world["people"]
    escalation_chain()
    category = {c.code: c for c in Category.objects.all()}
    ticket = {t.title: t for t in Ticket.objects.select_related("customer_org", "office")}

    def at(days, h, m=0):
        return clock.frozen_at(_at(days, h, m))

    a, h = p["manager.a"], p["hotline.h"]

    # Seed case 1: passed from number to number. Raised from the ticket by the wireless
    # engineer's colleague, worked through the whole loop and closed on the caller's word.
    with at(0, 9, 35):
        one = services.open_complaint(
            actor=p["engineer.c"],
            source="ticket",
            tickets=[ticket["基站软件需要现场升级"]],
            complainant=p["customer.y"],
            words="我打了服务经理、核心网、无线三个人的电话，每个人都让我再找别人，没人管。",
            remedy_sought="指定一个负责人跟到底，并安排现场升级。",
            severity="medium",
            impact="branch",
            category=category["buck_passing"],
            subcategory=category["buck_passing_phone"],
        )
    with at(0, 9, 38):
        services.acknowledge(actor=a, complaint=one)
    with at(0, 9, 42):
        services.record_callback(
            actor=a, complaint=one, reached=True, note="已向客户道歉并说明由谁负责。"
        )
    with at(0, 9, 48):
        services.record_root_cause(
            actor=a,
            complaint=one,
            cause=category["buck_passing_scope"],
            note="需求跨核心网和无线两个专业，接电话的人都没有先接下来再转交。",
        )
    with at(0, 9, 50):
        services.add_action(
            actor=a,
            complaint=one,
            description="首问负责制：接到请求的人先登记工单并转交，不再只给电话号码。",
            owner=a,
            due_at=_at(-14, 18),
        )
    with at(0, 9, 55):
        services.respond(
            actor=a,
            complaint=one,
            text="该升级由无线工程师陈晨负责，已约定本周现场实施；今后您的请求由首个接到的人登记跟踪。",
        )
    with at(0, 10, 0):
        services.record_callback(
            actor=a, complaint=one, reached=True, satisfied=True, note="客户认可。"
        )
    with at(0, 10, 2):
        services.close(actor=a, complaint=one, outcome="confirmed", note="客户确认。")

    # Seed case 2: the engineer's phone was off; he called back and fixed it, and the
    # customer rang the 400 line again to withdraw.
    with at(0, 10, 6):
        two = services.open_complaint(
            actor=h,
            source="hotline",
            tickets=[ticket["网管服务器宕机，无法登录"]],
            complainant=p["customer.x"],
            words="网管服务器挂了，一直找的那个工程师关机，找不到人，急死了！",
            remedy_sought="马上有人处理，并给一个找得到人的升级电话。",
            severity="high",
            impact="province",
            category=category["unreachable"],
            subcategory=category["unreachable_phone_off"],
        )
    with at(0, 10, 7):
        services.acknowledge(actor=a, complaint=two)
    with at(0, 10, 8):
        services.record_callback(
            actor=a,
            complaint=two,
            reached=True,
            note="工程师已回电并远程恢复，已发送升级联系人名单。",
        )
    with at(0, 10, 9):
        services.withdraw(actor=h, complaint=two, note="问题已解决，客户来电撤诉。")

    # Seed case 3: three different answers. Acknowledged and called back; the handler asked
    # for more time before the deadline to wait for R&D's version plan.
    with at(2, 15):
        three = services.open_complaint(
            actor=h,
            source="hotline",
            tickets=[ticket["设备故障后业务偶发中断"]],
            complainant=p["customer.y"],
            words="一会儿说不兼容，一会儿说解决不了，一会儿又说升级能解决，拿我们的业务开玩笑。",
            remedy_sought="给一个确定的技术结论和升级时间表。",
            severity="medium",
            impact="branch",
            category=category["contradicting"],
        )
    with at(2, 15, 30):
        services.acknowledge(actor=a, complaint=three)
    with at(2, 16):
        services.record_callback(
            actor=a, complaint=three, reached=True, note="已致歉，承诺给出统一结论。"
        )
    with at(1, 10):
        services.add_note(
            actor=a, complaint=three, body="内部：前两次答复未经产品负责人评审，版本也未就绪。"
        )
    with at(1, 11):
        three.refresh_from_db()
        services.extend_deadline(
            actor=a,
            complaint=three,
            until=three.resolve_due + dt.timedelta(days=3),
            reason="需要研发确认可用版本和割接方案后再正式答复。",
        )

    # Seed case 4: the result went to the province supervisor, not the branch that asked.
    # Nobody acknowledged it in time: missed, escalated, reminded the next working day.
    with at(4, 11):
        four = services.open_complaint(
            actor=h,
            source="hotline",
            tickets=[ticket["传输设备持续高温告警"]],
            complainant=p["customer.y"],
            words="高温告警的处理结果你们只告诉了省公司，我们分公司一点都不知道。",
            remedy_sought="处理结果直接告诉提出需求的人。",
            severity="medium",
            impact="branch",
            category=category["information_not_passed"],
            subcategory=category["wrong_stakeholder"],
        )
    _fire_due(four, _at(0, 10))

    # Seed case 5: the partner masked 200 alarms without authorisation. Answered, but the
    # day shift does not accept the answer: still open, worked again.
    with at(0, 8, 50):
        five = services.open_complaint(
            actor=a,
            source="letter",
            tickets=[ticket["升级后告警不上报"]],
            complainant=p["customer.z"],
            words="升级后告警上不来，网管里多了两百多条屏蔽规则，谁授权的？",
            remedy_sought="说明谁做的屏蔽、为什么，并恢复告警。",
            severity="medium",
            impact="branch",
            category=category["unauthorised_operation"],
            subcategory=category["unauthorised_masking"],
        )
    with at(0, 8, 52):
        services.acknowledge(actor=a, complaint=five)
    with at(0, 8, 55):
        services.record_callback(actor=a, complaint=five, reached=True)
    with at(0, 9):
        services.record_root_cause(
            actor=a,
            complaint=five,
            cause=category["unauthorised_masking"],
            note="合作方应夜班要求屏蔽告警，未经代表处授权，也未交接给白班。",
        )
    with at(0, 9, 5):
        services.respond(
            actor=a, complaint=five, text="屏蔽规则已全部解除，告警已恢复；今后屏蔽须经代表处审批。"
        )
    with at(0, 9, 40):
        services.record_callback(
            actor=a,
            complaint=five,
            reached=True,
            satisfied=False,
            note="客户认为升级本身有问题，不接受答复。",
        )
