"""The ticket page's notifications card: who will be told of the next event, and who was told
of the past ones — through which channel, delivered or not. A read for the page (the view
passes it to the template), here because it reads escalation steps, tickets and the outbox."""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from caredesk.directory.models import Person
from caredesk.escalation.models import StepCondition, StepTarget
from caredesk.notify import addressing, rendering
from caredesk.notify import policy as notify_policy
from caredesk.notify.models import Message, MessageState
from caredesk.tickets.models import Status, Ticket
from caredesk.tickets.notifications import recipients_for

SHOWN = 30

TEMPLATE_LABELS = {
    "ticket_opened": _("Request registered"),
    "ticket_assigned": _("New ticket to own"),
    "ticket_acknowledged": _("Acknowledged"),
    "ticket_reply": _("Reply"),
    "ticket_conclusion": _("Technical conclusion"),
    "ticket_resolved": _("Resolved"),
    "ticket_closed": _("Closed"),
    "ticket_reopened": _("Reopened"),
    "owner_changed": _("Owner changed"),
    "handoff_proposed": _("Hand-off proposed"),
    "handoff_accepted": _("Hand-off accepted"),
    "handoff_declined": _("Hand-off declined"),
    "handoff_cancelled": _("Hand-off withdrawn"),
    "customer_replied": _("Customer wrote"),
    "ticket_escalated": _("Escalation notice"),
    "visit_planned": _("Site visit planned"),
    "visit_left": _("Site visit report"),
    "visit_cancelled": _("Site visit cancelled"),
}
WHY_LABELS = {
    "requester": _("requester"),
    "stakeholder": _("stakeholder"),
    "owner": _("owner"),
    "handoff_target": _("proposed new owner"),
    "previous_owner": _("previous owner"),
    "proposer": _("proposed the hand-off"),
}
# (label, Bootstrap colour) per delivery state; a pending message that failed once is retrying.
STATE_BADGES = {
    MessageState.SENT: (_("Delivered"), "success"),
    MessageState.DEAD: (_("Failed"), "danger"),
    "retrying": (_("Retrying"), "warning"),
    MessageState.PENDING: (_("Queued"), "secondary"),
}


@dataclass(frozen=True)
class Line:
    person: Person | None
    event: str
    why: str
    channel: str
    where: str
    state: str = ""
    colour: str = ""
    message: Message | None = None


def _event_label(m: Message) -> str:
    """What a message was about: an escalation names its level, whom it called and why."""
    if m.template == "escalation":
        c = m.context
        role, why = c.get("target_role", ""), c.get("condition", "")
        return str(_("Escalation level %(n)s · %(role)s %(who)s · %(why)s")) % {
            "n": c.get("level", ""),
            "role": StepTarget(role).label if role in StepTarget.values else role,
            "who": c.get("target_name", ""),
            "why": StepCondition(why).label if why in StepCondition.values else why,
        }
    return str(TEMPLATE_LABELS.get(m.template, _("Notification")))


def _via(channel: str, requested: str = "", missing: str = "") -> str:
    return rendering.via(channel, requested, missing, translation.get_language())


def _next_event(ticket: Ticket) -> tuple[str, int | None, str]:
    """The event the card looks ahead to, who would cause it, and how the card names it."""
    if ticket.is_open:
        return (
            "ticket.resolved",
            ticket.owner_id,
            str(_("When it is resolved, these will be told:")),
        )
    if ticket.status == Status.RESOLVED:
        return (
            "ticket.closed",
            ticket.requester_id,
            str(_("When the customer confirms closure, these will be told:")),
        )
    return "ticket.reopened", ticket.requester_id, str(_("If it is reopened, these will be told:"))


def _will(ticket: Ticket) -> tuple[str, list[Line]]:
    kind, actor_id, heading = _next_event(ticket)
    lines = []
    for r in recipients_for(ticket, kind, actor_id=actor_id):
        where = addressing.resolve(r.person, r.channel)
        lines.append(
            Line(
                person=r.person,
                event=str(TEMPLATE_LABELS.get(r.template, _("Notification"))),
                why=str(WHY_LABELS.get(r.why, "")),
                channel=_via(where.channel, where.requested, where.missing),
                where=where.endpoint.name if where.endpoint else where.address,
            )
        )
    return heading, lines


def _told(ticket: Ticket) -> list[Line]:
    rows = (
        Message.objects.filter(topic=f"ticket:{ticket.pk}")
        .select_related("recipient", "endpoint")
        .order_by("-created_at", "-id")[:SHOWN]
    )
    lines = []
    for m in rows:
        state = "retrying" if m.state == MessageState.PENDING and m.last_error else m.state
        label, colour = STATE_BADGES[state]
        lines.append(
            Line(
                person=m.recipient,
                event=_event_label(m),
                why="",
                channel=_via(m.channel, m.requested_channel, m.fallback_reason),
                where=m.endpoint.name if m.endpoint else m.address,
                state=str(label),
                colour=colour,
                message=m,
            )
        )
    return lines


def notifications_card(ticket: Ticket, viewer: Person) -> dict:
    """The card's heading, the people the next event will reach and the last messages sent."""
    heading, will = _will(ticket)
    return {
        "heading": heading,
        "will": will,
        "told": _told(ticket),
        "can_inspect": notify_policy.can_manage_outbox(viewer),
    }
