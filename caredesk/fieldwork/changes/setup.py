"""What administrators publish for change requests: standard templates (a plan approved once,
in advance, for every use — a standard change made from one skips approval) and blackout
windows (periods closed to changes: holidays, major events). One door each, audited."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import Organisation, OrgKind, Person
from caredesk.directory.policy import can_write_reference_data
from caredesk.errors import PermissionDenied
from caredesk.errors import ValidationFailed as Invalid
from caredesk.inputs import moment_problem
from caredesk.tickets.rules import Limits

from ..models import BlackoutWindow, ChangeKind, ChangeRisk, ChangeTemplate
from .services import RollbackPlanRequired, clean_text


def _check_admin(actor: Person) -> None:
    if not can_write_reference_data(actor):
        raise PermissionDenied(_("Only administrators publish templates and blackout windows."))


def _customer(org: Organisation | None) -> None:
    if org is not None and org.kind != OrgKind.CUSTOMER:
        raise Invalid(fields={"customer_org": str(_("Choose a customer organisation."))})


@transaction.atomic
def publish_template(
    *,
    actor: Person,
    name: str,
    kind: str,
    plan: str,
    rollback_plan: str,
    risk: str,
    customer_org: Organisation | None = None,
) -> ChangeTemplate:
    """Publish a standard change: its plan, rollback plan and risk, for one customer (and its
    branches) or for all. Every standard template has a rollback plan."""
    _check_admin(actor)
    _customer(customer_org)
    if kind not in ChangeKind.values:
        raise Invalid(fields={"kind": str(_("Choose the kind of operation."))})
    if risk not in ChangeRisk.values:
        raise Invalid(fields={"risk": str(_("Choose low, medium or high."))})
    name = clean_text(name, "name", required=True, limit=Limits.TITLE)
    plan = clean_text(plan, "plan", required=True)
    rollback_plan = clean_text(rollback_plan, "rollback_plan", required=False)
    if not rollback_plan:
        raise RollbackPlanRequired(
            _("A standard change is approved in advance: it needs a rollback plan."),
            fields={"rollback_plan": str(RollbackPlanRequired.default_message)},
        )
    now = clock.now()
    template = ChangeTemplate.objects.create(
        name=name,
        kind=kind,
        plan=plan,
        rollback_plan=rollback_plan,
        risk=risk,
        customer_org=customer_org,
        published=True,
        published_by=actor,
        published_at=now,
        created_at=now,
    )
    audit.record(
        actor=actor,
        action="change_template.publish",
        obj=template,
        after={"name": name, "kind": kind, "risk": risk, "customer_org": template.customer_org_id},
    )
    return template


@transaction.atomic
def declare_blackout(
    *,
    actor: Person,
    name: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    customer_org: Organisation | None = None,
    reason: str = "",
) -> BlackoutWindow:
    """Close a period to changes, for one customer (and its branches) or for all: a change
    whose window touches it is flagged and goes ahead only with an override reason."""
    _check_admin(actor)
    _customer(customer_org)
    name = clean_text(name, "name", required=True, limit=Limits.TITLE)
    reason = clean_text(reason, "reason", required=False, limit=Limits.REASON)
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if problem := moment_problem(moment):
            raise Invalid(fields={field: problem})
    if ends_at <= starts_at:
        raise Invalid(fields={"ends_at": str(_("The window closes after it opens."))})
    blackout = BlackoutWindow.objects.create(
        name=name,
        customer_org=customer_org,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        declared_by=actor,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="blackout.declare",
        obj=blackout,
        after={"name": name, "starts_at": starts_at, "ends_at": ends_at},
    )
    return blackout
