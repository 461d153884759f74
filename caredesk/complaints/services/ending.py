"""How a complaint ends, and begins again: withdrawn by the complainant (撤诉, with the time
and who recorded it), closed on the complainant's confirmation or on a recorded refusal with
the further recourse they were told (ISO 10002: a complainant who rejects the decision is told
where else to turn), and reopened with a reason."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.directory.models import Person
from caredesk.errors import Conflict
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind
from caredesk.tickets.rules import Limits

from .. import policy
from ..models import (
    ENDED_STATUSES,
    OPEN_STATUSES,
    Closure,
    Complaint,
    EntryKind,
    Status,
)
from . import _base, deadlines
from .response import call_back


class ClosureNeedsAnswer(Conflict):
    """Closing needs the complainant's answer at a call-back after the response: satisfied
    (their confirmation), or not satisfied with the recourse they were told recorded."""

    code = "closure_needs_answer"
    default_message = _(
        "Close only on the complainant's confirmation, or on their recorded refusal with the "
        "further recourse told."
    )


def _ended(actor: Person, complaint: Complaint) -> dict:
    return {
        "complainant_id": complaint.complainant_id,
        "ticket_ids": _base.ticket_ids(complaint),
        "handler_id": complaint.handler_id,
    }


@transaction.atomic
def withdraw(
    *,
    actor: Person,
    complaint: Complaint,
    note: str,
    withdrawn_name: str = "",
    version: int | None = None,
) -> Complaint:
    """The complainant withdraws the complaint (撤诉) — usually after a call-back solved it:
    the moment, who recorded it and who withdrew are kept; deadlines and escalation stop."""
    complaint = _base.lock(complaint, version)
    policy.check_withdraw(actor, complaint)
    _base.require(complaint, OPEN_STATUSES)
    why = _base.text(note, "note", required=True, limit=Limits.REASON)
    name = _base.text(withdrawn_name, "withdrawn_name", required=False, limit=100)
    before = _base.snapshot(complaint)
    complaint.status, complaint.withdrawn_at = Status.WITHDRAWN, clock.now()
    complaint.withdrawn_by, complaint.withdrawn_note = actor, why
    complaint.withdrawn_name = name or complaint.complainant_name
    complaint.next_due = None
    deadlines.cancel_all(complaint)
    _base.save(
        complaint,
        "status",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_note",
        "withdrawn_name",
        "next_due",
    )
    told = _base.tell_complainant(complaint, "complaint_withdrawn", "withdrawn", text=why)
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.WITHDRAWN,
        event=EventKind.COMPLAINT_WITHDRAWN,
        body=why,
        data={"withdrawn_name": complaint.withdrawn_name, "told": told},
        event_data=_ended(actor, complaint),
        action="complaint.withdraw",
        before=before,
    )
    return complaint


@transaction.atomic
def close(
    *,
    actor: Person,
    complaint: Complaint,
    outcome: str,
    note: str = "",
    recourse: str = "",
    version: int | None = None,
) -> Complaint:
    """Close (办结) once the response was sent and the complainant answered a call-back:
    `confirmed` needs them satisfied; `refused` needs them not satisfied and the further
    recourse they were told (e.g. the 12300 line). Anything else is refused."""
    complaint = _base.lock(complaint, version)
    policy.check_handle(actor, complaint)
    _base.require(complaint, {Status.IN_PROGRESS, Status.RESPONDED})
    if complaint.response_sent_at is None:
        raise ClosureNeedsAnswer(_("Send the response to the complainant first."))
    last = (
        complaint.callbacks.filter(after_response=True, reached=True).order_by("-at", "-id").first()
    )
    if outcome not in Closure.values:
        raise Invalid(fields={"outcome": str(_("Choose confirmed or refused."))})
    if outcome == Closure.CONFIRMED and (last is None or last.satisfied is not True):
        raise ClosureNeedsAnswer(
            fields={"outcome": str(_("No call-back has recorded the complainant satisfied."))}
        )
    told = _base.text(recourse, "recourse", required=False, limit=Limits.REASON)
    if outcome == Closure.REFUSED:
        if last is None or last.satisfied is not False:
            raise ClosureNeedsAnswer(
                fields={"outcome": str(_("No call-back has recorded the complainant's refusal."))}
            )
        if not told:
            raise ClosureNeedsAnswer(
                fields={"recourse": str(_("Record the further recourse the complainant was told."))}
            )
    remark = _base.text(note, "note", required=False, limit=Limits.NOTE)
    return _close(actor, complaint, outcome=outcome, remark=remark, told=told)


def _close(actor: Person, complaint: Complaint, *, outcome: str, remark: str, told: str):
    """The write of a closure, its conditions checked by the caller."""
    before = _base.snapshot(complaint)
    complaint.status, complaint.closed_at, complaint.closed_by = Status.CLOSED, clock.now(), actor
    complaint.closure, complaint.closure_note, complaint.recourse_told = outcome, remark, told
    complaint.next_due = None
    deadlines.cancel_all(complaint)
    _base.save(
        complaint,
        "status",
        "closed_at",
        "closed_by",
        "closure",
        "closure_note",
        "recourse_told",
        "next_due",
    )
    sent = _base.tell_complainant(
        complaint, "complaint_closed", "closed", outcome=outcome, recourse=told
    )
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.CLOSED,
        event=EventKind.COMPLAINT_CLOSED,
        body=remark,
        data={"outcome": outcome, "recourse": told, "told": sent},
        event_data={**_ended(actor, complaint), "outcome": outcome},
        action="complaint.close",
        before=before,
    )
    return complaint


@transaction.atomic
def reopen(
    *, actor: Person, complaint: Complaint, reason: str, version: int | None = None
) -> Complaint:
    """A closed or withdrawn complaint is worked again (the complainant called back), with a
    fresh resolve deadline."""
    complaint = _base.lock(complaint, version)
    policy.check_handle(actor, complaint)
    _base.require(complaint, ENDED_STATUSES)
    why = _base.text(reason, "reason", required=True, limit=Limits.REASON)
    before = _base.snapshot(complaint)
    now = clock.now()
    complaint.status = Status.IN_PROGRESS if complaint.acknowledged_at else Status.RECEIVED
    complaint.closed_at = complaint.closed_by = complaint.withdrawn_at = None
    complaint.withdrawn_by = None
    complaint.closure, complaint.withdrawn_name = "", ""
    complaint.response_sent_at = None
    complaint.resolve_due = deadlines.fresh_resolve_due(complaint, now)
    complaint.overdue = {}
    complaint.reopened_count += 1
    for deadline in deadlines.FIELDS:
        deadlines.schedule(complaint, deadline)
    deadlines.refresh_next_due(complaint)
    _base.save(
        complaint,
        "status",
        "closed_at",
        "closed_by",
        "withdrawn_at",
        "withdrawn_by",
        "closure",
        "withdrawn_name",
        "response_sent_at",
        "resolve_due",
        "overdue",
        "reopened_count",
        "next_due",
    )
    _base.tell(
        actor=actor,
        complaint=complaint,
        kind=EntryKind.REOPENED,
        event=EventKind.COMPLAINT_REOPENED,
        body=why,
        action="complaint.reopen",
        before=before,
    )
    return complaint


@transaction.atomic
def answer_response(
    *,
    actor: Person,
    complaint: Complaint,
    accepted: bool,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """The complainant's own answer to the response, on the customer portal — their
    confirmation without waiting for a call-back. Accepted closes the complaint as confirmed by
    them; not accepted (with what is still wrong) sends it back to work with a fresh resolve
    deadline, exactly as a call-back recording them not satisfied does. The handler is told
    either way. Only the complainant answers, and only a response that was sent."""
    complaint = _base.lock(complaint, version)
    policy.check_answer(actor, complaint)
    _base.require(complaint, {Status.RESPONDED}, _("There is no response waiting for your answer."))
    text = _base.text(comment, "comment", required=not accepted, limit=Limits.NOTE)
    call_back(actor, complaint, reached=True, satisfied=accepted, text=text, by_complainant=True)
    if accepted:
        complaint = _close(actor, complaint, outcome=Closure.CONFIRMED, remark=text, told="")
    _base.tell_staff(
        complaint,
        complaint.handler,
        "complaint_answered",
        "answered",
        accepted=accepted,
        text=text,
        resolve_due=_base.local(complaint.resolve_due),
    )
    return complaint
