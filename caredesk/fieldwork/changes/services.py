"""The verbs of a change request — the only code that changes one: request, submit, approve,
reject, start, verify, complete, roll back, cancel; and the two timers that follow it (the
stakeholders' notice before the window opens, an emergency change's deadline to be authorised).

Each verb locks the change's row, checks the policy and the rules, changes it and writes the
audit record — and any outbox rows and events — in one transaction. Seed case 3's remedy: a
partner engineer cannot start, or record the execution of, a change that is not approved or
is outside its window; nobody approves their own change; a high-risk change has a rollback
plan; a window that runs into another change on the same element, or into a blackout, goes
ahead only with an explicit reason.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock, events
from caredesk.audit import services as audit
from caredesk.directory import refdata
from caredesk.directory.models import Organisation, OrgKind, Person, Product, Region
from caredesk.errors import Conflict, InvalidTransition, StaleVersion
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind
from caredesk.inputs import is_blank, moment_problem, text_problem
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import Ticket
from caredesk.tickets.rules import Limits
from caredesk.timers import services as timers

from ..models import (
    ChangeKind,
    ChangeModel,
    ChangeRequest,
    ChangeRisk,
    ChangeStatus,
    ChangeTarget,
    ChangeTemplate,
    ChangeTicket,
)
from . import notices, policy, rules

# The stakeholders hear of a change this long before its window opens (or at once, when it
# is approved later than that).
NOTICE_BEFORE = dt.timedelta(hours=24)
# An emergency change started before approval must be authorised within this.
AUTHORISE_WITHIN = dt.timedelta(hours=4)
# How far ahead a window may be planned.
MAX_AHEAD = dt.timedelta(days=366)
MAX_ELEMENTS = 500
WINDOW_NOTICE = "changes.window_notice"
AUTHORISE_DEADLINE = "changes.authorise_deadline"

# The statuses each verb may be done from.
FROM = {
    "submit": {ChangeStatus.DRAFT},
    "reject": {ChangeStatus.SUBMITTED},
    "start": {ChangeStatus.APPROVED, ChangeStatus.SUBMITTED},
    "verify": {ChangeStatus.IN_PROGRESS},
    "done": {ChangeStatus.VERIFYING},
    "failed": {ChangeStatus.IN_PROGRESS, ChangeStatus.VERIFYING},
    "rollback": {ChangeStatus.IN_PROGRESS, ChangeStatus.VERIFYING},
    "cancel": {ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.APPROVED},
}
# An emergency change may be authorised after it started, even after it ended.
AUTHORISABLE = {
    ChangeModel.NORMAL: {ChangeStatus.SUBMITTED},
    ChangeModel.EMERGENCY: {
        ChangeStatus.SUBMITTED,
        ChangeStatus.IN_PROGRESS,
        ChangeStatus.VERIFYING,
        ChangeStatus.DONE,
        ChangeStatus.ROLLED_BACK,
        ChangeStatus.FAILED,
    },
    ChangeModel.STANDARD: set(),
}


# ---------------------------------------------------------------- errors


class ChangeStale(StaleVersion):
    default_message = _(
        "Someone changed this change request after you loaded it. Reload it and try again."
    )


class ChangeNotInStep(InvalidTransition):
    code = "change_invalid_step"
    default_message = _("This is not possible in the change's current status.")


class ChangeNotApproved(Conflict):
    code = "change_not_approved"
    default_message = _("This change is not approved: it cannot be started or recorded.")


class OutsideWindow(Conflict):
    code = "change_outside_window"
    default_message = _("It is outside the change's window: it cannot be started or recorded.")


class ChangeConflicts(Conflict):
    """The window runs into another active change on the same element, or a blackout window:
    the submission goes ahead only with a reason to override (each conflict is named)."""

    code = "change_conflicts"


class AlreadyApproved(Conflict):
    code = "change_already_approved"
    default_message = _("This approval has already been given.")


class RollbackPlanRequired(Invalid):
    code = "rollback_plan_required"
    default_message = _("A high-risk change needs a rollback plan.")


class VerificationIncomplete(Invalid):
    code = "verification_incomplete"
    default_message = _(
        "Every item of the verification checklist must pass before the change is done; "
        "otherwise roll it back or record it as failed."
    )


# ---------------------------------------------------------------- shared steps


def _locked(change: ChangeRequest | int, version: int | None = None) -> ChangeRequest:
    pk = change.pk if isinstance(change, ChangeRequest) else change
    ChangeRequest.objects.select_for_update().values_list("pk", flat=True).get(pk=pk)
    fresh = ChangeRequest.objects.select_related(
        "requester", "executor", "customer_org", "template"
    ).get(pk=pk)
    if version is not None and fresh.version != version:
        raise ChangeStale(fields={"version": str(fresh.version)})
    return fresh


def clean_text(value: str | None, field: str, *, required: bool, limit: int = Limits.TEXT) -> str:
    """`value` trimmed and checked (caredesk.inputs); nothing visible in it reads as empty."""
    text = (value or "").strip()
    if problem := text_problem(text, required=required, max_length=limit):
        raise Invalid(fields={field: problem})
    return "" if is_blank(text) else text


def _save(change: ChangeRequest, *fields: str) -> None:
    change.version += 1
    change.updated_at = clock.now()
    change.save(update_fields=[*fields, "version", "updated_at"])


def _require(change: ChangeRequest, step: str) -> None:
    if change.status not in FROM[step]:
        raise ChangeNotInStep(fields={"status": change.status})


def snapshot(change: ChangeRequest) -> dict[str, Any]:
    """What the audit record keeps of a change, before and after a verb."""
    return {
        "status": change.status,
        "kind": change.kind,
        "model": change.model,
        "customer_org": change.customer_org_id,
        "executor": change.executor_id,
        "risk": change.risk,
        "window_start": change.window_start,
        "window_end": change.window_end,
        "conflicts": change.conflicts,
        "override_reason": change.override_reason,
        "vendor_approver": change.vendor_approver_id,
        "customer_approver": change.customer_approver_id,
        "approved_at": change.approved_at,
        "started_at": change.started_at,
        "verification": change.verification,
        "ended_at": change.ended_at,
        "outcome_note": change.outcome_note,
        "version": change.version,
    }


def _audit(actor: Person | None, action: str, change: ChangeRequest, before: dict | None) -> None:
    audit.record(actor=actor, action=action, obj=change, before=before, after=snapshot(change))


def _window(start: dt.datetime, end: dt.datetime) -> None:
    for field, moment in (("window_start", start), ("window_end", end)):
        if problem := moment_problem(moment):
            raise Invalid(fields={field: problem})
    if end <= start:
        raise Invalid(fields={"window_end": str(_("The window closes after it opens."))})
    now = clock.now()
    if end <= now:
        raise Invalid(fields={"window_end": str(_("Give a window still to come."))})
    if start > now + MAX_AHEAD:
        raise Invalid(fields={"window_start": str(_("Give an earlier time."))})


def _elements(elements: list[dict] | list[str]) -> list[tuple[str, str]]:
    """[(element, site)] from names or {"element", "site"} rows: at least one, each named."""
    rows: list[tuple[str, str]] = []
    seen = set()
    for i, item in enumerate(elements or []):
        name, site = (
            (item, "") if isinstance(item, str) else (item.get("element"), item.get("site"))
        )
        name = clean_text(name, f"elements.{i}", required=True, limit=200)
        site = clean_text(site, f"elements.{i}.site", required=False, limit=200)
        if name not in seen:
            seen.add(name)
            rows.append((name, site))
    if not rows:
        raise Invalid(fields={"elements": str(_("Name at least one network element."))})
    if len(rows) > MAX_ELEMENTS:
        raise Invalid(fields={"elements": str(_("At most 500 network elements per change."))})
    return rows


UNLINKABLE = _("Link only tickets of this customer that you can see.")


def _linked_tickets(actor: Person, customer_org: Organisation, tickets) -> list[Ticket]:
    within = set(refdata.subtree(customer_org.pk))
    found = []
    for ticket in tickets:
        if not ticket_policy.can_view(actor, ticket) or ticket.customer_org_id not in within:
            raise Invalid(fields={"tickets": str(UNLINKABLE)})
        if ticket.pk not in {t.pk for t in found}:
            found.append(ticket)
    return found


def _schedule_notice(change: ChangeRequest, now: dt.datetime) -> None:
    timers.cancel(subject=change.pk, kind=WINDOW_NOTICE)
    due = max(now, change.window_start - NOTICE_BEFORE)
    timers.schedule(kind=WINDOW_NOTICE, subject=change.pk, due_at=due)


def _publish_on_tickets(change: ChangeRequest, kind: str, actor: Person | None, **data) -> None:
    """Tell the floors above (escalation) about the change, on each ticket it is linked to:
    they know tickets, not changes."""
    now = clock.now()
    for ticket in change.tickets.select_related("owner", "customer_org", "office"):
        events.publish(
            events.Event(
                kind=kind,
                ticket_id=ticket.pk,
                actor_id=actor.pk if actor else None,
                at=now,
                data={"change": change.pk, "number": change.number, **data},
                ticket=ticket,
                actor=actor,
            )
        )


# ---------------------------------------------------------------- requesting


@transaction.atomic
def create_change(
    *,
    actor: Person,
    customer_org: Organisation,
    kind: str,
    title: str,
    plan: str,
    window_start: dt.datetime,
    window_end: dt.datetime,
    elements: list,
    executor: Person,
    rollback_plan: str = "",
    assessment: dict | None = None,
    model: str = ChangeModel.NORMAL,
    template: ChangeTemplate | None = None,
    tickets=(),
    region: Region | None = None,
    product: Product | None = None,
) -> ChangeRequest:
    """A change request, as a draft: what (kind, plan, rollback plan), where (the customer and
    its network elements), when (the window), by whom (the executor), how risky (from the short
    assessment — a standard change takes its template's), and the tickets it serves. A
    high-risk change is refused without a rollback plan."""
    policy.check_request(actor)
    if customer_org.kind != OrgKind.CUSTOMER:
        raise Invalid(fields={"customer_org": str(_("Choose a customer organisation."))})
    if model not in ChangeModel.values:
        raise Invalid(fields={"model": str(_("Choose normal, standard or emergency."))})
    if model == ChangeModel.STANDARD:
        if template is None or not template.published:
            raise Invalid(fields={"template": str(_("Choose a published standard template."))})
        if template.customer_org_id and template.customer_org_id not in refdata.lineage(
            customer_org.pk
        ):
            raise Invalid(fields={"template": str(_("This template is for another customer."))})
        kind, risk, answers = template.kind, template.risk, {}
        plan = plan or template.plan
        rollback_plan = rollback_plan or template.rollback_plan
    else:
        if template is not None:
            raise Invalid(fields={"template": str(_("Only standard changes use a template."))})
        risk, answers = rules.assess(assessment or {})
    if kind not in ChangeKind.values:
        raise Invalid(fields={"kind": str(_("Choose the kind of operation."))})
    title = clean_text(title, "title", required=True, limit=Limits.TITLE)
    plan = clean_text(plan, "plan", required=True)
    rollback_plan = clean_text(rollback_plan, "rollback_plan", required=False)
    if risk == ChangeRisk.HIGH and not rollback_plan:
        raise RollbackPlanRequired(
            fields={"rollback_plan": str(RollbackPlanRequired.default_message)}
        )
    _window(window_start, window_end)
    targets = _elements(elements)
    if not policy.can_execute(executor):
        raise Invalid(
            fields={"executor": str(_("Choose an engineer of the office or a partner engineer."))}
        )
    linked = _linked_tickets(actor, customer_org, tickets)
    now = clock.now()
    change = ChangeRequest.objects.create(
        kind=kind,
        model=model,
        template=template,
        customer_org=customer_org,
        region=region,
        product=product,
        requester=actor,
        executor=executor,
        title=title,
        plan=plan,
        rollback_plan=rollback_plan,
        risk=risk,
        risk_assessment=answers,
        window_start=window_start,
        window_end=window_end,
        created_at=now,
        updated_at=now,
    )
    ChangeTarget.objects.bulk_create(
        [ChangeTarget(change=change, element=e, site=s) for e, s in targets]
    )
    ChangeTicket.objects.bulk_create(
        [ChangeTicket(change=change, ticket=t, linked_by=actor, linked_at=now) for t in linked]
    )
    change.conflicts = rules.conflicts(change, [e for e, _s in targets])
    change.save(update_fields=["conflicts"])
    _audit(actor, "change.create", change, None)
    return change


@transaction.atomic
def submit_change(
    *,
    actor: Person,
    change: ChangeRequest,
    override_reason: str = "",
    version: int | None = None,
) -> ChangeRequest:
    """Send the change for approval. Its window is checked again: running into another active
    change on the same element, or into a blackout window, it is refused unless an override
    reason is given (kept with the conflicts found). A standard change is approved by its
    published template at once; an emergency change must be authorised within
    AUTHORISE_WITHIN, or it escalates."""
    change = _locked(change, version)
    policy.check_view(actor, change)
    policy.check_manage(actor, change)
    _require(change, "submit")
    if change.risk == ChangeRisk.HIGH and not change.rollback_plan:
        raise RollbackPlanRequired(
            fields={"rollback_plan": str(RollbackPlanRequired.default_message)}
        )
    if change.window_end <= clock.now():
        raise Invalid(fields={"window_end": str(_("The window has closed: plan a new one."))})
    reason = clean_text(override_reason, "override_reason", required=False, limit=Limits.REASON)
    found = rules.conflicts(change)
    if found and not reason:
        raise ChangeConflicts(
            _conflict_words(found),
            fields={
                "override_reason": str(_("Give the reason to go ahead despite the conflicts."))
            },
        )
    if change.model == ChangeModel.EMERGENCY and not change.tickets.exists():
        raise Invalid(
            fields={"tickets": str(_("An emergency change names the ticket it answers."))}
        )
    before = snapshot(change)
    now = clock.now()
    change.conflicts, change.override_reason = found, reason if found else ""
    change.submitted_at, change.status = now, ChangeStatus.SUBMITTED
    fields = ["conflicts", "override_reason", "submitted_at", "status"]
    if change.model == ChangeModel.STANDARD:
        change.status, change.approved_at = ChangeStatus.APPROVED, now
        fields.append("approved_at")
        _schedule_notice(change, now)
    elif change.model == ChangeModel.EMERGENCY:
        change.authorise_by = now + AUTHORISE_WITHIN
        fields.append("authorise_by")
        timers.schedule(kind=AUTHORISE_DEADLINE, subject=change.pk, due_at=change.authorise_by)
        _schedule_notice(change, now)
    _save(change, *fields)
    _audit(actor, "change.submit", change, before)
    return change


def _conflict_words(found: list[dict]) -> str:
    parts = []
    for c in found:
        if c["kind"] == "overlap":
            parts.append(
                str(_("%(number)s on %(elements)s"))
                % {
                    "number": c["number"],
                    "elements": ", ".join(c["elements"]),
                }
            )
        else:
            parts.append(str(_("blackout window “%(name)s”")) % {"name": c["name"]})
    return str(
        _("The window runs into %(what)s. Give a reason to override, or choose another window.")
    ) % {"what": "; ".join(parts)}


# ---------------------------------------------------------------- approving


@transaction.atomic
def approve_change(
    *, actor: Person, change: ChangeRequest, note: str = "", version: int | None = None
) -> ChangeRequest:
    """One approval: the vendor office's (a holder of the approver's role for the change's
    scope) or, for medium and high risk, the customer's. Never one's own change. The change is
    approved once every approval it needs is given; an emergency one may be authorised after
    it started, which stops its escalation."""
    change = _locked(change, version)
    policy.check_view(actor, change)
    policy.check_approve(actor, change)
    if change.status not in AUTHORISABLE[change.model]:
        raise ChangeNotInStep(fields={"status": change.status})
    now = clock.now()
    if change.model == ChangeModel.NORMAL and change.window_end <= now:
        raise ChangeNotInStep(_("The window has closed: the change cannot be approved for it."))
    clean_text(note, "note", required=False, limit=Limits.REASON)
    before = snapshot(change)
    if policy.is_customer_approver(actor, change):
        if change.customer_approved_at is not None:
            raise AlreadyApproved()
        change.customer_approver, change.customer_approved_at = actor, now
    else:
        if change.vendor_approved_at is not None:
            raise AlreadyApproved()
        change.vendor_approver, change.vendor_approved_at = actor, now
    fields = ["customer_approver", "customer_approved_at", "vendor_approver", "vendor_approved_at"]
    if change.is_authorised:
        change.approved_at = now
        fields.append("approved_at")
        if change.status == ChangeStatus.SUBMITTED:
            change.status = ChangeStatus.APPROVED
            fields.append("status")
        if change.model == ChangeModel.EMERGENCY:
            timers.cancel(subject=change.pk, kind=AUTHORISE_DEADLINE)
            _publish_on_tickets(change, EventKind.CHANGE_AUTHORISED, actor)
        elif not change.is_final:
            _schedule_notice(change, now)
    _save(change, *fields)
    _audit(actor, "change.approve", change, before)
    return change


@transaction.atomic
def reject_change(
    *, actor: Person, change: ChangeRequest, reason: str, version: int | None = None
) -> ChangeRequest:
    """An approver turns the change down, saying why; it ends there."""
    change = _locked(change, version)
    policy.check_view(actor, change)
    policy.check_approve(actor, change)
    _require(change, "reject")
    why = clean_text(reason, "reason", required=True, limit=Limits.REASON)
    before = snapshot(change)
    change.status, change.rejected_by, change.reject_reason = ChangeStatus.REJECTED, actor, why
    change.ended_at = clock.now()
    timers.cancel(subject=change.pk, kind_prefix="changes.")
    _save(change, "status", "rejected_by", "reject_reason", "ended_at")
    _audit(actor, "change.reject", change, before)
    return change


# ---------------------------------------------------------------- executing


def _check_may_record(actor: Person, change: ChangeRequest, *, starting: bool) -> None:
    """Seed case 3: a partner engineer starts, and records the execution of, only an approved
    change inside its window. Anyone starts only inside the window; vendor-office staff may
    start an emergency change before it is authorised."""
    now = clock.now()
    emergency_by_staff = change.model == ChangeModel.EMERGENCY and not policy.is_partner(actor)
    if not change.is_authorised and not emergency_by_staff:
        raise ChangeNotApproved()
    outside = now < change.window_start or now > change.window_end
    if outside and (starting or policy.is_partner(actor)):
        raise OutsideWindow(
            _("The window is %(start)s – %(end)s: it cannot be started or recorded now.")
            % {"start": notices.local(change.window_start), "end": notices.local(change.window_end)}
        )


@transaction.atomic
def start_change(
    *, actor: Person, change: ChangeRequest, version: int | None = None
) -> ChangeRequest:
    """The executor starts the work: approved (or an emergency, by staff), inside the window."""
    change = _locked(change, version)
    policy.check_view(actor, change)
    policy.check_executor(actor, change)
    _require(change, "start")
    _check_may_record(actor, change, starting=True)
    before = snapshot(change)
    change.status, change.started_at, change.started_by = (
        ChangeStatus.IN_PROGRESS,
        clock.now(),
        actor,
    )
    _save(change, "status", "started_at", "started_by")
    _audit(actor, "change.start", change, before)
    return change


def _checklist(items: list[dict]) -> list[dict]:
    rows = []
    for i, item in enumerate(items or []):
        what = clean_text(
            item.get("item"), f"checklist.{i}.item", required=True, limit=Limits.PARTY
        )
        note = clean_text(
            item.get("note"), f"checklist.{i}.note", required=False, limit=Limits.REASON
        )
        rows.append({"item": what, "ok": bool(item.get("ok")), "note": note})
    if not rows:
        raise Invalid(fields={"checklist": str(_("List at least one check."))})
    return rows


@transaction.atomic
def verify_change(
    *,
    actor: Person,
    change: ChangeRequest,
    checklist: list[dict],
    execution_note: str,
    version: int | None = None,
) -> ChangeRequest:
    """The executor records what was done and the verification checklist (each check passed
    or not): the change is then verified before it is called done."""
    change = _locked(change, version)
    policy.check_view(actor, change)
    policy.check_executor(actor, change)
    _require(change, "verify")
    _check_may_record(actor, change, starting=False)
    rows = _checklist(checklist)
    note = clean_text(execution_note, "execution_note", required=True)
    before = snapshot(change)
    change.verification, change.execution_note = rows, note
    change.verified_at, change.status = clock.now(), ChangeStatus.VERIFYING
    _save(change, "verification", "execution_note", "verified_at", "status")
    _audit(actor, "change.verify", change, before)
    return change


def _end(
    actor: Person, change: ChangeRequest, status: str, note: str, action: str
) -> ChangeRequest:
    before = snapshot(change)
    change.status, change.outcome_note, change.ended_at = status, note, clock.now()
    timers.cancel(subject=change.pk, kind=WINDOW_NOTICE)
    _save(change, "status", "outcome_note", "ended_at")
    notices.outcome(change)
    _audit(actor, action, change, before)
    return change


@transaction.atomic
def complete_change(
    *,
    actor: Person,
    change: ChangeRequest,
    outcome: str,
    note: str = "",
    version: int | None = None,
) -> ChangeRequest:
    """The outcome: done (verified, every check passed) or failed (say what happened). The
    stakeholders are told."""
    change = _locked(change, version)
    policy.check_view(actor, change)
    policy.check_executor(actor, change)
    if outcome not in ("done", "failed"):
        raise Invalid(fields={"outcome": str(_("Choose done or failed."))})
    _require(change, outcome)
    _check_may_record(actor, change, starting=False)
    note = clean_text(note, "note", required=outcome == "failed")
    if outcome == "done" and not all(row["ok"] for row in change.verification):
        raise VerificationIncomplete()
    status = ChangeStatus.DONE if outcome == "done" else ChangeStatus.FAILED
    return _end(actor, change, status, note, f"change.{outcome}")


@transaction.atomic
def roll_back_change(
    *, actor: Person, change: ChangeRequest, note: str, version: int | None = None
) -> ChangeRequest:
    """The change was undone by its rollback plan (by the executor, or the requester or
    manager taking over — also after the window: undoing is never refused). The stakeholders
    are told."""
    change = _locked(change, version)
    policy.check_view(actor, change)
    policy.check_roll_back(actor, change)
    _require(change, "rollback")
    note = clean_text(note, "note", required=True)
    return _end(actor, change, ChangeStatus.ROLLED_BACK, note, "change.rollback")


@transaction.atomic
def cancel_change(
    *, actor: Person, change: ChangeRequest, reason: str, version: int | None = None
) -> ChangeRequest:
    """The change will not happen, saying why; stakeholders who were told it was coming are
    told it is not."""
    change = _locked(change, version)
    policy.check_view(actor, change)
    policy.check_manage(actor, change)
    _require(change, "cancel")
    why = clean_text(reason, "reason", required=True, limit=Limits.REASON)
    before = snapshot(change)
    change.status, change.cancel_reason, change.ended_at = ChangeStatus.CANCELLED, why, clock.now()
    timers.cancel(subject=change.pk, kind_prefix="changes.")
    _save(change, "status", "cancel_reason", "ended_at")
    if notices.was_announced(change):
        notices.outcome(change)
    _audit(actor, "change.cancel", change, before)
    return change


# ---------------------------------------------------------------- timers


@timers.handler(WINDOW_NOTICE)
def tell_window_opening(action) -> str:
    """Before the window opens: the stakeholders of the affected scope hear what will be done,
    when and by whom — if the change is still going ahead."""
    change = (
        ChangeRequest.objects.select_related("customer_org", "executor", "requester")
        .filter(pk=action.subject)
        .first()
    )
    going_ahead = change is not None and (
        change.status in (ChangeStatus.APPROVED, ChangeStatus.IN_PROGRESS)
        or (change.model == ChangeModel.EMERGENCY and change.status == ChangeStatus.SUBMITTED)
    )
    if not going_ahead:
        return "skipped"
    notices.window_opening(change)
    return "fired"


@timers.handler(AUTHORISE_DEADLINE)
def check_authorised(action) -> str:
    """An emergency change's deadline: still not authorised, it escalates — the escalation
    engine hears of it on the tickets it answers."""
    change = ChangeRequest.objects.filter(pk=action.subject).first()
    if change is None or change.is_authorised:
        return "skipped"
    if change.status in (ChangeStatus.DRAFT, ChangeStatus.REJECTED, ChangeStatus.CANCELLED):
        return "skipped"
    _publish_on_tickets(
        change,
        EventKind.CHANGE_AUTHORISATION_OVERDUE,
        None,
        title=change.title,
        status=change.status,
        executor=change.executor_id,
        executor_name=change.executor.name,
        due_at=change.authorise_by.isoformat(),
    )
    audit.record(
        actor=None,
        action="change.authorisation_overdue",
        obj=change,
        after={"authorise_by": change.authorise_by, "status": change.status},
    )
    return "fired"
