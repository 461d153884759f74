"""Working a low score's follow-up: the service manager closes it with a note (what they did:
called the customer, found the cause), or turns it into a complaint — the complaint itself is
opened by caredesk.complaints, from the page; this records that it was, and which one."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import Person
from caredesk.errors import Conflict, StaleVersion
from caredesk.errors import ValidationFailed as Invalid
from caredesk.inputs import text_problem
from caredesk.tickets.rules import Limits

from .. import policy
from ..models import FollowUp, FollowUpStatus


class FollowUpNotOpen(Conflict):
    code = "follow_up_not_open"
    default_message = _("This follow-up is already closed.")


class FollowUpStale(StaleVersion):
    default_message = _(
        "Someone changed this follow-up after you loaded it. Reload it and try again."
    )


def _locked(follow_up: FollowUp | int, version: int | None) -> FollowUp:
    pk = follow_up.pk if isinstance(follow_up, FollowUp) else follow_up
    FollowUp.objects.select_for_update().values_list("pk", flat=True).get(pk=pk)
    fresh = FollowUp.objects.select_related("survey", "manager").get(pk=pk)
    if version is not None and fresh.version != version:
        raise FollowUpStale(fields={"version": str(fresh.version)})
    return fresh


def _snapshot(f: FollowUp) -> dict:
    return {
        "status": f.status,
        "note": f.note,
        "complaint_ref": f.complaint_ref,
        "closed_by": f.closed_by_id,
        "version": f.version,
    }


def _finish(
    *, actor: Person, follow_up: FollowUp, status: str, note: str, ref: str, version: int | None
) -> FollowUp:
    follow_up = _locked(follow_up, version)
    policy.check_work(actor, follow_up)
    if not follow_up.is_open:
        raise FollowUpNotOpen()
    before = _snapshot(follow_up)
    follow_up.status = status
    follow_up.note = note
    follow_up.complaint_ref = ref
    follow_up.closed_at = clock.now()
    follow_up.closed_by = actor
    follow_up.version += 1
    follow_up.save(
        update_fields=["status", "note", "complaint_ref", "closed_at", "closed_by", "version"]
    )
    audit.record(
        actor=actor,
        action=f"survey.follow_up.{status}",
        obj=follow_up,
        before=before,
        after=_snapshot(follow_up),
    )
    return follow_up


@transaction.atomic
def close_follow_up(
    *, actor: Person, follow_up: FollowUp | int, note: str, version: int | None = None
) -> FollowUp:
    """Close an open follow-up with a note saying what was done (required)."""
    text = (note or "").strip()
    if problem := text_problem(text, required=True, max_length=Limits.NOTE):
        raise Invalid(fields={"note": problem})
    return _finish(
        actor=actor,
        follow_up=follow_up,
        status=FollowUpStatus.CLOSED,
        note=text,
        ref="",
        version=version,
    )


@transaction.atomic
def record_complaint(
    *, actor: Person, follow_up: FollowUp | int, complaint_ref: str, version: int | None = None
) -> FollowUp:
    """The follow-up became a complaint (opened by the caller in this transaction): it is
    closed, naming the complaint."""
    ref = (complaint_ref or "").strip()
    if not ref or len(ref) > 40:
        raise Invalid(fields={"complaint_ref": str(_("Name the complaint."))})
    return _finish(
        actor=actor,
        follow_up=follow_up,
        status=FollowUpStatus.COMPLAINT,
        note="",
        ref=ref,
        version=version,
    )
