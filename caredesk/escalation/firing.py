"""Firing escalation steps: where an escalation fires.

A step's timer is due: the handler decides it together with every other due step of the
ticket's chains, under row locks. On time, each step fires (or is skipped when its condition
no longer holds). Late — the worker was down or behind — a chain catches up: its highest
holding step fires and the steps missed under it are recorded as caught up, with their due
times. Whatever fired tells each person once, through the channels their steps name (a
channel not set up for them falls back visibly to email), and the timeline records the
channels really taken, when each step was due and when it fired. All in the timer's
transaction.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation

from caredesk import clock as wallclock
from caredesk.directory.models import Person
from caredesk.notify import addressing, outbox
from caredesk.tickets import services as ticket_services
from caredesk.tickets.models import Ticket
from caredesk.timers import services as timers

from .engine import CLOCK_LABELS, NOT_ESCALATIONS, STEP, condition_holds, resolve_target
from .models import EscalationRun, RunState, StepCondition, StepTarget

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


def _message_context(
    ticket: Ticket, d: _Due, person: Person, also: list[_Due], elsewhere: list[_Due] = ()
) -> dict:
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
        # Steps of other chains (another clock's breach) that reach this reader in this message.
        "covers": [
            {
                "level": x.index + 1,
                "condition": x.step["condition"],
                "clock_label": CLOCK_LABELS.get(x.step["clock"], {}).get(person.language, ""),
            }
            for x in sorted(elsewhere, key=lambda x: (x.run.pk, x.index))
        ],
        "caught_up": [
            {"level": c.index + 1, "target_name": c.target.name, "due": _local(c.due_at, person)}
            for c in d.caught_up
        ],
        "due": _local(d.due_at, person),
        "url": f"{settings.SITE_URL}/t/{ticket.number}/",
        # What started the chain, when its event said more than the ticket (a visit left
        # unresolved: who left when, the next step, who does it and by when).
        "cause": _cause(d.run.cause, person),
    }


def _cause(cause: dict, person: Person) -> dict:
    """The run's cause for a message, its moments as the reader's wall clock shows them."""
    moments = {
        key: _local(dt.datetime.fromisoformat(cause[key]), person)
        for key in ("left_at", "due_at")
        if cause.get(key)
    }
    return {**cause, **moments}


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
                # Steps of the ticket's other chains that call this person now: the one
                # message covers them, and says so (the timeline shows each as reached).
                elsewhere = [
                    x
                    for f in fired
                    for x in (f, *f.caught_up)
                    if x.target.pk == person.pk and x.run.pk != d.run.pk
                ]
                context = _message_context(ticket, d, person, also, elsewhere)
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


def _calls_in(d: _Due) -> bool:
    """News for the customer: someone new called in (not a reminder to the owner or the
    proposed new owner), and not over an internal hand-off the customer does not see."""
    step = d.step
    return (
        step["target"] not in NOT_ESCALATIONS
        and step["condition"] != StepCondition.HANDOFF_NOT_ACCEPTED
    )


def _customer_news(fired: list[_Due]) -> tuple[_Due | None, list[dict]]:
    """The customer hears of one firing once: the first step that calls someone in carries
    the news, naming everyone else called in with it (other chains, levels caught up)."""
    lead = next((f for f in fired if _calls_in(f)), None)
    if lead is None:
        return None, []
    seen = {lead.target.pk}
    others = []
    for x in (x for f in fired for x in (f, *f.caught_up) if _calls_in(x)):
        if x.target.pk not in seen:
            seen.add(x.target.pk)
            others.append({"name": x.target.name, "phone": x.target.phone})
    return lead, others


def _entry(d: _Due, reached: list[dict], now: dt.datetime, news: tuple) -> dict:
    """What the timeline entry (and the audit record) of a fired step says."""
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
        "calls_in": _calls_in(d),
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
    return data


@timers.batch_handler(STEP)
def fire_steps(actions) -> list[str]:
    """A worker pass's due step timers, decided per ticket: each ticket's due steps together
    (so a worker back from an outage fires one step per chain, not the whole ladder, and tells
    each person once), its tickets taken in id order. Each step is decided once; a timer of a
    step decided already (another worker's pass took the ticket first, or a rescheduled
    duplicate) says what became of the step."""
    now = wallclock.now()
    runs = {int(a.subject) for a in actions if a.subject.isdigit()}
    ticket_of = dict(EscalationRun.objects.filter(pk__in=runs).values_list("pk", "ticket_id"))
    mine = {a.pk for a in actions}
    outcome: dict[int, str] = {}
    by_ticket = timers.grouped(actions, ticket_of)
    for ticket_id in sorted(by_ticket):
        with timers.traced_as(by_ticket[ticket_id]):
            decided = _fire_ticket(ticket_id, now)
        outcome.update(decided)
        # The ticket's other due timers decided here are done, each with its step's outcome.
        timers.settle({pk: o for pk, o in decided.items() if pk not in mine}, now=now)
    undecided = [a for a in actions if a.pk not in outcome and int(a.subject) in ticket_of]
    states = dict(
        EscalationRun.objects.filter(pk__in={int(a.subject) for a in undecided}).values_list(
            "pk", "step_states"
        )
    )
    for a in undecided:
        state = states.get(int(a.subject)) or []
        index = a.payload["step"]
        decided = state[index] if index < len(state) else ""
        outcome[a.pk] = decided if decided in ("fired", "caught_up") else "skipped"
    return [outcome.get(a.pk, "skipped") for a in actions]


def _fire_ticket(ticket_id: int, now: dt.datetime) -> dict[int, str]:
    """Decide every due step of one ticket's chains; their outcomes by timer id."""
    due = _due_steps(ticket_id, now)
    if not due:
        return {}
    ticket = Ticket.objects.select_related("owner", "region__service_manager").get(pk=ticket_id)
    for items in due.values():
        _decide(ticket, items, now)
    fired = [d for items in due.values() for d in items if d.outcome == "fired"]
    reached = _notify(ticket, fired) if fired else {}
    news = _customer_news(fired)
    ticket_services.record_system_events(
        ticket=ticket,
        happenings=[
            ("escalated", _entry(d, reached.get((d.run.pk, d.index), []), now, news), False)
            for d in fired
        ],
    )
    for items in due.values():
        run = items[0].run
        for d in items:
            run.step_states[d.index] = d.outcome
        if "pending" not in run.step_states:
            run.state, run.ended_at, run.end_reason = RunState.FINISHED, now, "all steps done"
        run.save(update_fields=["step_states", "state", "ended_at", "end_reason"])
    return {d.action_id: d.outcome for items in due.values() for d in items}
