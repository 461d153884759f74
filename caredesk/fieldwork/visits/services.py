"""The verbs of a site visit — the only code that changes one: plan, set off, arrive, leave,
cancel, and the customer's confirmation of the report.

Each locks the ticket and then the visit (always in that order, as the ticket verbs lock the
ticket first), checks the policy, changes the visit, and writes the ticket's timeline entry,
the event and the audit record in one transaction. Times come from the server's clock; the
engineer may state another one (the phone had no signal in the machine room) with a reason,
kept beside the moment it was entered. Leaving without a resolution needs a next step — what,
who, by when — and a message to the customer (seed case 6): the event tells the customer
(through the outbox) and the escalation engine, which tells the service manager and escalates
when the next step's time passes with nobody back on site.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import Person
from caredesk.errors import Conflict, InvalidTransition, StaleVersion
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind
from caredesk.inputs import is_blank, moment_problem, text_problem
from caredesk.tickets import services as ticket_services
from caredesk.tickets.models import EntryKind, Ticket
from caredesk.tickets.rules import Limits

from ..models import NEEDS_NEXT_STEP, Visit, VisitResult, VisitStatus
from . import policy

# How far back a stated time may go (an engineer catching up on the way home), and how far
# ahead a visit or a next step may be planned.
MAX_BACKDATE = dt.timedelta(hours=24)
MAX_AHEAD = dt.timedelta(days=180)
# The statuses each step may be recorded from.
FROM = {
    "travel": {VisitStatus.PLANNED},
    "arrived": {VisitStatus.PLANNED, VisitStatus.TRAVELLING},
    "left": {VisitStatus.ON_SITE},
    "cancel": {VisitStatus.PLANNED, VisitStatus.TRAVELLING},
}


class VisitStale(StaleVersion):
    default_message = _(
        "Someone changed this visit after you loaded it. Reload it and record your step again."
    )


class VisitNotInStep(InvalidTransition):
    code = "visit_invalid_step"
    default_message = _("This step is not possible in the visit's current status.")


class VisitAlreadyConfirmed(Conflict):
    code = "visit_already_confirmed"
    default_message = _("This visit report has already been confirmed.")


class NextStepRequired(Invalid):
    """Leaving unresolved (or needing parts) without the next step, its owner, its time or the
    message to the customer: every missing one is named."""

    code = "next_step_required"


# The fields leaving unresolved requires, with the words the error names them by.
NEXT_STEP_FIELDS = {
    "next_step": _("the next step"),
    "next_step_owner": _("who does it"),
    "next_step_due": _("by when"),
    "customer_message": _("a message to the customer"),
}


# ---------------------------------------------------------------- shared steps


def _locked(visit: Visit | int, version: int | None = None) -> tuple[Visit, Ticket]:
    pk = visit.pk if isinstance(visit, Visit) else visit
    # The ticket first, then the visit: the order every ticket verb locks in (no deadlocks).
    ticket_id = Visit.objects.values_list("ticket_id", flat=True).get(pk=pk)
    ticket = ticket_services.lock_ticket(ticket_id)
    fresh = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("engineer", "next_step_owner")
        .get(pk=pk)
    )
    if version is not None and fresh.version != version:
        raise VisitStale(fields={"version": str(fresh.version)})
    return fresh, ticket


def _text(value: str | None, field: str, *, required: bool, limit: int = Limits.TEXT) -> str:
    text = (value or "").strip()
    if problem := text_problem(text, required=required, max_length=limit):
        raise Invalid(fields={field: problem})
    return text


def _moment(at: dt.datetime, field: str, *, earliest: dt.datetime, latest: dt.datetime) -> None:
    if problem := moment_problem(at):
        raise Invalid(fields={field: problem})
    if at < earliest:
        raise Invalid(fields={field: str(_("Give a later time."))})
    if at > latest:
        raise Invalid(fields={field: str(_("Give an earlier time."))})


def _local(moment: dt.datetime | None) -> str:
    """A moment for a message body, in the installation's zone (Asia/Shanghai by default)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _stamp(
    visit: Visit, step: str, at: dt.datetime | None, reason: str, after: dt.datetime | None
) -> dt.datetime:
    """The time of a step: now by the server's clock, or the time the engineer states — not in
    the future, not before the step before it, at most MAX_BACKDATE ago, and with a reason,
    kept beside the moment it was entered."""
    now = clock.now()
    if at is None:
        if reason and reason.strip():
            raise Invalid(fields={"at": str(_("Give the time the reason is for."))})
        return max(now, after) if after else now
    earliest = max(now - MAX_BACKDATE, after) if after else now - MAX_BACKDATE
    _moment(at, "at", earliest=earliest, latest=now)
    why = _text(reason, "reason", required=True, limit=Limits.REASON)
    visit.corrections = {
        **visit.corrections,
        step: {"recorded_at": now.isoformat(), "stated_at": at.isoformat(), "reason": why},
    }
    return at


def _save(visit: Visit, *fields: str) -> None:
    visit.version += 1
    visit.updated_at = clock.now()
    visit.save(update_fields=[*fields, "version", "updated_at"])


def snapshot(visit: Visit) -> dict[str, Any]:
    """What the audit record keeps of a visit, before and after a step."""
    return {
        "ticket": visit.ticket_id,
        "engineer": visit.engineer_id,
        "status": visit.status,
        "planned_at": visit.planned_at,
        "travel_started_at": visit.travel_started_at,
        "arrived_at": visit.arrived_at,
        "left_at": visit.left_at,
        "result": visit.result,
        "work_done": visit.work_done,
        "next_step": visit.next_step,
        "next_step_owner": visit.next_step_owner_id,
        "next_step_due": visit.next_step_due,
        "customer_message": visit.customer_message,
        "cancel_reason": visit.cancel_reason,
        "corrections": visit.corrections,
        "confirmed_by": visit.confirmed_by_id,
        "confirmed_at": visit.confirmed_at,
        "version": visit.version,
    }


def _entry_data(visit: Visit, **extra) -> dict[str, Any]:
    """A timeline entry's data: what the public timeline shows of the step (the customer reads
    it too: never a correction's reason, only that a time was stated by hand)."""
    return {
        "visit": visit.pk,
        "engineer": visit.engineer_id,
        "engineer_name": visit.engineer.name,
        **extra,
    }


def _tell(
    *,
    actor: Person,
    ticket: Ticket,
    visit: Visit,
    kind: str,
    event: str,
    body: str = "",
    data: dict | None = None,
    event_data: dict | None = None,
    action: str,
    before: dict | None,
) -> None:
    ticket_services.record_work(
        actor=actor,
        ticket=ticket,
        kind=kind,
        event=event,
        body=body,
        data=_entry_data(visit, **(data or {})),
        event_data={"visit": visit.pk, **(event_data or {})},
    )
    audit.record(actor=actor, action=action, obj=visit, before=before, after=snapshot(visit))


def _message(visit: Visit, **words) -> dict[str, str]:
    """The words of the customer's message about the visit (rendered later, per language)."""
    return {
        "engineer_name": visit.engineer.name,
        "engineer_phone": visit.engineer.phone,
        "planned": _local(visit.planned_at),
        **words,
    }


def _require_step(visit: Visit, step: str) -> None:
    if visit.status not in FROM[step]:
        raise VisitNotInStep(fields={"status": visit.status})


# ---------------------------------------------------------------- the verbs


@transaction.atomic
def plan_visit(
    *, actor: Person, ticket: Ticket, engineer: Person, planned_at: dt.datetime, purpose: str
) -> Visit:
    """Plan a visit to the customer's site: who goes, when, what for. The owner (or the
    service manager) plans it while the ticket is open; the customer is told who comes when."""
    ticket = ticket_services.lock_ticket(ticket)
    policy.check_plan(actor, ticket)
    if not ticket.is_open:
        raise InvalidTransition(_("Visits are planned for open tickets only."))
    policy.check_engineer(engineer, ticket)
    now = clock.now()
    _moment(planned_at, "planned_at", earliest=now - MAX_BACKDATE, latest=now + MAX_AHEAD)
    purpose = _text(purpose, "purpose", required=True, limit=Limits.REASON)
    visit = Visit.objects.create(
        ticket=ticket,
        engineer=engineer,
        planned_at=planned_at,
        purpose=purpose,
        planned_by=actor,
        created_at=now,
        updated_at=now,
    )
    _tell(
        actor=actor,
        ticket=ticket,
        visit=visit,
        kind=EntryKind.VISIT_PLANNED,
        event=EventKind.VISIT_PLANNED,
        body=purpose,
        data={"planned_at": planned_at.isoformat()},
        event_data={
            "engineer": engineer.pk,
            "message": _message(visit, text=purpose),
        },
        action="visit.plan",
        before=None,
    )
    return visit


# The steps that only stamp a time: (the visit's time field, the status it leads to, the
# timeline entry, the event, the audit action).
TIMED_STEPS = {
    "travel": (
        "travel_started_at",
        VisitStatus.TRAVELLING,
        EntryKind.VISIT_TRAVEL,
        EventKind.VISIT_TRAVEL_STARTED,
        "visit.travel",
    ),
    "arrived": (
        "arrived_at",
        VisitStatus.ON_SITE,
        EntryKind.VISIT_ARRIVED,
        EventKind.VISIT_ARRIVED,
        "visit.arrive",
    ),
}


def _timed_step(
    step: str,
    *,
    actor: Person,
    visit: Visit,
    at: dt.datetime | None,
    reason: str,
    version: int | None,
) -> Visit:
    visit, ticket = _locked(visit, version)
    policy.check_record(actor, visit, ticket)
    _require_step(visit, step)
    field, status, kind, event, action = TIMED_STEPS[step]
    before = snapshot(visit)
    after = visit.travel_started_at if step == "arrived" else None
    moment = _stamp(visit, step, at, reason, after)
    setattr(visit, field, moment)
    visit.status = status
    _save(visit, field, "status", "corrections")
    _tell(
        actor=actor,
        ticket=ticket,
        visit=visit,
        kind=kind,
        event=event,
        data={"at": moment.isoformat(), "stated": step in visit.corrections},
        action=action,
        before=before,
    )
    return visit


@transaction.atomic
def start_travel(
    *,
    actor: Person,
    visit: Visit,
    at: dt.datetime | None = None,
    reason: str = "",
    version: int | None = None,
) -> Visit:
    """The engineer sets off for the site."""
    return _timed_step("travel", actor=actor, visit=visit, at=at, reason=reason, version=version)


@transaction.atomic
def arrive(
    *,
    actor: Person,
    visit: Visit,
    at: dt.datetime | None = None,
    reason: str = "",
    version: int | None = None,
) -> Visit:
    """Check-in (到站): the engineer is on site (setting off need not be recorded first). Being
    back on site answers the next step of an earlier visit left unresolved: escalation stops
    waiting for it."""
    return _timed_step("arrived", actor=actor, visit=visit, at=at, reason=reason, version=version)


def _missing_words(missing: list[str]) -> str:
    """The refusal naming every missing field (read lazily: in the reader's language)."""
    separator = str(pgettext_lazy("between the items of a list", ", "))
    return _(
        "Leaving the site without a resolution needs the next step, who does it, by when, "
        "and a message to the customer. Missing: %(fields)s."
    ) % {"fields": separator.join(str(NEXT_STEP_FIELDS[f]) for f in missing)}


_missing_message = lazy(_missing_words, str)


def _next_step(
    ticket: Ticket,
    result: str,
    left_at: dt.datetime,
    next_step: str,
    next_step_owner: Person | None,
    next_step_due: dt.datetime | None,
    customer_message: str,
) -> None:
    """Leaving unresolved needs all four; a resolved visit has no next step to keep."""
    given = {
        "next_step": not is_blank(next_step),
        "next_step_owner": next_step_owner is not None,
        "next_step_due": next_step_due is not None,
        "customer_message": not is_blank(customer_message),
    }
    if result in NEEDS_NEXT_STEP:
        missing = [f for f, ok in given.items() if not ok]
        if missing:
            raise NextStepRequired(
                _missing_message(missing),
                fields={f: str(_("Required when the problem is not resolved.")) for f in missing},
            )
        policy.check_engineer(next_step_owner, ticket, "next_step_owner")
        now = clock.now()
        if problem := moment_problem(next_step_due):
            raise Invalid(fields={"next_step_due": problem})
        if next_step_due <= max(now, left_at):
            raise Invalid(fields={"next_step_due": str(_("Give a time still to come."))})
        if next_step_due > now + MAX_AHEAD:
            raise Invalid(fields={"next_step_due": str(_("Give an earlier time."))})
    else:
        extra = [f for f in ("next_step", "next_step_owner", "next_step_due") if given[f]]
        if extra:
            raise Invalid(
                _("A visit that resolved the problem has no next step."),
                fields=dict.fromkeys(extra, str(_("Only when the problem is not resolved."))),
            )


@transaction.atomic
def leave_site(
    *,
    actor: Person,
    visit: Visit,
    result: str,
    work_done: str,
    next_step: str = "",
    next_step_owner: Person | None = None,
    next_step_due: dt.datetime | None = None,
    customer_message: str = "",
    at: dt.datetime | None = None,
    reason: str = "",
    version: int | None = None,
) -> Visit:
    """Check-out (离站) with what was done and the result. Unresolved or needing parts, the
    engineer leaves only with the next step (what, who, by when) and a message to the
    customer; the customer hears the report either way."""
    visit, ticket = _locked(visit, version)
    policy.check_record(actor, visit, ticket)
    _require_step(visit, "left")
    if result not in VisitResult.values:
        raise Invalid(fields={"result": str(_("Choose resolved, unresolved or needs parts."))})
    work_done = _text(work_done, "work_done", required=True)
    next_step = _text(next_step, "next_step", required=False, limit=Limits.REASON)
    customer_message = _text(customer_message, "customer_message", required=False)
    before = snapshot(visit)
    left_at = _stamp(visit, "left", at, reason, visit.arrived_at)
    _next_step(ticket, result, left_at, next_step, next_step_owner, next_step_due, customer_message)
    unresolved = result in NEEDS_NEXT_STEP
    visit.left_at, visit.status, visit.result = left_at, VisitStatus.LEFT, result
    visit.work_done, visit.customer_message = work_done, customer_message
    visit.next_step = next_step if unresolved else ""
    visit.next_step_owner = next_step_owner if unresolved else None
    visit.next_step_due = next_step_due if unresolved else None
    _save(
        visit,
        "left_at",
        "status",
        "result",
        "work_done",
        "customer_message",
        "next_step",
        "next_step_owner",
        "next_step_due",
        "corrections",
    )
    step = {
        "result": result,
        "next_step": visit.next_step,
        "next_step_owner": visit.next_step_owner_id,
        "next_step_owner_name": next_step_owner.name if unresolved else "",
        "due_at": next_step_due.isoformat() if unresolved else None,
    }
    _tell(
        actor=actor,
        ticket=ticket,
        visit=visit,
        kind=EntryKind.VISIT_LEFT,
        event=EventKind.VISIT_LEFT_UNRESOLVED if unresolved else EventKind.VISIT_LEFT,
        body=customer_message,
        data={
            **step,
            "at": left_at.isoformat(),
            "stated": "left" in visit.corrections,
            "work_done": work_done,
        },
        event_data={
            **step,
            "engineer_name": visit.engineer.name,
            "left_at": left_at.isoformat(),
            "message": _message(
                visit,
                result=result,
                arrived=_local(visit.arrived_at),
                left=_local(left_at),
                work_done=work_done,
                next_step=visit.next_step,
                next_step_owner=step["next_step_owner_name"],
                next_step_due=_local(visit.next_step_due),
                text=customer_message,
            ),
        },
        action="visit.leave",
        before=before,
    )
    return visit


@transaction.atomic
def cancel_visit(*, actor: Person, visit: Visit, reason: str, version: int | None = None) -> Visit:
    """A visit that will not happen (or was turned back on the way), saying why; the customer,
    who was told it was coming, is told it is not."""
    visit, ticket = _locked(visit, version)
    policy.check_cancel(actor, visit, ticket)
    _require_step(visit, "cancel")
    why = _text(reason, "reason", required=True, limit=Limits.REASON)
    before = snapshot(visit)
    visit.status, visit.cancel_reason = VisitStatus.CANCELLED, why
    _save(visit, "status", "cancel_reason")
    _tell(
        actor=actor,
        ticket=ticket,
        visit=visit,
        kind=EntryKind.VISIT_CANCELLED,
        event=EventKind.VISIT_CANCELLED,
        body=why,
        data={"planned_at": visit.planned_at.isoformat()},
        event_data={"message": _message(visit, text=why)},
        action="visit.cancel",
        before=before,
    )
    return visit


@transaction.atomic
def confirm_report(*, actor: Person, visit: Visit) -> Visit:
    """The customer confirms the visit report (what was done, the result, the times): their
    name and the moment are kept — evidence for a complaint or an SLA dispute."""
    visit, ticket = _locked(visit)
    policy.check_view(actor, ticket)
    policy.check_customer_of(actor, ticket)
    if visit.status != VisitStatus.LEFT:
        raise VisitNotInStep(_("A visit report can be confirmed once the engineer has left."))
    if visit.confirmed_at is not None:
        raise VisitAlreadyConfirmed()
    before = snapshot(visit)
    visit.confirmed_by, visit.confirmed_name = actor, actor.name
    visit.confirmed_at = clock.now()
    _save(visit, "confirmed_by", "confirmed_name", "confirmed_at")
    _tell(
        actor=actor,
        ticket=ticket,
        visit=visit,
        kind=EntryKind.VISIT_CONFIRMED,
        event=EventKind.VISIT_CONFIRMED,
        data={"confirmed_name": visit.confirmed_name, "at": visit.confirmed_at.isoformat()},
        action="visit.confirm",
        before=before,
    )
    return visit
