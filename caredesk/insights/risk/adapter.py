"""The database's side of the History (history.py): a ticket's records read into the one
structure the scorer knows, so production scores with the very code `evaluate_risk` replays.

`histories_of(tickets)` reads many tickets in a constant number of queries (the worker rescores
in batches); `history_of(ticket)` is the same for one. What each record becomes:

- the request as opened (customer voice), the customer's public replies — portal and inbound
  mail alike, both land as their comments — and a reopening: the customer's words;
- a staff reply (public or an internal note), a call with its direction, outcome and note;
- hand-offs proposed, accepted, declined; the acknowledgement; resolved, closed;
- a clock breached, an escalation fired (its step is the level), a visit left unresolved;
- the conclusion's second and later versions: the answer changed;
- a customer-facing event a covering, subscribed stakeholder was not told of (no message to
  them, or one that failed);
- the customer's facts: prior complaints and low survey scores of the contact or the
  organisation (not the complaints about this ticket), the same product's problem from the
  same organisation in the 30 days before, a province-level customer.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from caredesk import clock, events
from caredesk.complaints.models import Complaint, ComplaintTicket
from caredesk.directory import refdata
from caredesk.directory.models import Role
from caredesk.fieldwork.models.visits import NEEDS_NEXT_STEP
from caredesk.notify.models import Message, MessageState
from caredesk.satisfaction.models import Answer
from caredesk.stakeholders import selectors as stakeholders
from caredesk.tickets.models import EntryKind, Ticket, TimelineEntry

from .history import Customer, Event, History

REPEAT_WINDOW = dt.timedelta(days=30)
# A stakeholder's message is written in the event's own transaction, at its moment; a little
# slack covers a clock that moved between the entry and the message.
TOLD_WITHIN = dt.timedelta(minutes=5)
# timeline entry kind → the stakeholder subscription that hears of it (from the catalogue)
SUBSCRIPTION_OF = {
    r.timeline: r.subscription for r in events.CATALOGUE.values() if r.subscription and r.timeline
}
PLAIN = {
    EntryKind.ACKNOWLEDGED: "acknowledged",
    EntryKind.HANDOFF_PROPOSED: "handoff_proposed",
    EntryKind.HANDOFF_ACCEPTED: "handoff_accepted",
    EntryKind.HANDOFF_DECLINED: "handoff_declined",
    EntryKind.RESOLVED: "resolved",
    EntryKind.CLOSED: "closed",
    EntryKind.AUTO_CLOSED: "closed",
}
ENTRY_FIELDS = ("ticket_id", "kind", "actor__role", "public", "body", "data", "at", "id")


def _event(ticket: Ticket, kind, role, public, body, data, at) -> Event | None:
    data = data or {}
    by_customer = role == Role.CUSTOMER_CONTACT
    if kind == EntryKind.OPENED:
        return Event(at, "customer_message", channel=ticket.channel, text=ticket.customer_voice)
    if kind in PLAIN:
        return Event(at, PLAIN[kind])
    if kind == EntryKind.COMMENT:
        if by_customer:
            return Event(at, "customer_message", channel="portal", text=body)
        return Event(at, "staff_reply", public=public, text=body)
    if kind == EntryKind.CALL:
        return Event(
            at,
            "call",
            channel="phone",
            direction=data.get("direction", "outbound"),
            outcome=data.get("outcome", "answered"),
            text=body,
        )
    if kind == EntryKind.REOPENED:
        return Event(at, "reopened", text=body if by_customer else "")
    if kind == EntryKind.CLOCK_BREACHED:
        return Event(at, "clock_breached", clock=str(data.get("clock", "")))
    if kind == EntryKind.ESCALATED:
        return Event(at, "escalated", level=int(data.get("step") or 1))
    if kind == EntryKind.VISIT_LEFT:
        return Event(at, "site_visit_left", resolved=data.get("result") not in NEEDS_NEXT_STEP)
    if kind == EntryKind.CONCLUSION and int(data.get("version") or 1) > 1:
        return Event(at, "conclusion_changed", text=body)
    return None


def _org_level(org_id: int) -> str:
    org = refdata.organisation(org_id)
    parent = refdata.organisation(org.parent_id) if org and org.parent_id else None
    return "city" if parent is not None and parent.kind == org.kind else "province"


def _told(messages: list[tuple[int, dt.datetime, str]], person_id: int, at: dt.datetime) -> bool:
    return any(
        who == person_id and at <= when <= at + TOLD_WITHIN and state != MessageState.DEAD
        for who, when, state in messages
    )


def _not_told(ticket: Ticket, entries: list[tuple], messages: list) -> list[Event]:
    """One event per customer-facing entry that a covering, subscribed stakeholder (other
    than its actor) did not hear of."""
    found = []
    for kind, _role, _public, _body, data, at, actor_id in entries:
        subscription = SUBSCRIPTION_OF.get(kind)
        if not subscription:
            continue
        if kind == EntryKind.ESCALATED and not (data or {}).get("tell_customer"):
            continue
        entries_ = stakeholders.covering_entries(
            customer_org_id=ticket.customer_org_id,
            product_id=ticket.product_id,
            region_id=ticket.region_id,
            site=ticket.site,
            subscription=subscription,
        )
        missing = [
            s for s in entries_ if s.person_id != actor_id and not _told(messages, s.person_id, at)
        ]
        if missing:
            found.append(Event(at, "stakeholder_not_told", text=subscription))
    return found


def histories_of(tickets: Iterable[Ticket], *, now: dt.datetime | None = None) -> dict:
    """{ticket id: History} for these tickets, as their records stand at `now` (seven
    queries whatever their number; nothing after `now` is read)."""
    tickets = list(tickets)
    if not tickets:
        return {}
    now = now or clock.now()
    ids = [t.pk for t in tickets]
    rows: dict[int, list[tuple]] = defaultdict(list)
    for tid, kind, role, public, body, data, at, _pk, actor in (
        TimelineEntry.objects.filter(ticket_id__in=ids, at__lte=now)
        .order_by("at", "id")
        .values_list(*ENTRY_FIELDS, "actor_id")
    ):
        rows[tid].append((kind, role, public, body, data, at, actor))
    messages: dict[int, list] = defaultdict(list)
    topics = {f"ticket:{pk}": pk for pk in ids}
    for topic, who, when, state in Message.objects.filter(
        topic__in=list(topics), recipient__isnull=False
    ).values_list("topic", "recipient_id", "created_at", "state"):
        messages[topics[topic]].append((who, when, state))
    orgs = {t.customer_org_id for t in tickets}
    contacts = {t.requester_id for t in tickets if t.requester_id}
    about: dict[int, set[int]] = defaultdict(set)
    for complaint_id, ticket_id in ComplaintTicket.objects.filter(ticket_id__in=ids).values_list(
        "complaint_id", "ticket_id"
    ):
        about[ticket_id].add(complaint_id)
    complaints = list(
        Complaint.objects.filter(Q(customer_org_id__in=orgs) | Q(complainant_id__in=contacts))
        .filter(received_at__lte=now)
        .values_list("pk", "customer_org_id", "complainant_id")
    )
    low = list(
        Answer.objects.filter(low=True, answered_at__lte=now)
        .filter(Q(survey__customer_org_id__in=orgs) | Q(survey__contact_id__in=contacts))
        .values_list("pk", "survey__customer_org_id", "survey__contact_id")
    )
    earliest = min(t.created_at for t in tickets) - REPEAT_WINDOW
    earlier = list(
        Ticket.objects.filter(customer_org_id__in=orgs, created_at__gte=earliest)
        .filter(created_at__lte=now)
        .values_list("pk", "customer_org_id", "product_id", "created_at")
    )
    by_org, by_contact = defaultdict(set), defaultdict(set)
    for pk, org, who in complaints:
        by_org[org].add(pk)
        by_contact[who].add(pk)
    low_org, low_contact = defaultdict(set), defaultdict(set)
    for pk, org, who in low:
        low_org[org].add(pk)
        low_contact[who].add(pk)
    opened = defaultdict(list)
    for pk, org, product, at in earlier:
        opened[(org, product)].append((at, pk))
    out = {}
    for t in tickets:
        mine = rows.get(t.pk, [])
        evs = [e for r in mine if (e := _event(t, *r[:6])) is not None]
        evs += _not_told(t, mine, messages.get(t.pk, []))
        evs.sort(key=lambda e: e.at)
        who = t.requester_id or -1
        since = t.created_at - REPEAT_WINDOW
        customer = Customer(
            org_level=_org_level(t.customer_org_id),
            prior_complaints=len((by_org[t.customer_org_id] | by_contact[who]) - about[t.pk]),
            low_survey_scores=len(low_org[t.customer_org_id] | low_contact[who]),
            repeat_problems_30d=sum(
                1
                for at, pk in opened[(t.customer_org_id, t.product_id)]
                if pk != t.pk and since <= at < t.created_at
            ),
        )
        out[t.pk] = History(
            id=t.number,
            severity=t.severity,
            opened_at=t.created_at,
            customer=customer,
            events=tuple(evs),
        )
    return out


def history_of(ticket: Ticket, *, now: dt.datetime | None = None) -> History:
    """The History of one ticket (see histories_of)."""
    return histories_of([ticket], now=now)[ticket.pk]
