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
    now = now or wallclock.now()
    runs = list(
        EscalationRun.objects.select_related("handoff__to_person")
        .filter(ticket=ticket)
        .order_by("-started_at", "-pk")
    )
    active = [r for r in runs if r.state == RunState.ACTIVE]
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
    # Spent: the highest level any chain called (the latest chain's on a tie).
    top = None
    for run in runs:
        for index, state in enumerate(run.step_states):
            called = state == "fired" and run.steps[index]["target"] not in NOT_ESCALATIONS
            if called and (top is None or index > top[1]):
                top = (run, index)
    if top is not None:
        run, index = top
        person = engine.resolve_target(ticket, run.steps[index]["target"], run, now)
        if person is not None:
            return NextEscalation(person, run.steps[index]["target"], index + 1, None, True)
    manager = engine.role_holder(ticket, Role.SERVICE_MANAGER)
    if manager is not None and manager.pk != ticket.owner_id:
        return NextEscalation(manager, StepTarget.SERVICE_MANAGER, None, None)
    return None


@dataclass(frozen=True)
class Contact:
    role: str  # owner, primary, backup, service_manager; "next": only called next
    person: Person
    next: NextEscalation | None = None  # set on the person escalation reaches next


def contacts_card(ticket: Ticket, now: dt.datetime | None = None) -> list[Contact]:
    """The escalation contacts card: owner, matrix engineer and backup, service manager —
    each person once — and whom escalation reaches next, marked on their own line when they
    are already listed."""
    upcoming = next_escalation(ticket, now)
    contacts = []
    for role, person in ticket_selectors.escalation_contacts(ticket):
        is_next = upcoming is not None and upcoming.person.pk == person.pk
        contacts.append(Contact(role, person, upcoming if is_next else None))
    if upcoming is not None and not any(c.next for c in contacts):
        contacts.append(Contact("next", upcoming.person, upcoming))
    return contacts
