"""SLA clocks: started when a ticket opens, paused while it waits for the customer, stopped by
the event each one measures, and marked breached by a durable timer when time runs out.

What stops which clock:
- acknowledge: the owner acknowledges;
- respond: the first public reply from staff, an answered call, or a technical conclusion;
- restore and resolve: the ticket is resolved (a reopened ticket resumes both).
"""

import datetime as dt
from dataclasses import dataclass

from caredesk import clock as wallclock
from caredesk.calendars.worktime import WorkingTime
from caredesk.directory import refdata
from caredesk.tickets import services as ticket_services
from caredesk.tickets.models import Ticket, Urgency
from caredesk.timers import services as timers

from .models import ClockKind, ClockState, SlaPolicy, TicketClock

BREACH = "clock.breach"


def _sla_policies() -> dict[str, list[SlaPolicy]]:
    by_severity: dict[str, list[SlaPolicy]] = {}
    for p in SlaPolicy.objects.select_related("calendar"):
        by_severity.setdefault(p.severity, []).append(p)
    return by_severity


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The customer's own policy for this severity (nearest organisation up the hierarchy),
    else the default one. (Read-only: it is the process's cached copy.)"""
    lineage = refdata.lineage(ticket.customer_org_id)
    candidates = {
        p.customer_org_id: p
        for p in refdata.get("sla-policies", _sla_policies).get(ticket.severity, ())
        if p.customer_org_id is None or p.customer_org_id in lineage
    }
    for org_id in [*lineage, None]:
        if org_id in candidates:
            return candidates[org_id]
    return None


def elapsed(c: TicketClock, now: dt.datetime, wt: WorkingTime | None = None) -> int:
    if c.state != ClockState.RUNNING or c.running_since is None:
        return c.elapsed_seconds
    wt = wt or WorkingTime.of(c.calendar)
    return c.elapsed_seconds + wt.seconds_between(c.running_since, now)


def moment_at(c: TicketClock, fraction: float, wt: WorkingTime | None = None) -> dt.datetime | None:
    """When a running clock reaches `fraction` of its target (None while paused or stopped)."""
    if c.state != ClockState.RUNNING or c.running_since is None:
        return None
    wt = wt or WorkingTime.of(c.calendar)
    left = max(0.0, c.target_seconds * fraction - c.elapsed_seconds)
    return wt.add(c.running_since, left)


def _arm(c: TicketClock, wt: WorkingTime) -> None:
    """Project the due time and schedule the breach check (once per running segment)."""
    c.due_at = moment_at(c, 1.0, wt)
    if c.due_at and c.breached_at is None:
        timers.schedule(kind=BREACH, subject=c.pk, due_at=c.due_at)


def summarise(
    ticket_id: int, rows: list[TicketClock] | None = None
) -> tuple[int, dt.datetime | None]:
    """Copy onto the ticket where its running clocks put it in the queue: breached (any running
    clock past its target), else due at the earliest projected end, else none running. Called
    by every change of a clock's state, in its transaction; `rows`: all the ticket's clocks as
    just saved, saving a read."""
    if rows is None:
        rows = list(TicketClock.objects.filter(ticket_id=ticket_id, state=ClockState.RUNNING))
    running = [c for c in rows if c.state == ClockState.RUNNING]
    breaches = [c.breached_at for c in running if c.breached_at is not None]
    dues = [c.due_at for c in running if c.due_at is not None] or breaches
    if breaches:
        urgency = Urgency.BREACHED
    elif dues:
        urgency = Urgency.DUE
    else:
        urgency = Urgency.NONE
    next_due_at = min(dues) if dues else None
    ticket_services.set_clock_summary(ticket_id=ticket_id, urgency=urgency, next_due_at=next_due_at)
    return urgency, next_due_at


def start_clocks(ticket: Ticket, now: dt.datetime) -> list[TicketClock]:
    policy = policy_for(ticket)
    if policy is None:
        return []
    wt = WorkingTime.of(policy.calendar)
    made = []
    for kind in ClockKind.values:
        minutes = policy.target_minutes(kind)
        if not minutes:
            continue
        c = TicketClock.objects.create(
            ticket=ticket,
            kind=kind,
            calendar=policy.calendar,
            target_seconds=minutes * 60,
            state=ClockState.RUNNING,
            running_since=now,
            started_at=now,
        )
        _arm(c, wt)
        c.save(update_fields=["due_at"])
        made.append(c)
    ticket.urgency, ticket.next_due_at = summarise(ticket.pk, made)
    return made


def _settle(c: TicketClock, now: dt.datetime, wt: WorkingTime) -> None:
    if c.state == ClockState.RUNNING and c.running_since is not None:
        c.elapsed_seconds += wt.seconds_between(c.running_since, now)
    c.running_since = None
    c.due_at = None
    timers.cancel(subject=c.pk, kind=BREACH)


def stop(ticket_id: int, kinds: set[str], now: dt.datetime) -> None:
    for c in (
        TicketClock.objects.select_related("calendar")
        .filter(ticket_id=ticket_id, kind__in=kinds)
        .exclude(state=ClockState.STOPPED)
    ):
        wt = WorkingTime.of(c.calendar)
        _settle(c, now, wt)
        c.state, c.stopped_at = ClockState.STOPPED, now
        if c.elapsed_seconds > c.target_seconds and c.breached_at is None:
            c.breached_at = now  # the worker was not there to see it: record it late, not never
        c.save()
    summarise(ticket_id)


def restart(ticket_id: int, kinds: set[str], now: dt.datetime) -> None:
    """Start `kinds` afresh, with their whole target (a reopened ticket is acknowledged again,
    so its acknowledge clock runs again rather than standing at "met")."""
    for c in TicketClock.objects.select_related("calendar").filter(
        ticket_id=ticket_id, kind__in=kinds
    ):
        timers.cancel(subject=c.pk, kind=BREACH)
        c.state, c.elapsed_seconds, c.running_since = ClockState.RUNNING, 0, now
        c.started_at, c.stopped_at, c.breached_at = now, None, None
        _arm(c, WorkingTime.of(c.calendar))
        c.save()


def pause(ticket_id: int, now: dt.datetime) -> None:
    for c in TicketClock.objects.select_related("calendar").filter(
        ticket_id=ticket_id, state=ClockState.RUNNING
    ):
        _settle(c, now, WorkingTime.of(c.calendar))
        c.state = ClockState.PAUSED
        c.save()
    summarise(ticket_id, [])  # none is running now


def resume(ticket_id: int, now: dt.datetime, kinds: set[str] | None = None) -> None:
    """Restart paused clocks (and, on reopening, the stopped `kinds`)."""
    rows = list(TicketClock.objects.select_related("calendar").filter(ticket_id=ticket_id))
    for c in rows:
        if c.state == ClockState.PAUSED or (kinds and c.kind in kinds):
            c.state, c.running_since, c.stopped_at = ClockState.RUNNING, now, None
            _arm(c, WorkingTime.of(c.calendar))
            c.save()
    summarise(ticket_id, rows)


@timers.batch_handler(BREACH)
def check_breaches(actions) -> list[str]:
    """Fired at the projected due times: each clock that really ran out says so on its ticket.
    A worker pass's breaches are decided per ticket: its row locked first (as the ticket verbs
    that move clocks lock it), its clocks read after the lock, its summary written once and its
    entries and audit records in one INSERT each."""
    now = wallclock.now()
    wanted = {int(a.subject) for a in actions if a.subject.isdigit()}
    ticket_of = dict(TicketClock.objects.filter(pk__in=wanted).values_list("pk", "ticket_id"))
    outcome: dict[int, str] = {}
    tickets = Ticket.objects.select_for_update().filter(pk__in=set(ticket_of.values()))
    by_ticket = timers.grouped(actions, ticket_of)
    for ticket in tickets.order_by("pk"):
        due = {a.pk: a for a in by_ticket.get(ticket.pk, [])}
        with timers.traced_as(due.values()):
            _breach_ticket(ticket, due, now, outcome)
    return [outcome.get(a.pk, "skipped") for a in actions]


def _breach_ticket(ticket: Ticket, due: dict, now: dt.datetime, outcome: dict[int, str]) -> None:
    """One ticket's due breach timers (its row locked already): mark what really ran out."""
    rows = list(TicketClock.objects.select_related("calendar").filter(ticket_id=ticket.pk))
    breached = []
    for pk, action in due.items():
        c = next((r for r in rows if r.pk == int(action.subject)), None)
        if c is None or c.state != ClockState.RUNNING or c.breached_at is not None:
            continue
        if elapsed(c, now, WorkingTime.of(c.calendar)) < c.target_seconds:
            continue  # paused and resumed since: a newer timer watches it
        c.breached_at = now
        c.save(update_fields=["breached_at"])
        outcome[pk] = "fired"
        breached.append((c, action))
    if not breached:
        return
    summarise(ticket.pk, rows)
    ticket_services.record_system_events(
        ticket=ticket,
        happenings=[
            ("clock_breached", {"clock": c.kind, "due_at": a.due_at.isoformat()}, False)
            for c, a in breached
        ],
    )


@dataclass(frozen=True)
class ClockView:
    kind: str
    label: str
    state: str
    target_seconds: int
    elapsed_seconds: int
    remaining_seconds: int
    due_at: dt.datetime | None
    breached: bool
    met: bool
    calendar: str = ""
    # Counted in the calendar's working hours (not 24×7): time left is working time.
    business_hours: bool = False

    @property
    def level(self) -> str:
        """green / amber / red for the UI: amber from 75 % of the target."""
        if self.breached:
            return "red"
        if self.met or self.elapsed_seconds < 0.75 * self.target_seconds:
            return "green"
        return "amber"


def clocks_of(ticket: Ticket, now: dt.datetime | None = None) -> list[ClockView]:
    now = now or wallclock.now()
    order = {k: i for i, k in enumerate(ClockKind.values)}
    rows = sorted(
        TicketClock.objects.select_related("calendar").filter(ticket=ticket),
        key=lambda c: order[c.kind],
    )
    calendars: dict[int, WorkingTime] = {}
    for c in rows:
        if c.calendar_id not in calendars:
            calendars[c.calendar_id] = WorkingTime.of(c.calendar)
    return [_view(c, now, calendars[c.calendar_id]) for c in rows]


def _view(c: TicketClock, now: dt.datetime, wt: WorkingTime) -> ClockView:
    spent = elapsed(c, now, wt)
    breached = c.breached_at is not None or spent > c.target_seconds
    return ClockView(
        kind=c.kind,
        label=str(ClockKind(c.kind).label),
        state=c.state,
        target_seconds=c.target_seconds,
        elapsed_seconds=spent,
        remaining_seconds=c.target_seconds - spent,
        due_at=c.due_at,
        breached=breached,
        met=c.state == ClockState.STOPPED and not breached,
        calendar=c.calendar.name,
        business_hours=not c.calendar.always_open,
    )


def nearest_for(ticket_ids: list[int], now: dt.datetime | None = None) -> dict[int, ClockView]:
    """For a page of tickets: each one's unfinished clock with the least time left (one query
    for the page, one calendar load per calendar)."""
    now = now or wallclock.now()
    calendars: dict[int, WorkingTime] = {}
    best: dict[int, ClockView] = {}
    for c in TicketClock.objects.select_related("calendar").filter(
        ticket_id__in=ticket_ids, state__in=[ClockState.RUNNING, ClockState.PAUSED]
    ):
        wt = calendars.get(c.calendar_id) or calendars.setdefault(
            c.calendar_id, WorkingTime.of(c.calendar)
        )
        view = _view(c, now, wt)
        current = best.get(c.ticket_id)
        if current is None or view.remaining_seconds < current.remaining_seconds:
            best[c.ticket_id] = view
    return best
