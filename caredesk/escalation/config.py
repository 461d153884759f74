"""The escalation configuration's verbs: SLA policies and escalation chains (calendars are
their own app: caredesk.calendars.services). Each one authorises (policy.check_configure),
validates, writes and audits in one transaction; the API calls them, and the Django admin runs
the same validation (validate_steps) and records the same audit actions.

Chains already running keep the steps they froze when they started; a new SLA target applies
to tickets opened from then on.
"""

from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from caredesk.audit import services as audit
from caredesk.directory.models import Organisation, Person
from caredesk.errors import Conflict, ValidationFailed
from caredesk.stakeholders.models import ContactChannel

from . import policy
from .models import (
    Calendar,
    ClockKind,
    EscalationPolicy,
    EscalationStep,
    SlaPolicy,
    StepCondition,
    StepTarget,
    Trigger,
)

CLOCKED = (StepCondition.CLOCK_AT_RISK, StepCondition.CLOCK_BREACHED)
VISITED = (StepCondition.VISIT_UNRESOLVED, StepCondition.NEXT_STEP_OVERDUE)
CHANGED = (StepCondition.CHANGE_UNAUTHORISED,)


@dataclass(frozen=True)
class StepSpec:
    target: str
    condition: str
    wait_minutes: int = 0
    channels: tuple[str, ...] = ("email",)
    clock: str = ""
    percent: int = 100


def customer_org(org_id: int | None) -> Organisation | None:
    if org_id is None:
        return None
    org = Organisation.objects.filter(pk=org_id, kind="customer").first()
    if org is None:
        raise ValidationFailed(fields={"customer_org": f"No customer organisation {org_id}."})
    return org


def _saved(obj, *, actor: Person | None, action: str, after: dict):
    try:
        with transaction.atomic():
            obj.save()
            audit.record(actor=actor, action=action, obj=obj, after=after)
    except IntegrityError as exc:
        raise Conflict(_("That entry exists already.")) from exc
    return obj


# ------------------------------------------------------------------ SLA policies


def _sla_fields(name, customer_org_id, severity, calendar, targets: dict[str, int | None]) -> dict:
    unknown = set(targets) - set(ClockKind.values)
    if unknown:
        raise ValidationFailed(fields={k: "Unknown clock." for k in sorted(unknown)})
    return {
        "name": name,
        "customer_org": customer_org(customer_org_id),
        "severity": severity,
        "calendar": calendar,
        **{f"{kind}_minutes": minutes for kind, minutes in targets.items()},
    }


def create_sla_policy(
    *,
    actor: Person,
    name: str,
    customer_org_id: int | None,
    severity: str,
    calendar: Calendar,
    targets: dict[str, int | None],
) -> SlaPolicy:
    """Targets in minutes per clock kind (acknowledge, respond, restore, resolve; None: none)."""
    policy.check_configure(actor)
    sla = SlaPolicy(**_sla_fields(name, customer_org_id, severity, calendar, targets))
    return _saved(sla, actor=actor, action="sla_policy.create", after={"name": name, **targets})


def update_sla_policy(
    *,
    actor: Person,
    sla: SlaPolicy,
    name: str,
    customer_org_id: int | None,
    severity: str,
    calendar: Calendar,
    targets: dict[str, int | None],
) -> SlaPolicy:
    policy.check_configure(actor)
    for field, value in _sla_fields(name, customer_org_id, severity, calendar, targets).items():
        setattr(sla, field, value)
    return _saved(sla, actor=actor, action="sla_policy.update", after={"name": name, **targets})


@transaction.atomic
def delete_sla_policy(*, actor: Person, sla: SlaPolicy) -> None:
    policy.check_configure(actor)
    audit.record(actor=actor, action="sla_policy.delete", obj=sla)
    sla.delete()


# ------------------------------------------------------------------ escalation chains


def validate_steps(trigger: str, steps: list[StepSpec]) -> dict[str, str]:
    """The rules of a chain's steps, as field errors keyed `steps.N.field` (empty: valid)."""
    errors = {}
    if not steps:
        errors["steps"] = str(_("A chain has at least one step."))
    for i, step in enumerate(steps):
        if step.condition in CLOCKED and not step.clock:
            errors[f"steps.{i}.clock"] = str(_("A clock condition names its clock."))
        if (step.condition in VISITED) != (trigger == Trigger.VISIT):
            errors[f"steps.{i}.condition"] = str(
                _("Site-visit chains wait on the visit or its next step; other chains never do.")
            )
        # complaints: their chains wait on the missed deadline, and only they do
        complained = step.condition == StepCondition.COMPLAINT_OVERDUE
        if complained != (trigger == Trigger.COMPLAINT):
            errors[f"steps.{i}.condition"] = str(
                _("Complaint chains wait on the missed deadline; other chains never do.")
            )
        if step.target == StepTarget.COMPLAINT_HANDLER and trigger != Trigger.COMPLAINT:
            errors[f"steps.{i}.target"] = str(_("Only complaint chains have a handler."))
        if (step.condition in CHANGED) != (trigger == Trigger.CHANGE):
            errors[f"steps.{i}.condition"] = str(
                _("Emergency-change chains wait on the authorisation; other chains never do.")
            )
        if step.target == StepTarget.NEXT_STEP_OWNER and trigger != Trigger.VISIT:
            errors[f"steps.{i}.target"] = str(_("Only site-visit chains have a next step's owner."))
        if step.target == StepTarget.HANDOFF_TARGET and trigger != Trigger.HANDOFF:
            errors[f"steps.{i}.target"] = str(_("Only hand-off chains have a proposed new owner."))
        unknown = [c for c in step.channels if c not in ContactChannel.values]
        if unknown or not step.channels:
            errors[f"steps.{i}.channels"] = str(
                _("Unknown channel: %(c)s") % {"c": ", ".join(unknown)}
            )
    return errors


def _write_chain(chain, *, actor, action, name, trigger, customer_org_id, severity, active, steps):
    errors = validate_steps(trigger, steps)
    if errors:
        raise ValidationFailed(fields=errors)
    chain.name, chain.trigger, chain.severity, chain.active = name, trigger, severity, active
    chain.customer_org = customer_org(customer_org_id)
    with transaction.atomic():
        chain.save()
        chain.steps.all().delete()
        for order, step in enumerate(steps, 1):
            EscalationStep.objects.create(
                policy=chain,
                order=order,
                target=step.target,
                wait_minutes=step.wait_minutes,
                channels=",".join(step.channels),
                condition=step.condition,
                clock=step.clock or "",
                percent=step.percent,
            )
        audit.record(
            actor=actor,
            action=action,
            obj=chain,
            after={"name": name, "steps": [asdict(s) for s in steps]},
        )
    return chain


def create_escalation_policy(
    *,
    actor: Person,
    name: str,
    trigger: str,
    customer_org_id: int | None,
    severity: str,
    active: bool,
    steps: list[StepSpec],
) -> EscalationPolicy:
    policy.check_configure(actor)
    return _write_chain(
        EscalationPolicy(),
        actor=actor,
        action="escalation_policy.create",
        name=name,
        trigger=trigger,
        customer_org_id=customer_org_id,
        severity=severity,
        active=active,
        steps=steps,
    )


def update_escalation_policy(
    *,
    actor: Person,
    chain: EscalationPolicy,
    name: str,
    trigger: str,
    customer_org_id: int | None,
    severity: str,
    active: bool,
    steps: list[StepSpec],
) -> EscalationPolicy:
    """Replace a chain and its steps; chains already running keep their frozen copy."""
    policy.check_configure(actor)
    return _write_chain(
        chain,
        actor=actor,
        action="escalation_policy.update",
        name=name,
        trigger=trigger,
        customer_org_id=customer_org_id,
        severity=severity,
        active=active,
        steps=steps,
    )


@transaction.atomic
def delete_escalation_policy(*, actor: Person, chain: EscalationPolicy) -> None:
    policy.check_configure(actor)
    audit.record(actor=actor, action="escalation_policy.delete", obj=chain)
    chain.delete()
