"""The verbs of alarm-masking rules — the only code that makes, removes or expires one.

A rule belongs to an approved (or in-progress) alarm-masking change: none, or one not
approved, is refused (seed case 5: 200 rules added at night without the office's
authorisation). Every rule has an end — 24 hours unless given — under the customer's maximum,
and matchers narrow enough not to mask everything (matchers.py). Rules are made in bulk, all or
nothing: one bad row refuses the lot, and every bad row is named (row, column, reason).

Making rules writes, in one transaction: the rules, their elements, two timers each (the
warning before the end and the end itself), the audit records, and the outbox messages to the
owner and the customer's stakeholders. Nothing is sent to Alertmanager here: each rule waits
(sync_state to_push) for the worker, which pushes it after commit (sync.py).
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import Person
from caredesk.errors import Conflict, StaleVersion
from caredesk.errors import ValidationFailed as Invalid
from caredesk.inputs import moment_problem, text_problem
from caredesk.tickets.rules import Limits
from caredesk.timers import services as timers

from ..models import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    MaskedElement,
    MaskingRule,
    MaskStatus,
    SyncState,
)
from . import matchers as matching
from . import notices, policy, selectors

# Timer kinds (handlers in timers.py).
EXPIRING = "masks.expiring"
EXPIRE = "masks.expire"
# The changes rules may be made under.
MASKING_STATUSES = frozenset({ChangeStatus.APPROVED, ChangeStatus.IN_PROGRESS})
# Breadth: how many elements and alarm codes one rule may name, how many rules one call makes.
MAX_ELEMENTS = 50
MAX_ALARM_CODES = 50
MAX_RULES = 20000
# How far back a stated start may go (the form was opened a moment ago).
START_SLACK = dt.timedelta(minutes=5)


class MaskChangeRequired(Invalid):
    code = "mask_change_required"
    default_message = _("A masking rule belongs to an approved alarm-masking change.")


class MaskChangeNotApproved(Conflict):
    code = "mask_change_not_approved"
    default_message = _(
        "Masking rules are added only under an approved (or in-progress) alarm-masking change."
    )


class MaskRowsInvalid(Invalid):
    """Some rules of a bulk are not valid: nothing was made. `rows` names each problem."""

    code = "mask_rows_invalid"

    def __init__(self, rows: list["RowProblem"]):
        self.rows = rows
        bad = len({p.row for p in rows})
        super().__init__(
            _("%(n)d rule(s) are not valid; nothing was created.") % {"n": bad},
            fields={f"rows.{p.row}.{p.column}": p.reason for p in rows[:200]},
        )


class MaskNotActive(Conflict):
    code = "mask_not_active"
    default_message = _("This masking rule has already ended.")


class MaskStale(StaleVersion):
    default_message = _(
        "Someone changed this masking rule after you loaded it. Reload it and try again."
    )


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based, as a spreadsheet counts its data rows
    column: str
    code: str
    reason: str


@dataclass
class RuleDraft:
    """One rule as asked for (from the API or a spreadsheet row), not checked yet."""

    reason: str = ""
    matchers: list[Any] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    alarm_codes: list[str] = field(default_factory=list)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    owner: Person | None = None
    # A problem the reader of the row already found (an unreadable date, an unknown owner).
    preset: list[tuple[str, str, str]] = field(default_factory=list)
    # Where it came from, for naming it: a spreadsheet's row number (default: its place, 1…).
    row: int | None = None


def _label_matcher(label: str, values: list[str]) -> dict[str, Any]:
    if len(values) == 1:
        return {"name": label, "value": values[0], "isRegex": False, "isEqual": True}
    return {
        "name": label,
        "value": "|".join(re.escape(v) for v in values),
        "isRegex": True,
        "isEqual": True,
    }


def silence_matchers(draft: RuleDraft) -> list[Any]:
    """The matchers the silence gets: those given, plus one for the elements and one for the
    alarm codes when no matcher names those labels already."""
    given = list(draft.matchers or [])
    names = {m.get("name") for m in given if isinstance(m, dict)}
    for label, values in (
        (settings.MASK_ELEMENT_LABEL, draft.elements),
        (settings.MASK_ALARM_LABEL, draft.alarm_codes),
    ):
        if values and label not in names:
            given.append(_label_matcher(label, values))
    return given


def _texts(values: list[str], column: str, limit: int, most: int, problems: list) -> list[str]:
    cleaned = []
    for value in values or []:
        text = (value or "").strip() if isinstance(value, str) else None
        if text is None or text_problem(text, required=True, max_length=limit):
            problems.append(
                (
                    column,
                    "invalid_value",
                    str(_("Give names of at most %(n)d characters.") % {"n": limit}),
                )
            )
            return []
        if text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > most:
        problems.append((column, "too_broad", str(_("At most %(n)d per rule.") % {"n": most})))
    return cleaned


@dataclass(frozen=True)
class _Checked:
    draft: RuleDraft
    matchers: list[dict[str, Any]]
    elements: list[str]
    alarm_codes: list[str]
    reason: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    owner: Person


def _check_row(
    draft: RuleDraft,
    *,
    actor: Person,
    change: ChangeRequest,
    targets: set[str],
    longest: dt.timedelta,
    now: dt.datetime,
) -> tuple[_Checked | None, list[tuple[str, str, str]]]:
    """One row's checks: (the rule ready to save, or None; its problems as (column, code,
    reason))."""
    problems = list(draft.preset)
    reason = (draft.reason or "").strip()
    if why := text_problem(reason, required=True, max_length=Limits.REASON):
        problems.append(("reason", "reason_required", why))
    elements = _texts(draft.elements, "elements", 200, MAX_ELEMENTS, problems)
    outside = [e for e in elements if targets and e not in targets]
    if outside:
        problems.append(
            (
                "elements",
                "element_outside_change",
                str(_("Not a network element of %(change)s: %(elements)s."))
                % {"change": change.number, "elements": ", ".join(outside[:5])},
            )
        )
    codes = _texts(draft.alarm_codes, "alarm_codes", 100, MAX_ALARM_CODES, problems)
    wanted = silence_matchers(
        RuleDraft(matchers=draft.matchers, elements=elements, alarm_codes=codes)
    )
    for p in matching.problems(wanted):
        code = (
            "mask_too_broad"
            if p.code in ("match_everything", "negative_only", "broad_regex")
            else p.code
        )
        problems.append(("matchers", code, p.message))
    owner = draft.owner or actor
    if not policy.can_owner(owner, change):
        problems.append(
            ("owner", "owner_invalid", str(_("The owner is staff, or the change's executor.")))
        )
    starts_at = draft.starts_at or now
    ends_at = draft.ends_at
    for column, moment in (("starts_at", draft.starts_at), ("ends_at", ends_at)):
        if moment is not None and (why := moment_problem(moment)):
            problems.append((column, "invalid_time", why))
            return None, problems
    if starts_at < now - START_SLACK:
        problems.append(("starts_at", "start_in_past", str(_("Give a time still to come."))))
    if ends_at is None:
        ends_at = starts_at + dt.timedelta(hours=settings.MASK_DEFAULT_HOURS)
    if ends_at <= max(starts_at, now):
        problems.append(
            ("ends_at", "end_in_past", str(_("Give an end after the start, still to come.")))
        )
    elif ends_at - starts_at > longest:
        hours = int(longest.total_seconds() // 3600)
        problems.append(
            (
                "ends_at",
                "mask_too_long",
                str(_("%(customer)s lets a masking rule last at most %(hours)d hours."))
                % {"customer": change.customer_org.name, "hours": hours},
            )
        )
    if problems:
        return None, problems
    return (
        _Checked(
            draft, matching.normalised(wanted), elements, codes, reason, starts_at, ends_at, owner
        ),
        [],
    )


def _lock_change(change: ChangeRequest | int) -> ChangeRequest:
    pk = change.pk if isinstance(change, ChangeRequest) else change
    return (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("customer_org", "executor", "requester")
        .get(pk=pk)
    )


def check_change(change: ChangeRequest | None) -> None:
    """A rule's change: there is one, of kind alarm masking, approved or in progress."""
    if change is None:
        raise MaskChangeRequired(fields={"change": str(MaskChangeRequired.default_message)})
    if change.kind != ChangeKind.ALARM_MASKING:
        raise MaskChangeRequired(
            _("%(change)s is not an alarm-masking change.") % {"change": change.number},
            fields={"change": str(_("Choose an alarm-masking change."))},
        )
    if change.status not in MASKING_STATUSES:
        raise MaskChangeNotApproved(fields={"change": change.get_status_display()})


def snapshot(rule: MaskingRule) -> dict[str, Any]:
    """What the audit record keeps of a rule."""
    return {
        "change": rule.change_id,
        "customer_org": rule.customer_org_id,
        "matchers": rule.matchers,
        "elements": rule.elements,
        "alarm_codes": rule.alarm_codes,
        "reason": rule.reason,
        "owner": rule.owner_id,
        "starts_at": rule.starts_at,
        "ends_at": rule.ends_at,
        "status": rule.status,
        "silence_id": rule.silence_id,
        "remove_reason": rule.remove_reason,
        "version": rule.version,
    }


def _timers_of(rule: MaskingRule, now: dt.datetime) -> list[tuple]:
    warn = rule.ends_at - dt.timedelta(minutes=settings.MASK_WARN_MINUTES)
    payload = {"ends_at": rule.ends_at.isoformat()}
    found = [(EXPIRE, f"mask:{rule.pk}", rule.ends_at, payload)]
    if warn > now:
        found.append((EXPIRING, f"mask:{rule.pk}", warn, payload))
    return found


@transaction.atomic
def create_rules(
    *, actor: Person, change: ChangeRequest | None, drafts: list[RuleDraft]
) -> list[MaskingRule]:
    """Make the rules under `change`, all or none. Refused: no change, not an alarm-masking
    change, not approved (409); a rule without a reason, too broad, past the customer's
    maximum, on an element the change does not name, owned by someone who may not (422,
    `mask_rows_invalid`, every bad row named). The owner and the stakeholders are told."""
    if change is None:
        check_change(None)
    change = _lock_change(change)
    policy.check_mask(actor, change)
    check_change(change)
    if not drafts:
        raise Invalid(fields={"rules": str(_("Give at least one rule."))})
    if len(drafts) > MAX_RULES:
        raise Invalid(fields={"rules": str(_("At most %(n)d rules at once.") % {"n": MAX_RULES})})
    now = clock.now()
    targets = set(change.targets.values_list("element", flat=True))
    longest = selectors.max_duration(change.customer_org_id)
    checked: list[_Checked] = []
    bad: list[RowProblem] = []
    for i, draft in enumerate(drafts, start=1):
        rule, problems = _check_row(
            draft, actor=actor, change=change, targets=targets, longest=longest, now=now
        )
        row = draft.row or i
        bad += [RowProblem(row, column, code, reason) for column, code, reason in problems]
        if rule is not None:
            checked.append(rule)
    if bad:
        raise MaskRowsInvalid(bad)
    batch = uuid.uuid4().hex
    rules = MaskingRule.objects.bulk_create(
        [
            MaskingRule(
                change=change,
                customer_org_id=change.customer_org_id,
                matchers=c.matchers,
                elements=c.elements,
                alarm_codes=c.alarm_codes,
                reason=c.reason,
                owner=c.owner,
                created_by=actor,
                batch=batch,
                starts_at=c.starts_at,
                ends_at=c.ends_at,
                sync_state=SyncState.TO_PUSH,
                sync_due_at=now,
                created_at=now,
                updated_at=now,
            )
            for c in checked
        ],
        batch_size=1000,
    )
    MaskedElement.objects.bulk_create(
        [MaskedElement(rule=r, element=e) for r in rules for e in r.elements], batch_size=2000
    )
    timers.schedule_many([t for r in rules for t in _timers_of(r, now)])
    audit.record_many(
        actor=actor, action="mask.create", changes=[(r, None, snapshot(r)) for r in rules]
    )
    notices.rules_added(actor=actor, change=change, rules=rules)
    return rules


def create_rule(*, actor: Person, change: ChangeRequest | None, draft: RuleDraft) -> MaskingRule:
    """One rule: a bulk of one."""
    return create_rules(actor=actor, change=change, drafts=[draft])[0]


def _lock_rule(rule: MaskingRule | int, version: int | None) -> MaskingRule:
    pk = rule.pk if isinstance(rule, MaskingRule) else rule
    # The change first, then the rule: the order create_rules locks in.
    change_id = MaskingRule.objects.values_list("change_id", flat=True).get(pk=pk)
    _lock_change(change_id)
    fresh = (
        MaskingRule.objects.select_for_update(of=("self",))
        .select_related("change", "owner", "customer_org")
        .get(pk=pk)
    )
    if version is not None and fresh.version != version:
        raise MaskStale(fields={"version": str(fresh.version)})
    return fresh


@transaction.atomic
def remove_rule(
    *, actor: Person, rule: MaskingRule, reason: str, version: int | None = None
) -> MaskingRule:
    """End a rule before its time, saying why. The record stays (status removed); its
    silence is expired in Alertmanager by the worker, after commit."""
    rule = _lock_rule(rule, version)
    policy.check_remove(actor, rule, rule.change)
    if not rule.is_active:
        raise MaskNotActive()
    why = (reason or "").strip()
    if problem := text_problem(why, required=True, max_length=Limits.REASON):
        raise Invalid(fields={"reason": problem})
    before = snapshot(rule)
    now = clock.now()
    rule.status, rule.removed_at, rule.removed_by, rule.remove_reason = (
        MaskStatus.REMOVED,
        now,
        actor,
        why,
    )
    # A silence pushed (or being pushed: sync.py re-checks) is withdrawn; one never pushed
    # has nothing to withdraw.
    rule.sync_state = SyncState.TO_EXPIRE if rule.silence_id else SyncState.IN_STEP
    rule.sync_due_at = now
    rule.version += 1
    rule.updated_at = now
    rule.save(
        update_fields=[
            "status",
            "removed_at",
            "removed_by",
            "remove_reason",
            "sync_state",
            "sync_due_at",
            "version",
            "updated_at",
        ]
    )
    timers.cancel(subject=f"mask:{rule.pk}", kind_prefix="masks.")
    audit.record(actor=actor, action="mask.remove", obj=rule, before=before, after=snapshot(rule))
    notices.rules_removed(actor=actor, change=rule.change, rules=[rule])
    return rule


def expire_rules(rules: list[MaskingRule], now: dt.datetime) -> list[MaskingRule]:
    """The end of rules whose time came (the EXPIRE timer's effect, in its transaction):
    expired, told. Alertmanager ends their silences by itself at the same endsAt; one never
    pushed has nothing left to push."""
    due = [r for r in rules if r.is_active and r.ends_at <= now]
    if not due:
        return []
    befores = {r.pk: snapshot(r) for r in due}
    ids = [r.pk for r in due]
    MaskingRule.objects.filter(pk__in=ids, status=MaskStatus.ACTIVE).update(
        status=MaskStatus.EXPIRED, expired_at=now, updated_at=now
    )
    MaskingRule.objects.filter(pk__in=ids, sync_state=SyncState.TO_PUSH).update(
        sync_state=SyncState.IN_STEP, sync_due_at=None
    )
    for r in due:
        r.status, r.expired_at = MaskStatus.EXPIRED, now
    audit.record_many(
        actor=None,
        action="mask.expire",
        changes=[(r, befores[r.pk], snapshot(r)) for r in due],
    )
    notices.rules_ended(rules=due, template="mask_expired")
    return due
