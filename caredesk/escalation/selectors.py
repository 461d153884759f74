"""Reads of the escalation state shared by the ticket page, the portal and the API: who the
chains call next, and the escalation contacts card built from it."""

import datetime as dt
from dataclasses import dataclass

from caredesk import clock as wallclock
from caredesk.directory.models import Person, Role
from caredesk.tickets import selectors as ticket_selectors
from caredesk.tickets.models import Ticket
from caredesk.timers import services as timers

from . import engine
from .models import ClockState, EscalationRun, RunState, StepTarget, TicketClock

NOT_ESCALATIONS = engine.NOT_ESCALATIONS


@dataclass(frozen=True)
class NextEscalation:
    """Whom escalation reaches next. `spent`: no step is left to fire — the person is the top
    of the ladder (already called at `level`), the one to turn to from here."""

    person: Person
    role: str
    level: int | None
    due_at: dt.datetime | None
    spent: bool = False

    @property
    def role_label(self) -> str:
        return str(StepTarget(self.role).label) if self.role in StepTarget.values else self.role


def _can_still_fire(step: dict, clock_states: dict[str, str]) -> bool:
    """A clock step waits for a clock that still runs (or is paused); a stopped clock never
    reaches its threshold again."""
    if step["condition"] not in engine.CLOCK_CONDITIONS:
        return True
    state = clock_states.get(step["clock"])
    return state is not None and state != ClockState.STOPPED


def next_escalation(ticket: Ticket, now: dt.datetime | None = None) -> NextEscalation | None:
    """The target of the nearest pending step of the ticket's running chains (owner reminders
    left out, and clock steps whose clock has stopped); once every chain is spent, the top of
    the ladder — the highest level called; with no chain at all, the region's service
    manager. Never a level already called while a higher one is still to come."""
    return _escalation_state(ticket, now or wallclock.now())[0]


def _escalation_state(
    ticket: Ticket, now: dt.datetime
) -> tuple[NextEscalation | None, NextEscalation | None]:
    """(whom escalation reaches next, the highest level called so far), from one read."""
    runs = list(
        EscalationRun.objects.select_related("handoff__to_person")
        .filter(ticket=ticket)
        .order_by("-started_at", "-pk")
    )
    top = _top_called(ticket, runs, now)
    upcoming = _next_pending(ticket, [r for r in runs if r.state == RunState.ACTIVE], now)
    if upcoming is None and top is not None:
        upcoming = top
    if upcoming is None:
        manager = engine.role_holder(ticket, Role.SERVICE_MANAGER)
        if manager is not None and manager.pk != ticket.owner_id:
            upcoming = NextEscalation(manager, StepTarget.SERVICE_MANAGER, None, None)
    return upcoming, top


def _next_pending(
    ticket: Ticket, active: list[EscalationRun], now: dt.datetime
) -> NextEscalation | None:
    due = {
        (int(a.subject), a.payload["step"]): a.due_at
        for a in timers.pending_for_subjects(kind=engine.STEP, subjects=[str(r.pk) for r in active])
    }
    clock_states: dict[str, str] | None = None  # read once, when a clock step asks
    pending = []
    for run in active:
        for index, state in enumerate(run.step_states):
            step = run.steps[index]
            if state != "pending" or step["target"] in NOT_ESCALATIONS:
                continue
            if step["condition"] in engine.CLOCK_CONDITIONS and clock_states is None:
                clock_states = dict(
                    TicketClock.objects.filter(ticket=ticket).values_list("kind", "state")
                )
            if not _can_still_fire(step, clock_states or {}):
                continue
            at = due.get((run.pk, index))
            # Scheduled steps by due time; a step waiting on a paused clock comes after them.
            pending.append((at is None, at or now, run.pk, index, run))
    for _unscheduled, _at, _pk, index, run in sorted(pending, key=lambda p: p[:4]):
        person = engine.resolve_target(ticket, run.steps[index]["target"], run, now)
        if person is not None and person.pk != ticket.owner_id:
            return NextEscalation(
                person, run.steps[index]["target"], index + 1, due.get((run.pk, index))
            )
    return None


def _top_called(
    ticket: Ticket, runs: list[EscalationRun], now: dt.datetime
) -> NextEscalation | None:
    """The highest level any chain has called (the latest chain's on a tie), spent=True."""
    top = None
    for run in runs:
        for index, state in enumerate(run.step_states):
            called = state == "fired" and run.steps[index]["target"] not in NOT_ESCALATIONS
            if called and (top is None or index > top[1]):
                top = (run, index)
    if top is None:
        return None
    run, index = top
    person = engine.resolve_target(ticket, run.steps[index]["target"], run, now)
    if person is None:
        return None
    return NextEscalation(person, run.steps[index]["target"], index + 1, None, True)


@dataclass(frozen=True)
class Contact:
    # A rung of the ladder (owner, backup, service_manager, product_leader, spm,
    # account_head); "next": only called next; "escalated_to": the highest level called so
    # far, when nobody above lists them
    role: str
    person: Person
    next: NextEscalation | None = None  # set on the person escalation reaches next
    escalated: NextEscalation | None = None  # set on the highest level called so far
    roles: tuple[str, ...] = ()  # every rung the person holds for this ticket


def contacts_card(ticket: Ticket, now: dt.datetime | None = None) -> list[Contact]:
    """The escalation contacts card: the customer's whole ladder (owner, backup, service
    manager, product leader, SPM, account head — each person once, with every rung held),
    whom escalation reaches next, and the highest level called so far (the customer was told
    of them), each marked on their own line when already listed."""
    upcoming, top = _escalation_state(ticket, now or wallclock.now())
    if top is not None and upcoming is not None and top.person.pk == upcoming.person.pk:
        top = None  # the spent ladder's top is what comes next: one line says it
    contacts = []
    for rung in ticket_selectors.escalation_contacts(ticket):
        person = rung.person
        contacts.append(
            Contact(
                rung.role,
                person,
                upcoming if upcoming and upcoming.person.pk == person.pk else None,
                top if top and top.person.pk == person.pk else None,
                rung.roles,
            )
        )
    if top is not None and not any(c.escalated for c in contacts):
        contacts.append(Contact("escalated_to", top.person, escalated=top, roles=("escalated_to",)))
    if upcoming is not None and not any(c.next for c in contacts):
        contacts.append(Contact("next", upcoming.person, upcoming, roles=("next",)))
    return contacts
