"""Who hears about a ticket event, and the outbox rows that tell them.

Customer-facing events go to the requester and to every stakeholder whose scope covers the
ticket and who subscribes to the event's kind (seed case 4: the city branch that asked hears
the fix, not only the province). Internal events reach the staff they concern: the proposed
new owner of a hand-off, the owner who handed off, the owner of a new or reopened ticket.
Nobody is told about their own action, except a requester's receipt for a new request.

`on_event` runs inside the verb's transaction (caredesk.events), so the rows commit with the
change or not at all. Text is rendered later, per recipient language, from the templates in
templates/notify/.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from caredesk import events
from caredesk.directory.models import Person
from caredesk.events import EventKind
from caredesk.notify import addressing, outbox
from caredesk.stakeholders import selectors as stakeholders
from caredesk.stakeholders.models import ContactChannel, Subscription

from .models import Handoff, Ticket

# event kind -> (subscription kind, customer-facing template), from the one catalogue
CUSTOMER_FACING = {
    kind: (Subscription(r.subscription), r.template)
    for kind, r in events.CATALOGUE.items()
    if r.subscription
}
# (Only escalations that call someone in are told, once per firing: see _customer_facing.)
# The events whose message quotes the text of the timeline entry they wrote.
QUOTED_ENTRY = {
    kind: events.CATALOGUE[kind].timeline
    for kind in (
        EventKind.COMMENTED,
        EventKind.CONCLUSION,
        EventKind.CLOSED,
        EventKind.REOPENED,
        EventKind.HANDOFF_PROPOSED,
        EventKind.HANDOFF_DECLINED,
    )
}


@dataclass(frozen=True)
class Recipient:
    person: Person
    channel: str
    template: str
    why: str  # requester, stakeholder, owner, handoff_target, previous_owner, proposer


def _customer_side(ticket: Ticket, kind: str, actor_id: int | None) -> list[Recipient]:
    subscription, template = CUSTOMER_FACING[kind]
    found: list[Recipient] = []
    covering = stakeholders.covering(
        customer_org=ticket.customer_org,
        product_id=ticket.product_id,
        region_id=ticket.region_id,
        site=ticket.site,
    )
    requester = ticket.requester
    if requester is not None and requester.is_active:
        # The requester always hears; through the channel their own map entry names, if any.
        own = next((s for s in covering if s.person_id == requester.pk), None)
        if requester.pk != actor_id or kind == EventKind.OPENED:
            channel = own.channel if own else ContactChannel.EMAIL
            found.append(Recipient(requester, channel, template, "requester"))
    for entry in covering:
        if entry.person_id in (actor_id, getattr(requester, "pk", None)):
            continue
        if subscription in entry.subscriptions:
            found.append(Recipient(entry.person, entry.channel, template, "stakeholder"))
    return found


def _staff(person: Person | None, template: str, why: str, actor_id: int | None) -> list:
    if person is None or not person.is_active or person.pk == actor_id:
        return []
    return [Recipient(person, ContactChannel.EMAIL, template, why)]


def _customer_facing(kind: str, data: dict) -> bool:
    """An escalation concerns the customer when it calls someone in (a backup, a manager) —
    once per firing, the escalation engine says which entry tells (data["tell_customer"]);
    a reminder to the owner or to a proposed new owner stays internal."""
    return kind in CUSTOMER_FACING and (
        kind != EventKind.ESCALATED or data.get("tell_customer", False)
    )


def recipients_for(
    ticket: Ticket, kind: str, *, actor_id: int | None = None, data: dict | None = None
) -> list[Recipient]:
    """Everyone an event of `kind` on this ticket goes to (also used to show, before it
    happens, who will be told)."""
    data = data or {}
    found: list[Recipient] = []
    if kind == EventKind.COMMENTED and not data.get("public", True):
        return []
    if kind == EventKind.COMMENTED and data.get("by_customer"):
        return _staff(ticket.owner, "customer_replied", "owner", actor_id)
    if kind == EventKind.AUTO_CLOSE_REMINDER:
        # Only the requester is asked: the decision is theirs, not every stakeholder's.
        requester = ticket.requester
        if requester is not None and requester.is_active:
            found.append(
                Recipient(requester, ContactChannel.EMAIL, "auto_close_reminder", "requester")
            )
        return found
    if _customer_facing(kind, data):
        found += _customer_side(ticket, kind, actor_id)
    if kind == EventKind.OPENED:
        found += _staff(ticket.owner, "ticket_assigned", "owner", actor_id)
    elif kind == EventKind.REOPENED:
        found += _staff(ticket.owner, "ticket_reopened", "owner", actor_id)
    elif kind == EventKind.HANDOFF_ACCEPTED:
        previous = Person.objects.filter(pk=data.get("previous_owner")).first()
        found += _staff(previous, "handoff_accepted", "previous_owner", actor_id)
    elif kind.startswith("handoff.") and data.get("handoff"):
        handoff = Handoff.objects.select_related("to_person", "from_person", "proposed_by").get(
            pk=data["handoff"]
        )
        if kind == EventKind.HANDOFF_PROPOSED:
            found += _staff(handoff.to_person, "handoff_proposed", "handoff_target", actor_id)
        elif kind == EventKind.HANDOFF_CANCELLED:
            found += _staff(handoff.to_person, "handoff_cancelled", "handoff_target", actor_id)
        elif kind == EventKind.HANDOFF_DECLINED:
            found += _staff(handoff.from_person, "handoff_declined", "owner", actor_id)
            if handoff.proposed_by_id != handoff.from_person_id:
                found += _staff(handoff.proposed_by, "handoff_declined", "proposer", actor_id)
    return found


def _context(ticket: Ticket, event: events.Event) -> dict:
    actor = event.actor
    if actor is None and event.actor_id:
        actor = Person.objects.filter(pk=event.actor_id).first()
    context = {
        "number": ticket.number,
        "title": ticket.title,
        "severity": ticket.severity,
        "customer": ticket.customer_org.name,
        "owner_name": ticket.owner.name,
        "owner_phone": ticket.owner.phone,
        "actor_name": actor.name if actor else "CareDesk",
        "url": f"{settings.SITE_URL}/t/{ticket.number}/",
        "text": "",
    }
    if event.kind == EventKind.ESCALATED:
        # Who has been called in, with their phone (and the levels caught up with it).
        context.update(
            called_name=event.data["target_name"],
            called_phone=event.data.get("target_phone", ""),
            called_role=event.data["target_role"],
            condition=event.data["condition"],
            clock=event.data.get("clock", ""),
            also_called=event.data.get("also_called", []),
        )
    elif event.kind == EventKind.RESOLVED:
        context["text"] = ticket.resolution_note
    elif event.kind in (EventKind.AUTO_CLOSE_REMINDER, EventKind.AUTO_CLOSED):
        context["text"] = ticket.resolution_note
        context["closes_at"] = _local(event.data.get("closes_at"))
        context["silence_days"] = event.data.get("silence_days", "")
        context["reopen_until"] = _local(event.data.get("reopen_until"))
    elif "message" in event.data:
        # A work app's event carries the words of its own message (fieldwork: the visit
        # report, its next step and the engineer's message to the customer).
        context.update(event.data["message"])
    elif event.kind in QUOTED_ENTRY:
        entry = ticket.timeline.filter(kind=QUOTED_ENTRY[event.kind]).order_by("-at", "-id").first()
        if entry is not None:
            context["text"] = entry.body
            context["reason"] = entry.data.get("reason", "")
            context["version"] = entry.data.get("version", "")
    return context


def _local(iso: str | None) -> str:
    """A moment for a message body, in the installation's zone (Asia/Shanghai by default)."""
    if not iso:
        return ""
    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")


def on_event(event: events.Event) -> None:
    """Write the outbox rows of one ticket event (inside the event's transaction)."""
    kind = event.kind
    if (
        not _customer_facing(kind, event.data)
        and not kind.startswith("handoff.")
        and kind != EventKind.AUTO_CLOSE_REMINDER
    ):
        return
    ticket = event.ticket or Ticket.objects.select_related(
        "owner", "requester", "customer_org"
    ).get(pk=event.ticket_id)
    recipients = recipients_for(ticket, kind, actor_id=event.actor_id, data=event.data)
    if not recipients:
        return
    context = _context(ticket, event)
    topic = f"ticket:{ticket.pk}"
    messages: dict[str, object] = {}  # by idempotency key: one per destination
    for r in recipients:
        where = addressing.resolve(r.person, r.channel)
        # One message per event and destination: a group robot shared by two stakeholders
        # posts once, and a replayed event queues nothing new. Customers hear once that a
        # person was called in, however many chains or levels call them.
        event_key = (
            f"escalated:p{event.data['target']}"
            if kind == EventKind.ESCALATED
            else f"v{ticket.version}:{kind}"
        )
        message = outbox.prepare(
            channel=where.channel,
            where=where,
            recipient=r.person,
            template=r.template,
            key=f"{topic}:{event_key}:{where.key}",
            context=context,
            language=r.person.language,
            topic=topic,
        )
        messages.setdefault(message.idempotency_key, message)
    outbox.enqueue_many(list(messages.values()))


def register() -> None:
    events.subscribe(on_event)
