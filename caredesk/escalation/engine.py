"""Escalation chains: started by ticket events, fired by durable timers, stopped by the event
that answers them (acknowledged, hand-off decided, resolved, back on site).

A chain freezes its policy's steps when it starts. Each step is one timer; firing.py decides
due steps (re-checking each condition on the ticket as it is now), records them on the
timeline and queues the messages — all in the timer's transaction. This module chooses and
starts chains, resolves targets and conditions, and follows the ticket's events.
"""

import datetime as dt

from django.db.models import Prefetch

from caredesk import events
from caredesk.calendars.worktime import WorkingTime
from caredesk.directory import refdata
from caredesk.directory.models import Person
from caredesk.events import EventKind
from caredesk.tickets import rules as ticket_rules
from caredesk.tickets import selectors as ticket_selectors
from caredesk.tickets.models import Handoff, HandoffStatus, Status, Ticket
from caredesk.timers import services as timers

from . import clocks, rosters
from .models import (
    ClockState,
    EscalationPolicy,
    EscalationRun,
    EscalationStep,
    RunState,
    StepCondition,
    StepTarget,
    TicketClock,
    Trigger,
)

STEP = "escalation.step"
# Clock names inside message texts, per recipient language.
CLOCK_LABELS = {
    "acknowledge": {"zh-hans": "确认受理", "en": "acknowledge"},
    "respond": {"zh-hans": "响应", "en": "respond"},
    "restore": {"zh-hans": "恢复", "en": "restore"},
    "resolve": {"zh-hans": "解决", "en": "resolve"},
}
CLOCK_CONDITIONS = {StepCondition.CLOCK_AT_RISK, StepCondition.CLOCK_BREACHED}
# A visit chain's conditions: the visit left unresolved (its steps wait after one another, from
# the moment the engineer left) and its next step overdue (its steps wait after the time the
# next step was due). Both hold while the chain runs and the ticket is open: the chain itself
# stops when someone is back on site or the ticket is resolved.
VISIT_CONDITIONS = {StepCondition.VISIT_UNRESOLVED, StepCondition.NEXT_STEP_OVERDUE}
# Steps that remind people already on the ticket rather than call someone new in: they are
# not "next escalation" and the customer is not told of them.
NOT_ESCALATIONS = {
    StepTarget.OWNER,
    StepTarget.HANDOFF_TARGET,
    StepTarget.NEXT_STEP_OWNER,
    StepTarget.COMPLAINT_HANDLER,
}


# ------------------------------------------------------------------ choosing and starting


def _active_policies() -> dict:
    """Active policies by trigger, and each one's steps frozen in order, by policy id."""
    by_trigger: dict[str, list[EscalationPolicy]] = {}
    steps: dict[int, list[dict]] = {}
    policies = EscalationPolicy.objects.filter(active=True).prefetch_related(
        Prefetch("steps", queryset=EscalationStep.objects.order_by("order"))
    )
    for p in policies:
        by_trigger.setdefault(p.trigger, []).append(p)
        steps[p.pk] = [s.frozen() for s in p.steps.all()]
    return {"by_trigger": by_trigger, "steps": steps}


def policy_for(ticket: Ticket, trigger: str) -> EscalationPolicy | None:
    """The most specific active policy: the customer's own (nearest up the hierarchy) before
    the default, a severity-specific one before one for any severity."""
    lineage = refdata.lineage(ticket.customer_org_id)
    ranked = []
    for p in refdata.get("escalation-policies", _active_policies)["by_trigger"].get(trigger, ()):
        if p.severity and p.severity != ticket.severity:
            continue
        if p.customer_org_id is not None and p.customer_org_id not in lineage:
            continue
        org_rank = lineage.index(p.customer_org_id) if p.customer_org_id else len(lineage)
        ranked.append((org_rank, 0 if p.severity else 1, p.pk, p))
    return min(ranked)[3] if ranked else None


def start_run(ticket: Ticket, trigger: str, now: dt.datetime, handoff_id=None, cause=None):
    policy = policy_for(ticket, trigger)
    if policy is None:
        return None
    frozen = refdata.get("escalation-policies", _active_policies)["steps"][policy.pk]
    steps = [{**s, "channels": list(s["channels"])} for s in frozen]
    if not steps:
        return None
    run = EscalationRun.objects.create(
        ticket=ticket,
        policy_name=policy.name,
        trigger=trigger,
        handoff_id=handoff_id,
        cause=cause or {},
        steps=steps,
        step_states=["pending"] * len(steps),
        started_at=now,
    )
    _schedule_steps(run, now)
    return run


def _schedule_steps(run: EscalationRun, now: dt.datetime) -> None:
    """Time steps wait after the previous one; clock steps wait after their clock reaches its
    threshold (and are left unscheduled while the clock is paused); overdue next-step steps
    wait after the time the next step was due (the run's cause)."""
    due = run.started_at
    clock_rows = {c.kind: c for c in TicketClock.objects.filter(ticket_id=run.ticket_id)}
    for index, step in enumerate(run.steps):
        if run.step_states[index] != "pending":
            continue
        wait = dt.timedelta(minutes=step["wait_minutes"])
        if step["condition"] in CLOCK_CONDITIONS:
            c = clock_rows.get(step["clock"])
            reach = clocks.moment_at(c, step["percent"] / 100) if c else None
            if reach is None:
                continue
            at = max(reach, now) + wait
        elif step["condition"] == StepCondition.NEXT_STEP_OVERDUE:
            if not run.cause.get("due_at"):
                continue
            at = max(dt.datetime.fromisoformat(run.cause["due_at"]), now) + wait
        else:
            due = due + wait
            at = due
        timers.schedule(kind=STEP, subject=run.pk, due_at=at, payload={"step": index})


def reschedule_clock_steps(ticket_id: int, now: dt.datetime) -> None:
    """A clock paused or resumed: the moments its thresholds are reached moved."""
    for run in EscalationRun.objects.filter(
        ticket_id=ticket_id, trigger=Trigger.CLOCK, state=RunState.ACTIVE
    ):
        timers.cancel(subject=run.pk, kind=STEP)
        _schedule_steps(run, now)


def stop_runs(
    ticket_id: int,
    triggers: set[str],
    reason: str,
    now: dt.datetime,
    handoff_id=None,
    change_id=None,
):
    runs = EscalationRun.objects.filter(
        ticket_id=ticket_id, trigger__in=triggers, state=RunState.ACTIVE
    )
    if handoff_id is not None:
        runs = runs.filter(handoff_id=handoff_id)
    if change_id is not None:  # an emergency change's chain, among the ticket's others
        runs = runs.filter(cause__change=change_id)
    for run in runs:
        timers.cancel(subject=run.pk, kind=STEP)
        run.step_states = ["cancelled" if s == "pending" else s for s in run.step_states]
        run.state, run.ended_at, run.end_reason = RunState.STOPPED, now, reason
        run.save(update_fields=["step_states", "state", "ended_at", "end_reason"])


# ------------------------------------------------------------------ targets and conditions


def role_holder(ticket: Ticket, role: str) -> Person | None:
    """Who stands on a ladder rung for the ticket (the role assignments; tickets.selectors)."""
    return ticket_selectors.ladder_holder(ticket, role)


def resolve_target(ticket: Ticket, target: str, run: EscalationRun, now: dt.datetime):
    if target == StepTarget.OWNER:
        return ticket.owner
    if target == StepTarget.HANDOFF_TARGET:
        return run.handoff.to_person if run.handoff_id else None
    if target == StepTarget.NEXT_STEP_OWNER:
        pk = run.cause.get("next_step_owner")
        return Person.objects.filter(pk=pk).first() if pk else None
    if target == StepTarget.COMPLAINT_HANDLER:
        pk = run.cause.get("handler_id")
        return Person.objects.filter(pk=pk).first() if pk else None
    if target == StepTarget.BACKUP:
        return ticket_selectors.backup_for(ticket)
    if target == StepTarget.ONCALL:
        team = ticket.team or rosters.team_for(ticket.product_id, ticket.region_id)
        return rosters.on_call(team, now)[0] if team else None
    return role_holder(ticket, target)


def condition_holds(ticket: Ticket, step: dict, run: EscalationRun, now: dt.datetime) -> bool:
    condition = step["condition"]
    if condition in VISIT_CONDITIONS:
        return ticket.is_open
    if condition == StepCondition.COMPLAINT_OVERDUE:
        # The complaint app stops the chain when the deadline is met, moved or the complaint
        # ends (escalation never reads complaints' tables): while it runs, it holds.
        return True
    if condition == StepCondition.CHANGE_UNAUTHORISED:
        return True  # the chain itself stops when the change is authorised
    if condition == StepCondition.NOT_ACKNOWLEDGED:
        return ticket.status in ticket_rules.ACKNOWLEDGEABLE
    if condition == StepCondition.HANDOFF_NOT_ACCEPTED:
        return (
            run.handoff_id is not None
            and Handoff.objects.filter(pk=run.handoff_id, status=HandoffStatus.PENDING).exists()
        )
    c = (
        TicketClock.objects.select_related("calendar")
        .filter(ticket=ticket, kind=step["clock"])
        .first()
    )
    if c is None or c.state == ClockState.STOPPED:
        return False
    threshold = c.target_seconds * step["percent"] / 100
    return clocks.elapsed(c, now, WorkingTime.of(c.calendar)) >= threshold


# ------------------------------------------------------------------ reacting to ticket events


def _ticket(event: events.Event) -> Ticket:
    return event.ticket or Ticket.objects.get(pk=event.ticket_id)


def _on_opened(event: events.Event) -> None:
    ticket = _ticket(event)
    clocks.start_clocks(ticket, event.at)
    start_run(ticket, Trigger.OPENED, event.at)
    start_run(ticket, Trigger.CLOCK, event.at)


def _on_acknowledged(event: events.Event) -> None:
    clocks.stop(event.ticket_id, {"acknowledge"}, event.at)
    stop_runs(event.ticket_id, {Trigger.OPENED}, "acknowledged", event.at)


def _on_handoff_proposed(event: events.Event) -> None:
    start_run(_ticket(event), Trigger.HANDOFF, event.at, handoff_id=event.data["handoff"])


def _on_handoff_ended(event: events.Event) -> None:
    reason = event.kind.split(".")[1]  # accepted, declined, cancelled
    stop_runs(
        event.ticket_id, {Trigger.HANDOFF}, reason, event.at, handoff_id=event.data["handoff"]
    )


def _on_worked(event: events.Event) -> None:
    """A public reply by staff, an answered call or a conclusion is the response; a customer's
    reply may end the wait for them."""
    kind, data = event.kind, event.data
    responded = (
        (kind == EventKind.COMMENTED and data["public"] and not data["by_customer"])
        or (kind == EventKind.CALL and data["outcome"] == "answered")
        or kind == EventKind.CONCLUSION
    )
    if responded:
        clocks.stop(event.ticket_id, {"respond"}, event.at)
    if kind == EventKind.COMMENTED and data["by_customer"]:
        _follow_status(event.ticket_id, event.at)


def _on_edited(event: events.Event) -> None:
    if "status" in event.data.get("changes", {}):
        _follow_status(event.ticket_id, event.at)


def _on_resolved(event: events.Event) -> None:
    clocks.stop(event.ticket_id, {"acknowledge", "respond", "restore", "resolve"}, event.at)
    stop_runs(event.ticket_id, set(Trigger.values), "resolved", event.at)


def _on_reopened(event: events.Event) -> None:
    tid, now = event.ticket_id, event.at
    clocks.resume(tid, now, kinds={"restore", "resolve"})
    # Reopened means not acknowledged again: the clock says so, as the chain does.
    clocks.restart(tid, {"acknowledge"}, now)
    ticket = _ticket(event)
    # Resolving stopped every chain; the reopened ticket gets fresh ones.
    start_run(ticket, Trigger.OPENED, now)
    start_run(ticket, Trigger.CLOCK, now)


def _on_visit_unresolved(event: events.Event) -> None:
    """An engineer left the site without resolving the problem (fieldwork tells it through
    the event; escalation never reads fieldwork's tables): the visit chain starts from what
    the event carries — the next step, who does it, by when — replacing the chain of an
    earlier visit, whose next step this visit was."""
    stop_runs(event.ticket_id, {Trigger.VISIT}, "left unresolved again", event.at)
    cause = {k: v for k, v in event.data.items() if k != "message"}
    start_run(_ticket(event), Trigger.VISIT, event.at, cause=cause)


def _on_visit_arrived(event: events.Event) -> None:
    """Someone is back on site: the next step of the visit left unresolved is being taken."""
    stop_runs(event.ticket_id, {Trigger.VISIT}, "back on site", event.at)


# complaints: a complaint's missed deadline starts a chain on its main ticket; the event that
# meets the deadline (or moves it, or ends the complaint) stops it. Escalation never reads
# complaints' tables: the event's data carries the complaint, the deadline and the handler.
def _complaint_runs(event: events.Event):
    return [
        run
        for run in EscalationRun.objects.filter(
            ticket_id=event.ticket_id, trigger=Trigger.COMPLAINT, state=RunState.ACTIVE
        )
        if run.cause.get("complaint_id") == event.data["complaint_id"]
    ]


def _stop_complaint_runs(event: events.Event, deadlines, reason: str) -> None:
    for run in _complaint_runs(event):
        if deadlines is None or run.cause.get("deadline") in deadlines:
            timers.cancel(subject=run.pk, kind=STEP)
            run.step_states = ["cancelled" if s == "pending" else s for s in run.step_states]
            run.state, run.ended_at, run.end_reason = RunState.STOPPED, event.at, reason
            run.save(update_fields=["step_states", "state", "ended_at", "end_reason"])


def _on_complaint_overdue(event: events.Event) -> None:
    _stop_complaint_runs(event, {event.data["deadline"]}, "missed again")
    start_run(_ticket(event), Trigger.COMPLAINT, event.at, cause=dict(event.data))


def _on_complaint_answered(event: events.Event) -> None:
    """data["answered"]: the deadlines met or moved; absent when the complaint ended."""
    answered = event.data.get("answered")
    _stop_complaint_runs(event, set(answered) if answered is not None else None, event.kind)


# ---- change requests (caredesk.fieldwork.changes) ----
def _on_change_unauthorised(event: events.Event) -> None:
    """An emergency change this ticket answers was not authorised by its deadline (fieldwork
    tells it through the event): the change chain starts from what the event carries."""
    cause = {**event.data, "kind": "change"}
    start_run(_ticket(event), Trigger.CHANGE, event.at, cause=cause)


def _on_change_authorised(event: events.Event) -> None:
    """The emergency change was authorised after all: its chain stops."""
    stop_runs(
        event.ticket_id, {Trigger.CHANGE}, "authorised", event.at, change_id=event.data["change"]
    )


# ---- end of change requests ----


# The engine's reactions, named by the event catalogue (caredesk.events.CATALOGUE).
REACTIONS = {
    "opened": _on_opened,
    "acknowledged": _on_acknowledged,
    "handoff_proposed": _on_handoff_proposed,
    "handoff_ended": _on_handoff_ended,
    "worked": _on_worked,
    "edited": _on_edited,
    "resolved": _on_resolved,
    "reopened": _on_reopened,
    "visit_unresolved": _on_visit_unresolved,
    "visit_arrived": _on_visit_arrived,
    "complaint_overdue": _on_complaint_overdue,
    "complaint_answered": _on_complaint_answered,
    "change_unauthorised": _on_change_unauthorised,
    "change_authorised": _on_change_authorised,
}


@events.subscribe
def on_ticket_event(event: events.Event) -> None:
    reaction = events.reactions(event.kind).escalation
    if reaction:
        REACTIONS[reaction](event)


def _follow_status(ticket_id: int, now: dt.datetime) -> None:
    """Waiting for the customer pauses the clocks; any other working status runs them."""
    status = Ticket.objects.values_list("status", flat=True).get(pk=ticket_id)
    if status == Status.WAITING_CUSTOMER:
        clocks.pause(ticket_id, now)
    else:
        clocks.resume(ticket_id, now)
    reschedule_clock_steps(ticket_id, now)
