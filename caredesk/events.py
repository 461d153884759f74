"""Domain events: how the core tells the floors above it what happened, without importing them.

Ticket verbs publish an event after they change state; apps above the core (escalation, ...)
subscribe in their AppConfig.ready(). Subscribers run synchronously inside the publishing
verb's transaction, so whatever they write (timers, outbox rows) commits or rolls back with
the change itself. A subscriber must not do I/O: effects leave after commit, via the worker.

Work apps, which may not import one another, talk the same way: fieldwork publishes a visit
left unresolved (its event's data carries the next step and when it is due) and escalation,
named by the catalogue's reaction, starts a chain from it.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction


class EventKind(StrEnum):
    """Every kind of domain event there is. Whatever reacts to events names them from here."""

    OPENED = "ticket.opened"
    ACKNOWLEDGED = "ticket.acknowledged"
    EDITED = "ticket.edited"
    COMMENTED = "ticket.commented"
    CALL = "ticket.call"
    CONCLUSION = "ticket.conclusion"
    RESOLVED = "ticket.resolved"
    CLOSED = "ticket.closed"
    AUTO_CLOSE_REMINDER = "ticket.auto_close_reminder"
    AUTO_CLOSED = "ticket.auto_closed"
    REOPENED = "ticket.reopened"
    ESCALATED = "ticket.escalated"
    CLOCK_BREACHED = "ticket.clock_breached"
    HANDOFF_PROPOSED = "handoff.proposed"
    HANDOFF_ACCEPTED = "handoff.accepted"
    HANDOFF_DECLINED = "handoff.declined"
    HANDOFF_CANCELLED = "handoff.cancelled"
    # Site visits on a ticket (caredesk.fieldwork): each step is told like a ticket verb.
    VISIT_PLANNED = "visit.planned"
    VISIT_CANCELLED = "visit.cancelled"
    VISIT_TRAVEL_STARTED = "visit.travel_started"
    VISIT_ARRIVED = "visit.arrived"
    VISIT_LEFT = "visit.left"  # resolved on site
    VISIT_LEFT_UNRESOLVED = "visit.left_unresolved"  # unresolved or needing parts: a next step
    VISIT_CONFIRMED = "visit.confirmed"
    # complaints (caredesk.complaints): each step of a complaint, told on its main (first
    # linked) ticket with "complaint_id" in the data. A missed deadline starts an escalation
    # chain; meeting it, extending it or ending the complaint stops the chain ("answered").
    COMPLAINT_OPENED = "complaint.opened"
    COMPLAINT_ACKNOWLEDGED = "complaint.acknowledged"
    COMPLAINT_CALLED_BACK = "complaint.called_back"
    COMPLAINT_WORKED = "complaint.worked"  # a note, the root cause, a corrective action
    COMPLAINT_RESPONDED = "complaint.responded"
    COMPLAINT_EXTENDED = "complaint.extended"
    COMPLAINT_OVERDUE = "complaint.overdue"
    COMPLAINT_WITHDRAWN = "complaint.withdrawn"
    # {"complaint_id", "complainant_id" (Person id or None), "ticket_ids", "handler_id"}
    COMPLAINT_CLOSED = "complaint.closed"
    COMPLAINT_REOPENED = "complaint.reopened"
    # satisfaction: a low survey score opened a follow-up for the service manager
    SURVEY_LOW_SCORE = "survey.low_score"
    # ---- change requests (caredesk.fieldwork.changes) ----
    # Told on each ticket an emergency change answers: its deadline to be authorised passed
    # (escalation starts the change chain), and it was authorised (the chain stops).
    CHANGE_AUTHORISATION_OVERDUE = "change.authorisation_overdue"
    CHANGE_AUTHORISED = "change.authorised"
    # ---- end of change requests ----


@dataclass(frozen=True)
class Reactions:
    """What follows an event of one kind, read by the apps that react (one table, not free
    strings in each of them).

    subscription: the stakeholder subscription (stakeholders.Subscription) whose subscribers
        hear of it — set only for customer-facing kinds; template: the customer's message;
    timeline: the timeline entry kind the event writes (its text is what messages quote);
    reindex: the ticket's search document is rebuilt;
    escalation: how the escalation engine reacts (a name in escalation.engine.REACTIONS).
    """

    subscription: str = ""
    template: str = ""
    timeline: str = ""
    reindex: bool = False
    escalation: str = ""


K = EventKind
CATALOGUE: dict[EventKind, Reactions] = {
    K.OPENED: Reactions("opened", "ticket_opened", "opened", True, "opened"),
    K.ACKNOWLEDGED: Reactions(
        "acknowledged", "ticket_acknowledged", "acknowledged", False, "acknowledged"
    ),
    K.EDITED: Reactions("", "", "edited", True, "edited"),
    K.COMMENTED: Reactions("reply", "ticket_reply", "comment", True, "worked"),
    K.CALL: Reactions("", "", "call", False, "worked"),
    K.CONCLUSION: Reactions(
        "conclusion_changed", "ticket_conclusion", "conclusion", False, "worked"
    ),
    K.RESOLVED: Reactions("resolved", "ticket_resolved", "resolved", False, "resolved"),
    K.CLOSED: Reactions("closed", "ticket_closed", "closed"),
    K.AUTO_CLOSE_REMINDER: Reactions("", "", "auto_close_reminder"),
    K.AUTO_CLOSED: Reactions("closed", "ticket_auto_closed", "auto_closed"),
    K.REOPENED: Reactions("reopened", "ticket_reopened", "reopened", False, "reopened"),
    K.ESCALATED: Reactions("escalated", "ticket_escalated", "escalated"),
    K.CLOCK_BREACHED: Reactions("", "", "clock_breached"),
    K.HANDOFF_PROPOSED: Reactions("", "", "handoff_proposed", False, "handoff_proposed"),
    K.HANDOFF_ACCEPTED: Reactions(
        "owner_changed", "owner_changed", "handoff_accepted", True, "handoff_ended"
    ),
    K.HANDOFF_DECLINED: Reactions("", "", "handoff_declined", False, "handoff_ended"),
    K.HANDOFF_CANCELLED: Reactions("", "", "handoff_cancelled", False, "handoff_ended"),
    K.VISIT_PLANNED: Reactions("site_visit", "visit_planned", "visit_planned"),
    K.VISIT_CANCELLED: Reactions("site_visit", "visit_cancelled", "visit_cancelled"),
    K.VISIT_TRAVEL_STARTED: Reactions("", "", "visit_travel"),
    K.VISIT_ARRIVED: Reactions("", "", "visit_arrived", False, "visit_arrived"),
    K.VISIT_LEFT: Reactions("site_visit", "visit_left", "visit_left"),
    K.VISIT_LEFT_UNRESOLVED: Reactions(
        "site_visit", "visit_left", "visit_left", False, "visit_unresolved"
    ),
    K.VISIT_CONFIRMED: Reactions("", "", "visit_confirmed"),
    # complaints
    K.COMPLAINT_OPENED: Reactions(),
    K.COMPLAINT_ACKNOWLEDGED: Reactions(escalation="complaint_answered"),
    K.COMPLAINT_CALLED_BACK: Reactions(escalation="complaint_answered"),
    K.COMPLAINT_WORKED: Reactions(),
    K.COMPLAINT_RESPONDED: Reactions(escalation="complaint_answered"),
    K.COMPLAINT_EXTENDED: Reactions(escalation="complaint_answered"),
    K.COMPLAINT_OVERDUE: Reactions(escalation="complaint_overdue"),
    K.COMPLAINT_WITHDRAWN: Reactions(escalation="complaint_answered"),
    K.COMPLAINT_CLOSED: Reactions(escalation="complaint_answered"),
    K.COMPLAINT_REOPENED: Reactions(),
    # satisfaction
    K.SURVEY_LOW_SCORE: Reactions(),
    # ---- change requests (caredesk.fieldwork.changes) ----
    K.CHANGE_AUTHORISATION_OVERDUE: Reactions(escalation="change_unauthorised"),
    K.CHANGE_AUTHORISED: Reactions(escalation="change_authorised"),
    # ---- end of change requests ----
}
del K


def reactions(kind: str) -> Reactions:
    """The reactions to `kind`; an unknown kind is a programming error, not an empty row."""
    return CATALOGUE[EventKind(kind)]


@dataclass(frozen=True)
class Event:
    kind: str  # an EventKind value: "ticket.opened", "handoff.proposed", …
    ticket_id: int
    actor_id: int | None
    at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)
    # The ticket as the verb left it (saved), so subscribers need not read it again.
    ticket: Any = field(default=None, compare=False, repr=False)
    actor: Any = field(default=None, compare=False, repr=False)  # the Person, when known


Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []


def subscribe(fn: Subscriber) -> Subscriber:
    """Register `fn` for every event (use as a decorator). Idempotent per function."""
    if fn not in _subscribers:
        _subscribers.append(fn)
    return fn


def publish(event: Event) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events.publish() must run inside the change's transaction")
    EventKind(event.kind)  # a kind outside the catalogue fails here, loudly
    for fn in list(_subscribers):
        fn(event)
