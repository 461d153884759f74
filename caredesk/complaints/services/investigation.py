"""Investigating a complaint: internal notes, the root cause from the taxonomy (recorded, not
free text only), and corrective actions with an owner, a due date and a verification."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.directory import refdata
from caredesk.directory.models import Person
from caredesk.errors import NotFound
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind
from caredesk.inputs import moment_problem
from caredesk.tickets.rules import Limits

from .. import policy
from ..models import Category, Complaint, CorrectiveAction, EntryKind, Status
from . import _base

WORKING = {Status.IN_PROGRESS, Status.AWAITING_APPROVAL, Status.RESPONDED}
MAX_AHEAD = dt.timedelta(days=366)


@transaction.atomic
def add_note(*, actor: Person, complaint: Complaint, body: str) -> Complaint:
    """An investigation note: internal, never shown to the customer."""
    complaint = _base.lock(complaint)
    policy.check_handle(actor, complaint)
    _base.require(complaint, WORKING | {Status.RECEIVED})
    text = _base.text(body, "body", required=True, limit=Limits.TEXT)
    _base.save(complaint)
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.NOTE,
        event=EventKind.COMPLAINT_WORKED,
        body=text,
        internal=True,
        action="complaint.note",
        before=None,
    )
    return complaint


@transaction.atomic
def record_root_cause(
    *,
    actor: Person,
    complaint: Complaint,
    cause: Category | None,
    note: str,
    version: int | None = None,
) -> Complaint:
    """The root cause, chosen from the taxonomy (a category or a sub-category), with the
    findings; recorded again when the investigation learns more."""
    complaint = _base.lock(complaint, version)
    policy.check_handle(actor, complaint)
    _base.require(complaint, WORKING, _("Acknowledge the complaint first."))
    if cause is None or not cause.active:
        raise Invalid(fields={"cause": str(_("Choose a root cause of the taxonomy."))})
    findings = _base.text(note, "note", required=True, limit=Limits.TEXT)
    before = _base.snapshot(complaint)
    complaint.root_cause, complaint.root_cause_note = cause, findings
    _base.save(complaint, "root_cause", "root_cause_note")
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.ROOT_CAUSE,
        event=EventKind.COMPLAINT_WORKED,
        body=findings,
        internal=True,
        data={"cause": cause.code, "cause_name": cause.name, "cause_name_en": cause.name_en},
        action="complaint.root_cause",
        before=before,
    )
    return complaint


def check_action_owner(owner: Person | None, complaint: Complaint) -> None:
    ok = (
        owner is not None
        and owner.can_own_tickets
        and owner.organisation_id is not None
        and (
            complaint.office_id in refdata.subtree(owner.organisation_id)
            or refdata.organisation(owner.organisation_id).kind == "partner"
        )
    )
    if not ok:
        raise Invalid(fields={"owner": str(_("Choose a colleague or partner engineer."))})


@transaction.atomic
def add_action(
    *,
    actor: Person,
    complaint: Complaint,
    description: str,
    owner: Person | None,
    due_at: dt.datetime,
) -> CorrectiveAction:
    """A corrective action (整改措施): what, who, by when; verified later."""
    complaint = _base.lock(complaint)
    policy.check_handle(actor, complaint)
    _base.require(complaint, WORKING, _("Acknowledge the complaint first."))
    what = _base.text(description, "description", required=True, limit=Limits.REASON)
    check_action_owner(owner, complaint)
    now = clock.now()
    if problem := moment_problem(due_at):
        raise Invalid(fields={"due_at": problem})
    if due_at <= now or due_at > now + MAX_AHEAD:
        raise Invalid(fields={"due_at": str(_("Give a time still to come, within a year."))})
    action = CorrectiveAction.objects.create(
        complaint=complaint,
        description=what,
        owner=owner,
        due_at=due_at,
        created_by=actor,
        created_at=now,
    )
    _base.save(complaint)
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.ACTION,
        event=EventKind.COMPLAINT_WORKED,
        body=what,
        internal=True,
        data={"action": action.pk, "owner_name": owner.name, "due_at": due_at.isoformat()},
        action="complaint.action",
        before=None,
        obj=action,
    )
    return action


@transaction.atomic
def verify_action(
    *, actor: Person, action: CorrectiveAction, effective: bool, verification: str
) -> CorrectiveAction:
    """The handler verifies a corrective action was done and whether it worked."""
    complaint = _base.lock(action.complaint_id)
    policy.check_handle(actor, complaint)
    fresh = CorrectiveAction.objects.filter(pk=action.pk, complaint=complaint).first()
    if fresh is None:
        raise NotFound()
    if fresh.verified_at is not None:
        raise _base.ComplaintNotInStep(_("This action has been verified already."))
    text = _base.text(verification, "verification", required=True, limit=Limits.REASON)
    fresh.verified_at, fresh.verified_by = clock.now(), actor
    fresh.verification, fresh.effective = text, bool(effective)
    fresh.save(update_fields=["verified_at", "verified_by", "verification", "effective"])
    _base.save(complaint)
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.ACTION_VERIFIED,
        event=EventKind.COMPLAINT_WORKED,
        body=text,
        internal=True,
        data={"action": fresh.pk, "effective": fresh.effective},
        action="complaint.action_verify",
        before=None,
        obj=fresh,
    )
    return fresh
