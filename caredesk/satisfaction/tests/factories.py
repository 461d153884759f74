"""Surveys made the way the product makes them, for tests elsewhere (the access matrix, the
benchmarks' smoke runs): the ticket is resolved and closed by its customer, and the send timer's
handler runs; the token is read back from the invitation queued for the contact."""

import re

from caredesk import clock
from caredesk.notify.models import Message
from caredesk.satisfaction.models import Survey
from caredesk.satisfaction.services import answer_survey, sending
from caredesk.tickets import services as ticket_services
from caredesk.tickets.models import Status, Ticket
from caredesk.timers.models import DueAction


def sent_survey(ticket: Ticket, closer) -> tuple[Survey, str]:
    """Close the ticket (resolved by its owner, confirmed by `closer`) and send its survey now."""
    ticket = Ticket.objects.get(pk=ticket.pk)
    if ticket.status != Status.RESOLVED:
        ticket_services.resolve(actor=ticket.owner, ticket=ticket, note="已处理")
        ticket = Ticket.objects.get(pk=ticket.pk)
    ticket_services.confirm_closure(actor=closer, ticket=ticket)
    action = DueAction.objects.get(
        kind=sending.SEND_TICKET, subject=str(ticket.pk), done_at__isnull=True
    )
    action.due_at = clock.now()
    outcome = sending.send_ticket_survey(action)
    assert outcome == "fired", outcome
    survey = Survey.objects.get(ticket=ticket)
    return survey, token_sent(survey)


def token_sent(survey: Survey) -> str:
    message = Message.objects.get(idempotency_key__startswith=f"survey:{survey.pk}:invite:")
    return re.search(r"/s/([^/]+)/$", message.context["url"]).group(1)


def link_path(token: str) -> str:
    """The path of the survey page the mailed link opens."""
    return f"/s/{token}/"


LOW = {
    "responsiveness": 2,
    "attitude": 3,
    "technical_skill": 3,
    "communication": 2,
    "solved": False,
    "comment": "等了三天才有人来",
}


def low_answer(token: str):
    """Answer with low scores: the follow-up it opens is `answer.survey.follow_up`."""
    return answer_survey(token=token, **LOW)
