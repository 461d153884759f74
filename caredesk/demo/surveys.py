"""The demo's satisfaction surveys: three answered — one glad, two low scores with their
follow-ups (one still open for the service manager, one closed with his note) — and one sent
to customer.y and not answered yet, whose mailed link seed_demo prints.

Everything goes through the product's own path, on the demo's moved clock: the tickets are
closed by their customers, each survey's timer is run at its due moment by its handler, the
answers are posted through the answering verb with the token read back from the invitation in
the outbox (what the mail says)."""

import re

from django.db import transaction

from caredesk import clock
from caredesk.notify.models import Message
from caredesk.satisfaction.models import Survey
from caredesk.satisfaction.services import answer_survey, close_follow_up, sending
from caredesk.tickets import services
from caredesk.tickets.models import Status, Ticket
from caredesk.timers import services as timers
from caredesk.timers.models import DueAction

UNANSWERED_FOR = "customer.y"


def _closed(*, opened, closed, requester, owner_note, **fields) -> Ticket:
    with clock.frozen_at(opened):
        ticket = services.open_ticket(actor=requester, channel="portal", **fields)
    resolved, confirmed = closed
    with clock.frozen_at(resolved):
        services.acknowledge(actor=ticket.owner, ticket=ticket)
        services.resolve(actor=ticket.owner, ticket=ticket, note=owner_note)
    with clock.frozen_at(confirmed):
        services.confirm_closure(actor=requester, ticket=ticket, note="")
    return Ticket.objects.get(pk=ticket.pk)


def _send(ticket: Ticket) -> str:
    """Run the ticket's survey timer at its due moment; the token of the invitation sent."""
    action = DueAction.objects.get(
        kind=sending.SEND_TICKET, subject=str(ticket.pk), done_at__isnull=True
    )
    with clock.frozen_at(action.due_at), transaction.atomic():
        timers.settle({action.pk: sending.send_ticket_survey(action)})
    return _token(Survey.objects.get(ticket=ticket))


def _token(survey: Survey) -> str:
    message = Message.objects.get(idempotency_key__startswith=f"survey:{survey.pk}:invite:")
    return re.search(r"/s/([^/]+)/$", message.context["url"]).group(1)


def _answer(token: str, when, scores: tuple[int, int, int, int], solved: bool, comment: str):
    r, a, t, c = scores
    with clock.frozen_at(when):
        return answer_survey(
            token=token,
            responsiveness=r,
            attitude=a,
            technical_skill=t,
            communication=c,
            solved=solved,
            comment=comment,
        )


def seed(world: dict, _at) -> None:
    """`_at(days_ago, hour, minute)`: a moment of the demo's past (world._at)."""
    p, o, prod, reg = world["people"], world["orgs"], world["products"], world["regions"]

    # The province's licence question, closed by customer.x five days ago (world.py): glad.
    license_ticket = Ticket.objects.get(status=Status.CLOSED, requester=p["customer.x"])
    _answer(_send(license_ticket), _at(3, 20), (5, 5, 5, 4), True, "回复及时，说明清楚，谢谢李工。")

    # Hillside's handover failures: three calls before anyone answered, and it is back — low.
    handover = _closed(
        opened=_at(5, 9),
        requester=p["customer.z"],
        closed=(_at(4, 15), _at(4, 17)),
        owner_note="调整了邻区参数，切换成功率恢复。",
        customer_org=o["hillside"],
        product=prod["wireless"],
        region=reg["hillside"],
        severity="P3",
        title="小区切换失败率升高",
        customer_voice="山城几个小区切换失败率明显升高，用户投诉通话中断。",
    )
    _answer(
        _send(handover),
        _at(2, 20, 15),
        (2, 2, 3, 2),
        False,
        "打了三次电话才有人回复，问题也没有彻底解决，昨天又出现了。",
    )

    # North Ridge's KPI report: fixed, but the engineer was curt — low attitude, followed up.
    report = _closed(
        opened=_at(6, 9, 30),
        requester=p["customer.o"],
        closed=(_at(5, 15), _at(5, 17)),
        owner_note="The monthly KPI report was generated and sent by email.",
        customer_org=o["other"],
        product=prod["core"],
        region=reg["lakeside"],
        severity="P4",
        title="Monthly KPI export fails",
        customer_voice="The KPI export stops half-way every month end.",
    )
    answer = _answer(
        _send(report),
        _at(3, 11),
        (4, 2, 4, 3),
        True,
        "Fixed in the end, but the engineer was curt on the phone.",
    )
    with clock.frozen_at(_at(2, 10)):
        close_follow_up(
            actor=p["manager.a"],
            follow_up=answer.survey.follow_up,
            note="已致电 Olivia 致歉；已与工程师复盘电话沟通方式，下次由我陪同回访。",
        )

    # customer.y's alarm delay, closed two days ago: the survey went yesterday, unanswered.
    alarms = _closed(
        opened=_at(3, 9),
        requester=p[UNANSWERED_FOR],
        closed=(_at(2, 15), _at(2, 17)),
        owner_note="网管采集周期已从15分钟调整为1分钟，告警延迟消除。",
        customer_org=o["lakeside"],
        product=prod["core"],
        region=reg["lakeside"],
        severity="P3",
        title="告警上报延迟十几分钟",
        customer_voice="核心网告警要过十几分钟才在网管上出现，影响值班判断。",
    )
    _send(alarms)


def demo_link() -> str | None:
    """The mailed link of the demo's unanswered survey (read from its invitation in the
    outbox, as the mail says it), or None once it is answered or gone."""
    survey = (
        Survey.objects.filter(contact__username=UNANSWERED_FOR, answered_at__isnull=True)
        .order_by("-id")
        .first()
    )
    if survey is None:
        return None
    message = Message.objects.filter(
        idempotency_key__startswith=f"survey:{survey.pk}:invite:"
    ).first()
    return message.context["url"] if message else None
