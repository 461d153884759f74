"""The verbs of learning cases: generate a draft from a closed complaint or ticket, edit it,
publish it. Each checks the policy, writes the case and its audit record in one transaction.
Every text a case keeps passes through the anonymiser — the generated parts and the manager's
own words alike."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.complaints import policy as complaint_policy
from caredesk.complaints.models import ENDED_STATUSES, Category, Complaint, CorrectiveAction
from caredesk.directory.models import Person, Product
from caredesk.errors import Conflict, NotFound, PermissionDenied
from caredesk.errors import ValidationFailed as Invalid
from caredesk.inputs import storable
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import Status, Ticket
from caredesk.tickets.search import segment

from . import policy, replay
from .anonymise import Anonymiser
from .models import CaseStatus, LearningCase


class Limits:
    """Characters (and items), read by the API schemas and the page forms too."""

    TITLE = 200
    TEXT = 20000
    ACTION = 1000
    ACTIONS = 30


class CasePublished(Conflict):
    code = "case_published"
    default_message = _("This learning case is published and can no longer be changed.")


class CaseExists(Conflict):
    code = "case_exists"
    default_message = _("A learning case already exists for this record.")


class SourceNotClosed(Conflict):
    code = "source_not_closed"
    default_message = _("A learning case is made from a closed complaint or a closed ticket.")


class StaleCase(Conflict):
    code = "stale_version"
    default_message = _(
        "Someone changed this case after you loaded it. Reload it and apply your change again."
    )


def _words(case: LearningCase) -> str:
    tags = [
        t
        for tag in (case.category, case.root_cause, case.product)
        if tag
        for t in (tag.name, tag.name_en)
    ]
    texts = [case.title, case.customer_voice, case.analysis, case.lessons, *case.actions, *tags]
    texts += [i.get("text", "") for i in case.replay]
    return segment("\n".join(t for t in texts if t))


def _snapshot(case: LearningCase) -> dict[str, Any]:
    return {
        "status": case.status,
        "title": case.title,
        "analysis": case.analysis,
        "lessons": case.lessons,
        "actions": case.actions,
        "category": case.category_id,
        "root_cause": case.root_cause_id,
        "product": case.product_id,
        "version": case.version,
    }


@transaction.atomic
def generate_case(
    *, actor: Person, complaint: Complaint | None = None, ticket: Ticket | None = None
) -> LearningCase:
    """A draft case from a closed (or withdrawn) complaint, or from a closed ticket: the
    customer's words, the event replay and, from a complaint, its findings and corrective
    actions as a start of the analysis — all anonymised. Managers of the serving office only;
    one case per complaint, and per ticket told without one."""
    if (complaint is None) == (ticket is None):
        raise Invalid(fields={"source": str(_("Name a complaint or a ticket."))})
    # Read afresh: the caller's copy may predate the closing.
    if complaint is not None:
        complaint = Complaint.objects.select_related("category").filter(pk=complaint.pk).first()
    else:
        ticket = Ticket.objects.select_related("product").filter(pk=ticket.pk).first()
    if complaint is None and ticket is None:
        raise NotFound()
    if complaint is not None:
        if not complaint_policy.can_view(actor, complaint) or not policy.is_staff(actor):
            raise NotFound()
        office_id, main = complaint.office_id, complaint.links.order_by("position").first()
        if main is None:
            raise NotFound()
        ticket = main.ticket
        closed = complaint.status in ENDED_STATUSES
        exists = LearningCase.objects.filter(complaint=complaint).exists()
    else:
        if not ticket_policy.can_view(actor, ticket) or not policy.is_staff(actor):
            raise NotFound()
        office_id = ticket.office_id
        closed = ticket.status == Status.CLOSED
        exists = LearningCase.objects.filter(ticket=ticket, complaint__isnull=True).exists()
    if not policy.is_manager_for(actor, office_id):
        raise PermissionDenied(_("Only the office's service manager generates learning cases."))
    if not closed:
        raise SourceNotClosed()
    if exists:
        raise CaseExists()

    anon = Anonymiser()
    items = replay.build(complaint=complaint, ticket=ticket, anon=anon)
    voice = replay.customer_voice(complaint=complaint, ticket=ticket, anon=anon)
    heading = complaint.category.local_name if complaint else ticket.product.local_name
    title = f"{heading} · {anon.text(ticket.title)}"[: Limits.TITLE]
    analysis, actions = "", []
    if complaint is not None:
        analysis = anon.text(complaint.root_cause_note)
        actions = [
            anon.text(a.description)
            for a in CorrectiveAction.objects.filter(complaint=complaint).order_by("due_at", "pk")
        ]
    now = clock.now()
    case = LearningCase(
        complaint=complaint,
        ticket=ticket,
        office_id=office_id,
        customer_org_id=complaint.customer_org_id if complaint else ticket.customer_org_id,
        category=complaint.category if complaint else None,
        root_cause=complaint.root_cause if complaint else None,
        product=ticket.product,
        title=title,
        customer_voice=voice,
        replay=items,
        analysis=analysis,
        actions=actions,
        cast=anon.cast,
        language=get_language() or "zh-hans",
        occurred_at=complaint.received_at if complaint else ticket.created_at,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    case.words = _words(case)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # generated at the same moment by someone else
        raise CaseExists() from exc
    audit.record(actor=actor, action="case.generate", obj=case, after=_snapshot(case))
    return case


def _locked(case: LearningCase | int) -> LearningCase:
    pk = case.pk if isinstance(case, LearningCase) else case
    found = (
        LearningCase.objects.select_for_update(of=("self",))
        .select_related("category", "root_cause", "product")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def _check_editable(actor: Person, case: LearningCase, version: int | None) -> None:
    policy.check_view(actor, case)
    policy.check_write(actor, case)
    if case.is_published:
        raise CasePublished()
    if version is not None and version != case.version:
        raise StaleCase()


def _text(value: Any, field: str, limit: int, *, required: bool, errors: dict) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not isinstance(value, str) and value is not None:
        errors[field] = str(_("Give text."))
    elif required and not text:
        errors[field] = str(_("This field is required."))
    elif len(text) > limit:
        errors[field] = str(_("At most %(n)d characters.") % {"n": limit})
    elif not storable(text):
        errors[field] = str(_("Remove the NUL (\\x00) or unpaired surrogate character."))
    return text


EDITABLE = (
    "title",
    "customer_voice",
    "analysis",
    "lessons",
    "actions",
    "category",
    "root_cause",
    "product",
)


@transaction.atomic
def edit_case(
    *, actor: Person, case: LearningCase, version: int | None, changes: dict[str, Any]
) -> LearningCase:
    """Change a draft's words or tags. `changes` holds any of EDITABLE: texts, a list of
    corrective actions, and tags as Category / Product instances (or None). What is written is
    anonymised with the case's letters. A published case refuses (CasePublished)."""
    case = _locked(case)
    _check_editable(actor, case, version)
    errors: dict[str, str] = {}
    unknown = sorted(set(changes) - set(EDITABLE))
    for field in unknown:
        errors[field] = str(_("This field cannot be changed."))
    anon = Anonymiser(case.cast)
    before = _snapshot(case)
    for field, limit, required in (
        ("title", Limits.TITLE, True),
        ("customer_voice", Limits.TEXT, True),
        ("analysis", Limits.TEXT, False),
        ("lessons", Limits.TEXT, False),
    ):
        if field in changes:
            text = _text(changes[field], field, limit, required=required, errors=errors)
            if field not in errors:
                setattr(case, field, anon.text(text)[:limit])
    if "actions" in changes:
        actions = changes["actions"]
        if not isinstance(actions, list) or len(actions) > Limits.ACTIONS:
            errors["actions"] = str(_("Give at most %(n)d actions.") % {"n": Limits.ACTIONS})
        else:
            kept = []
            for i, a in enumerate(actions):
                text = _text(a, f"actions.{i}", Limits.ACTION, required=False, errors=errors)
                if text:
                    kept.append(anon.text(text)[: Limits.ACTION])
            case.actions = kept
    for field, model in (("category", Category), ("root_cause", Category), ("product", Product)):
        if field in changes:
            value = changes[field]
            if value is not None and not isinstance(value, model):
                errors[field] = str(_("Choose one of the list."))
            else:
                setattr(case, field, value)
    if errors:
        raise Invalid(fields=errors)
    case.cast = anon.cast
    case.words = _words(case)
    case.version += 1
    case.updated_at = clock.now()
    case.save()
    audit.record(actor=actor, action="case.edit", obj=case, before=before, after=_snapshot(case))
    return case


@transaction.atomic
def publish_case(*, actor: Person, case: LearningCase, version: int | None = None) -> LearningCase:
    """Publish a draft: from now on it is read-only (the post-incident review frozen at close).
    It needs the manager's analysis and lessons."""
    case = _locked(case)
    _check_editable(actor, case, version)
    missing = {
        field: str(_("Write the %(part)s before publishing.") % {"part": label})
        for field, label in (("analysis", _("analysis")), ("lessons", _("lessons")))
        if not getattr(case, field).strip()
    }
    if missing:
        raise Invalid(_("Write the analysis and the lessons before publishing."), fields=missing)
    before = _snapshot(case)
    now = clock.now()
    case.status = CaseStatus.PUBLISHED
    case.published_at, case.published_by = now, actor
    case.version += 1
    case.updated_at = now
    case.save()
    audit.record(actor=actor, action="case.publish", obj=case, before=before, after=_snapshot(case))
    return case
