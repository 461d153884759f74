"""Escalation chains: started by ticket events, fired by durable timers, stopped by the event
that answers them (acknowledged, hand-off decided, resolved).

A chain freezes its policy's steps when it starts. Each step is one timer; when it fires, the
step re-checks its condition on the ticket as it is now, then records the escalation on the
timeline and queues a message per channel to its target — all in the timer's transaction.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation

from caredesk import clock as wallclock
from caredesk import events
from caredesk.directory import refdata
from caredesk.directory.models import Person, Role
from caredesk.notify import addressing, outbox
from caredesk.tickets import services as ticket_services
from caredesk.tickets.models import Handoff, HandoffStatus, Status, Ticket
from caredesk.timers import services as timers

from . import clocks, rosters
from .calendars import WorkingTime
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
# Steps that remind people already on the ticket rather than call someone new in: they are
# not "next escalation" and the customer is not told of them.
NOT_ESCALATIONS = {StepTarget.OWNER, StepTarget.HANDOFF_TARGET}


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


def start_run(ticket: Ticket, trigger: str, now: dt.datetime, handoff_id=None):
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
        steps=steps,
        step_states=["pending"] * len(steps),
        started_at=now,
    )
    _schedule_steps(run, now)
    return run


def _schedule_steps(run: EscalationRun, now: dt.datetime) -> None:
    """Time steps wait after the previous one; clock steps wait after their clock reaches its
    threshold (and are left unscheduled while the clock is paused)."""
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


def stop_runs(ticket_id: int, triggers: set[str], reason: str, now: dt.datetime, handoff_id=None):
    runs = EscalationRun.objects.filter(
        ticket_id=ticket_id, trigger__in=triggers, state=RunState.ACTIVE
    )
    if handoff_id is not None:
        runs = runs.filter(handoff_id=handoff_id)
    for run in runs:
        timers.cancel(subject=run.pk, kind=STEP)
        run.step_states = ["cancelled" if s == "pending" else s for s in run.step_states]
        run.state, run.ended_at, run.end_reason = RunState.STOPPED, now, reason
        run.save(update_fields=["step_states", "state", "ended_at", "end_reason"])


# ------------------------------------------------------------------ targets and conditions


def role_holder(ticket: Ticket, role: str) -> Person | None:
    if role == Role.SERVICE_MANAGER and ticket.region.service_manager_id:
        manager = ticket.region.service_manager
        if manager.is_active:
            return manager
    return (
        Person.objects.filter(role=role, is_active=True, organisation_id=ticket.office_id)
        .order_by("pk")
        .first()
    )


def resolve_target(ticket: Ticket, target: str, run: EscalationRun, now: dt.datetime):
    if target == StepTarget.OWNER:
        return ticket.owner
    if target == StepTarget.HANDOFF_TARGET:
        return run.handoff.to_person if run.handoff_id else None
    if target == StepTarget.BACKUP:
        primary_id, backup_id, _manager = refdata.matrix_ids(ticket.product_id, ticket.region_id)
        people = Person.objects.in_bulk([pk for pk in (primary_id, backup_id) if pk is not None])
        backup = people.get(backup_id)
        if backup and backup.is_active and backup.pk != ticket.owner_id:
            return backup
        return people.get(primary_id) if primary_id != ticket.owner_id else None
    if target == StepTarget.ONCALL:
        team = ticket.team or rosters.team_for(ticket.product_id, ticket.region_id)
        return rosters.on_call(team, now)[0] if team else None
    return role_holder(ticket, target)


def condition_holds(ticket: Ticket, step: dict, run: EscalationRun, now: dt.datetime) -> bool:
    condition = step["condition"]
    if condition == StepCondition.NOT_ACKNOWLEDGED:
        return ticket.status in (Status.NEW, Status.REOPENED)
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


# ------------------------------------------------------------------ firing

# A step the worker reaches more than this after its due time was missed (the worker was down
# or far behind). When several steps of one chain are missed at once, the chain catches up.
LATE = dt.timedelta(minutes=5)


@dataclass
class _Due:
    """A pending step whose timer is due, and what became of it."""

    run: EscalationRun
    index: int
    due_at: dt.datetime
    action_id: int
    target: Person | None = None
    holds: bool = False
    outcome: str = "skipped"  # fired, skipped or caught_up
    caught_up: list["_Due"] = field(default_factory=list)

    @property
    def step(self) -> dict:
        return self.run.steps[self.index]


def _due_steps(ticket_id: int, now: dt.datetime) -> dict[int, list[_Due]]:
    """Every pending step of the ticket's running chains whose timer is due, per chain, in
    step order — read under row locks (the ticket first, then its chains, as the ticket verbs
    that stop chains do), so two workers never fire from the same chain at once."""
    Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
    runs = {
        r.pk: r
        for r in EscalationRun.objects.select_for_update(of=("self",))
        .select_related("handoff__to_person")
        .filter(ticket_id=ticket_id, state=RunState.ACTIVE)
    }
    due: dict[int, list[_Due]] = {}
    for action in timers.pending_for_subjects(kind=STEP, subjects=[str(pk) for pk in runs]):
        run, index = runs[int(action.subject)], action.payload["step"]
        if action.due_at > now or run.step_states[index] != "pending":
            continue
        if any(d.index == index for d in due.get(run.pk, ())):
            continue  # rescheduled: one step, one decision
        due.setdefault(run.pk, []).append(_Due(run, index, action.due_at, action.pk))
    for items in due.values():
        items.sort(key=lambda d: d.index)
    return due


def _decide(ticket: Ticket, items: list[_Due], now: dt.datetime) -> None:
    """Fire or skip each due step of one chain. Steps missed together (the worker was away)
    catch up: the highest step whose condition holds fires, the ones below it are recorded as
    caught up, and the steps above it that no longer hold are skipped."""
    for d in items:
        d.target = resolve_target(ticket, d.step["target"], d.run, now)
        d.holds = d.target is not None and condition_holds(ticket, d.step, d.run, now)
    late = len(items) > 1 and any(now - d.due_at > LATE for d in items)
    if not late:
        for d in items:
            d.outcome = "fired" if d.holds else "skipped"
        return
    top = next((d for d in reversed(items) if d.holds), None)
    if top is None:
        return
    top.outcome = "fired"
    for d in items:
        if d.index < top.index and d.holds:
            d.outcome = "caught_up"
            top.caught_up.append(d)


def _when(moment: dt.datetime) -> str:
    return moment.isoformat()


def _local(moment: dt.datetime, person: Person) -> str:
    """A moment as the reader's wall clock shows it, for message texts."""
    try:
        zone = zoneinfo.ZoneInfo(person.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return moment.astimezone(zone).strftime("%m-%d %H:%M")


def _message_context(ticket: Ticket, d: _Due, person: Person, also: list[_Due]) -> dict:
    """What one reader is told of an escalation: the level, whom it calls in and why — and,
    after a catch-up, which levels were missed and when they were due."""
    step = d.step
    with translation.override(person.language):
        target_label = str(StepTarget(step["target"]).label)
    return {
        "number": ticket.number,
        "title": ticket.title,
        "severity": ticket.severity,
        "owner_name": ticket.owner.name,
        "owner_phone": ticket.owner.phone,
        "condition": step["condition"],
        "clock": step["clock"],
        "clock_label": CLOCK_LABELS.get(step["clock"], {}).get(person.language, ""),
        "level": d.index + 1,
        "target_role": step["target"],
        "target_label": target_label,
        "target_name": d.target.name,
        "target_phone": d.target.phone,
        "you_are_target": d.target.pk == person.pk,
        # The other levels this reader is called at in the same go (caught up, or at once).
        "your_levels": sorted(x.index + 1 for x in also),
        "caught_up": [
            {"level": c.index + 1, "target_name": c.target.name, "due": _local(c.due_at, person)}
            for c in d.caught_up
        ],
        "due": _local(d.due_at, person),
        "url": f"{settings.SITE_URL}/t/{ticket.number}/",
    }


def _notify(ticket: Ticket, fired: list[_Due]) -> dict[tuple[int, int], list[dict]]:
    """One message per person for everything that fired now — the targets of the fired steps
    and of the steps caught up under them — through each channel their steps name. A channel
    not set up for them falls back, visibly, to email; channels that land on the same address
    make one message, and a group robot gets one post. Returns, per fired step, how its own
    target was reached: per channel taken, the channels asked for that led there."""
    audience: dict[int, tuple[Person, _Due, list[str]]] = {}
    for d in fired:
        for x in (d, *d.caught_up):
            if not x.target.is_active:
                continue
            person, first, channels = audience.get(x.target.pk, (x.target, d, []))
            if x is d and first.run.pk == d.run.pk and d.index > first.index:
                first = d  # called at two levels at once: the message names the higher
            channels += [c for c in x.step["channels"] if c not in channels]
            audience[x.target.pk] = (person, first, channels)
    messages: dict[str, object] = {}
    reached: dict[tuple[int, int], list[dict]] = {}
    for person, d, channels in audience.values():
        taken: dict[str, addressing.Address] = {}  # by channel asked for
        for channel in channels or ["email"]:
            where = addressing.resolve(person, channel)
            group = where.endpoint is not None and where.channel in addressing.ROBOT_CHANNELS
            key = f"escalation:{d.run.pk}:{d.index}:" + ("" if group else f"p{person.pk}:")
            key += where.key
            if key in messages:
                if where.fell_back:
                    messages[key].add_fallback(where.requested, where.missing)
            else:
                also = [
                    x
                    for f in fired
                    for x in (f, *f.caught_up)
                    if x.target.pk == person.pk and x is not d and x.run.pk == d.run.pk
                ]
                context = _message_context(ticket, d, person, also)
                if group:  # read by the whole group: not addressed to one person
                    context.update(you_are_target=False, your_levels=[])
                messages[key] = outbox.prepare(
                    channel=where.channel,
                    where=where,
                    recipient=person,
                    template="escalation",
                    key=key,
                    topic=f"ticket:{ticket.pk}",
                    context=context,
                    language=person.language,
                )
            taken[channel] = where
        for f in fired:
            if f.target.pk == person.pk:
                reached[(f.run.pk, f.index)] = _deliveries(
                    [
                        taken.get(c) or addressing.resolve(person, c)
                        for c in f.step["channels"] or ["email"]
                    ]
                )
    outbox.enqueue_many(list(messages.values()))
    return reached


def _deliveries(wheres: list[addressing.Address]) -> list[dict]:
    """How one step reached its target, per channel taken: the channels it asked for that
    fell back there, and what they were missing (for the timeline)."""
    ways: dict[str, dict] = {}
    for where in wheres:
        way = ways.setdefault(
            where.channel, {"channel": where.channel, "requested": "", "missing": ""}
        )
        if where.fell_back:
            way["requested"] = ",".join(filter(None, [way["requested"], where.requested]))
            way["missing"] = ",".join(filter(None, [way["missing"], where.missing]))
    return list(ways.values())


def _customer_news(fired: list[_Due]) -> tuple[_Due | None, list[dict]]:
    """The customer hears of one firing once: the first step that calls someone in carries
    the news, naming everyone else called in with it (other chains, levels caught up)."""
    called = [
        x for f in fired for x in (f, *f.caught_up) if x.step["target"] not in NOT_ESCALATIONS
    ]
    if not called:
        return None, []
    lead = next((f for f in fired if f.step["target"] not in NOT_ESCALATIONS), None)
    seen = {lead.target.pk} if lead else set()
    others = []
    for x in called:
        if x.target.pk not in seen:
            seen.add(x.target.pk)
            others.append({"name": x.target.name, "phone": x.target.phone})
    return lead, others


def _record(ticket: Ticket, d: _Due, reached: list[dict], now: dt.datetime, news: tuple) -> None:
    step = d.step
    lead, also_called = news
    data = {
        "run": d.run.pk,
        "step": d.index + 1,
        "policy": d.run.policy_name,
        "condition": step["condition"],
        "clock": step["clock"],
        "target": d.target.pk,
        "target_name": d.target.name,
        "target_phone": d.target.phone,
        "target_role": step["target"],
        "calls_in": step["target"] not in NOT_ESCALATIONS,
        # Whether this entry tells the customer (see _customer_news), and whom else it names.
        "tell_customer": d is lead,
        "also_called": also_called if d is lead else [],
        "channels": step["channels"],
        "deliveries": reached,
        "due_at": _when(d.due_at),
        "late": now - d.due_at > LATE,
        "caught_up": [
            {
                "step": c.index + 1,
                "target_name": c.target.name,
                "target_phone": c.target.phone,
                "target_role": c.step["target"],
                "due_at": _when(c.due_at),
            }
            for c in d.caught_up
        ],
    }
    ticket_services.record_system_event(ticket=ticket, kind="escalated", data=data)


@timers.handler(STEP)
def fire_step(action) -> str:
    """A step's timer is due: decide it together with every other due step of the ticket's
    chains, so a worker back from an outage fires one step per chain, not the whole ladder,
    and tells each person once. Each step is decided once; its timer's later run skips."""
    ticket_id = (
        EscalationRun.objects.filter(pk=action.subject).values_list("ticket_id", flat=True).first()
    )
    if ticket_id is None:
        return "skipped"
    settled = timers.settled_outcome(action)
    if settled is not None:
        return settled  # decided together with an earlier step of this batch
    now = wallclock.now()
    due = _due_steps(ticket_id, now)
    mine = next(
        (d for d in due.get(int(action.subject), ()) if d.index == action.payload["step"]), None
    )
    if mine is None:
        return "skipped"
    ticket = Ticket.objects.select_related("owner", "region__service_manager").get(pk=ticket_id)
    for items in due.values():
        _decide(ticket, items, now)
    fired = [d for items in due.values() for d in items if d.outcome == "fired"]
    reached = _notify(ticket, fired) if fired else {}
    news = _customer_news(fired)
    for d in fired:
        _record(ticket, d, reached.get((d.run.pk, d.index), []), now, news)
    for items in due.values():
        run = items[0].run
        for d in items:
            run.step_states[d.index] = d.outcome
        if "pending" not in run.step_states:
            run.state, run.ended_at, run.end_reason = RunState.FINISHED, now, "all steps done"
        run.save(update_fields=["step_states", "state", "ended_at", "end_reason"])
    # The other timers decided here are done, each with what became of its step.
    timers.settle(
        {d.action_id: d.outcome for items in due.values() for d in items if d is not mine},
        now=now,
    )
    return mine.outcome


# ------------------------------------------------------------------ reacting to ticket events


def _ticket(event: events.Event) -> Ticket:
    return event.ticket or Ticket.objects.get(pk=event.ticket_id)


@events.subscribe
def on_ticket_event(event: events.Event) -> None:
    kind, now, tid = event.kind, event.at, event.ticket_id
    if kind == "ticket.opened":
        ticket = _ticket(event)
        clocks.start_clocks(ticket, now)
        start_run(ticket, Trigger.OPENED, now)
        start_run(ticket, Trigger.CLOCK, now)
    elif kind == "ticket.acknowledged":
        clocks.stop(tid, {"acknowledge"}, now)
        stop_runs(tid, {Trigger.OPENED}, "acknowledged", now)
    elif kind == "handoff.proposed":
        start_run(_ticket(event), Trigger.HANDOFF, now, handoff_id=event.data["handoff"])
    elif kind in ("handoff.accepted", "handoff.declined", "handoff.cancelled"):
        reason = kind.split(".")[1]
        stop_runs(tid, {Trigger.HANDOFF}, reason, now, handoff_id=event.data["handoff"])
    elif kind in ("ticket.commented", "ticket.call", "ticket.conclusion"):
        responded = (
            (kind == "ticket.commented" and event.data["public"] and not event.data["by_customer"])
            or (kind == "ticket.call" and event.data["outcome"] == "answered")
            or kind == "ticket.conclusion"
        )
        if responded:
            clocks.stop(tid, {"respond"}, now)
        if kind == "ticket.commented" and event.data["by_customer"]:
            _follow_status(tid, now)
    elif kind == "ticket.edited" and "status" in event.data.get("changes", {}):
        _follow_status(tid, now)
    elif kind == "ticket.resolved":
        clocks.stop(tid, {"acknowledge", "respond", "restore", "resolve"}, now)
        stop_runs(tid, set(Trigger.values), "resolved", now)
    elif kind == "ticket.reopened":
        clocks.resume(tid, now, kinds={"restore", "resolve"})
        # Reopened means not acknowledged again: the clock says so, as the chain does.
        clocks.restart(tid, {"acknowledge"}, now)
        ticket = _ticket(event)
        # Resolving stopped every chain; the reopened ticket gets fresh ones.
        start_run(ticket, Trigger.OPENED, now)
        start_run(ticket, Trigger.CLOCK, now)


def _follow_status(ticket_id: int, now: dt.datetime) -> None:
    """Waiting for the customer pauses the clocks; any other working status runs them."""
    status = Ticket.objects.values_list("status", flat=True).get(pk=ticket_id)
    if status == Status.WAITING_CUSTOMER:
        clocks.pause(ticket_id, now)
    else:
        clocks.resume(ticket_id, now)
    reschedule_clock_steps(ticket_id, now)
