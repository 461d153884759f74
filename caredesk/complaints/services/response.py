"""Answering the complainant: the response (approved by the handler's manager before it is
sent when the complaint's severity is high) and the call-backs — the first one, due by its
deadline, and the one after the response that asks whether they are satisfied. A complainant
who is not satisfied keeps the complaint open: the handler works it again, with a fresh
resolve deadline (the 12345 call-back, redone when the answer is "not satisfied")."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.directory.models import Person
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind
from caredesk.tickets.rules import Limits

from .. import policy, selectors
from ..models import CallBack, Complaint, DeadlineKind, EntryKind, Severity, Status
from . import _base, deadlines


def _send(actor: Person, complaint: Complaint, before: dict, approved_by: Person | None):
    """The response leaves: the complainant is told, the resolve deadline is met."""
    complaint.status, complaint.response_sent_at = Status.RESPONDED, clock.now()
    complaint.response_approved_by = approved_by
    met = deadlines.settle(complaint, DeadlineKind.RESOLVE)
    _base.save(
        complaint,
        *("status", "response", "response_by", "response_sent_at", "response_approved_by"),
        "next_due",
    )
    told = _base.tell_complainant(
        complaint, "complaint_response", "response", text=complaint.response
    )
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.RESPONSE,
        event=EventKind.COMPLAINT_RESPONDED,
        body=complaint.response,
        data={"approved_by": approved_by.name if approved_by else "", "told": told},
        event_data={"answered": met},
        action="complaint.respond" if approved_by is None else "complaint.approve",
        before=before,
    )


@transaction.atomic
def respond(
    *, actor: Person, complaint: Complaint, text: str, version: int | None = None
) -> Complaint:
    """The handler's answer to the complainant. Severity high: it waits for the handler's
    manager to approve it (who is told); otherwise it is sent now."""
    complaint = _base.lock(complaint, version)
    policy.check_handle(actor, complaint)
    _base.require(
        complaint, {Status.IN_PROGRESS, Status.RESPONDED}, _("Acknowledge the complaint first.")
    )
    answer = _base.text(text, "text", required=True, limit=Limits.TEXT)
    before = _base.snapshot(complaint)
    complaint.response, complaint.response_by = answer, actor
    if complaint.severity != Severity.HIGH:
        _send(actor, complaint, before, None)
        return complaint
    approver = selectors.approver_for(complaint)
    complaint.status = Status.AWAITING_APPROVAL
    _base.save(complaint, "response", "response_by", "status")
    _base.tell_staff(complaint, approver, "complaint_approval", "approval", text=answer)
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.RESPONSE,
        event=EventKind.COMPLAINT_WORKED,
        body=answer,
        internal=True,
        data={"awaiting": approver.name if approver else ""},
        action="complaint.draft_response",
        before=before,
    )
    return complaint


@transaction.atomic
def approve_response(
    *, actor: Person, complaint: Complaint, version: int | None = None
) -> Complaint:
    """The handler's manager approves a high-severity response, which is then sent."""
    complaint = _base.lock(complaint, version)
    policy.check_approve(actor, complaint, selectors.approver_for(complaint))
    _base.require(complaint, {Status.AWAITING_APPROVAL})
    before = _base.snapshot(complaint)
    _send(actor, complaint, before, actor)
    return complaint


@transaction.atomic
def record_callback(
    *,
    actor: Person,
    complaint: Complaint,
    reached: bool,
    satisfied: bool | None = None,
    note: str = "",
    version: int | None = None,
) -> CallBack:
    """A call to the complainant (回访). Reached before the response, it is the first
    call-back; after the response, it records whether they are satisfied — and not satisfied
    sends the complaint back to work with a fresh resolve deadline."""
    complaint = _base.lock(complaint, version)
    policy.check_handle(actor, complaint)
    _base.require(
        complaint,
        {Status.IN_PROGRESS, Status.AWAITING_APPROVAL, Status.RESPONDED},
        _("Acknowledge the complaint first."),
    )
    text = _base.text(note, "note", required=False, limit=Limits.NOTE)
    return call_back(actor, complaint, reached=reached, satisfied=satisfied, text=text)


def call_back(
    actor: Person,
    complaint: Complaint,
    *,
    reached: bool,
    satisfied: bool | None,
    text: str,
    by_complainant: bool = False,
) -> CallBack:
    """The write of a call-back, checks done (the handler's call, or the complainant's own
    answer on the portal): not satisfied after the response sends the complaint back to work."""
    after_response = complaint.status == Status.RESPONDED
    if after_response and reached and satisfied is None:
        raise Invalid(fields={"satisfied": str(_("Say whether the complainant is satisfied."))})
    if not reached and satisfied is not None:
        raise Invalid(fields={"satisfied": str(_("Nobody answered: nobody was satisfied."))})
    now = clock.now()
    before = _base.snapshot(complaint)
    call = CallBack.objects.create(
        complaint=complaint,
        by=actor,
        at=now,
        reached=bool(reached),
        satisfied=satisfied if reached else None,
        after_response=after_response,
        note=text,
    )
    fields = ["next_due"]
    if reached and complaint.first_callback_at is None:
        complaint.first_callback_at = now
        fields.append("first_callback_at")
    rejected = after_response and reached and satisfied is False
    if rejected:
        complaint.status = Status.IN_PROGRESS
        complaint.resolve_due = deadlines.fresh_resolve_due(complaint, now)
        complaint.overdue = {k: v for k, v in complaint.overdue.items() if k != "resolve"}
        fields += ["status", "resolve_due", "overdue"]
    met = deadlines.settle(complaint, DeadlineKind.CALLBACK)
    if rejected:
        deadlines.schedule(complaint, DeadlineKind.RESOLVE)
    _base.save(complaint, *fields)
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.CALLBACK,
        event=EventKind.COMPLAINT_CALLED_BACK,
        body=text,
        internal=False,
        data={
            "reached": call.reached,
            "satisfied": call.satisfied,
            "after_response": after_response,
            "rejected": rejected,
            "by_complainant": by_complainant,
        },
        event_data={"answered": met, "satisfied": call.satisfied},
        action="complaint.answer" if by_complainant else "complaint.callback",
        before=before,
    )
    return call
