"""Shared steps of the complaint verbs: lock, save with a new version, write the timeline
entry, the audit record and the event together, and tell the complainant or a colleague
through the outbox — all in the verb's transaction."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caredesk import clock, events
from caredesk.audit import services as audit
from caredesk.directory.models import Person
from caredesk.errors import InvalidTransition, StaleVersion
from caredesk.errors import ValidationFailed as Invalid
from caredesk.inputs import text_problem
from caredesk.notify import addressing, outbox
from caredesk.notify.models import EndpointKind

from ..models import Complaint, ComplaintEntry


class ComplaintStale(StaleVersion):
    default_message = _(
        "Someone changed this complaint after you loaded it. Reload it and try again."
    )


class ComplaintNotInStep(InvalidTransition):
    code = "complaint_invalid_step"
    default_message = _("This step is not possible in the complaint's current status.")


def lock(complaint: Complaint | int, version: int | None = None) -> Complaint:
    """Re-read the complaint under a row lock (complaint verbs lock only the complaint)."""
    pk = complaint.pk if isinstance(complaint, Complaint) else complaint
    Complaint.objects.select_for_update().values_list("pk", flat=True).get(pk=pk)
    fresh = Complaint.objects.select_related(
        "handler", "complainant", "customer_org", "registered_by", "category"
    ).get(pk=pk)
    if version is not None and fresh.version != version:
        raise ComplaintStale(fields={"version": str(fresh.version)})
    return fresh


def save(complaint: Complaint, *fields: str) -> None:
    complaint.version += 1
    complaint.updated_at = clock.now()
    complaint.save(update_fields=[*fields, "version", "updated_at"])


def text(value: str | None, field: str, *, required: bool, limit: int) -> str:
    cleaned = (value or "").strip()
    if problem := text_problem(cleaned, required=required, max_length=limit):
        raise Invalid(fields={field: problem})
    return cleaned


def require(complaint: Complaint, statuses, message=None) -> None:
    if complaint.status not in statuses:
        raise ComplaintNotInStep(message, fields={"status": complaint.status})


def snapshot(c: Complaint) -> dict[str, Any]:
    """What the audit record keeps of a complaint, before and after a step."""
    return {
        "number": c.number,
        "status": c.status,
        "handler": c.handler_id,
        "severity": c.severity,
        "impact": c.impact,
        "category": c.category_id,
        "subcategory": c.subcategory_id,
        "acknowledge_due": c.acknowledge_due,
        "callback_due": c.callback_due,
        "resolve_due": c.resolve_due,
        "acknowledged_at": c.acknowledged_at,
        "first_callback_at": c.first_callback_at,
        "root_cause": c.root_cause_id,
        "response_sent_at": c.response_sent_at,
        "response_approved_by": c.response_approved_by_id,
        "withdrawn_at": c.withdrawn_at,
        "withdrawn_by": c.withdrawn_by_id,
        "closed_at": c.closed_at,
        "closure": c.closure,
        "overdue": c.overdue,
        "version": c.version,
    }


def ticket_ids(complaint: Complaint) -> list[int]:
    return list(complaint.links.order_by("position", "id").values_list("ticket_id", flat=True))


def tell(
    *,
    actor: Person | None,
    complaint: Complaint,
    kind: str,
    event: str,
    body: str = "",
    internal: bool = False,
    data: dict | None = None,
    event_data: dict | None = None,
    action: str,
    before: dict | None,
    obj=None,
) -> ComplaintEntry:
    """The step's timeline entry, audit record and event (on the main ticket), together."""
    now = clock.now()
    entry = ComplaintEntry.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor,
        body=body,
        internal=internal,
        data=data or {},
        at=now,
    )
    target = obj if obj is not None else complaint
    after = snapshot(complaint) if obj is None else None
    audit.record(actor=actor, action=action, obj=target, before=before, after=after)
    ids = ticket_ids(complaint)
    events.publish(
        events.Event(
            kind=event,
            ticket_id=ids[0],
            actor_id=getattr(actor, "pk", None),
            at=now,
            data={
                "complaint_id": complaint.pk,
                "number": complaint.number,
                "ticket_ids": ids,
                "handler_id": complaint.handler_id,
                **(event_data or {}),
            },
            actor=actor,
        )
    )
    return entry


def local(moment: dt.datetime | None) -> str:
    """A moment for a message body, in the installation's zone (Asia/Shanghai by default)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def context(complaint: Complaint, **extra) -> dict:
    handler = complaint.handler
    return {
        "number": complaint.number,
        "complainant_name": complaint.complainant_name,
        "handler_name": handler.name,
        "handler_phone": handler.phone,
        "category": complaint.category.name,
        "category_en": complaint.category.name_en or complaint.category.name,
        "remedy_sought": complaint.remedy_sought,
        "url": f"{settings.SITE_URL}/complaints/{complaint.number}/",
        **extra,
    }


def tell_complainant(complaint: Complaint, template: str, step: str, **extra) -> str:
    """Queue the complainant's message; returns the channel it goes by ("" when there is no
    way to reach them: a caller not in the directory and no SMS gateway — then the handler
    tells them by phone, and the timeline says so)."""
    key = f"complaint:{complaint.pk}:v{complaint.version}:{step}"
    topic = f"complaint:{complaint.pk}"
    ctx = context(complaint, **extra)
    person = complaint.complainant
    if person is not None and person.is_active:
        where = addressing.resolve(person, "email")
        if not where.address:
            return ""
        outbox.enqueue(
            channel=where.channel,
            where=where,
            recipient=person,
            template=template,
            key=key,
            context=ctx,
            language=person.language,
            topic=topic,
        )
        return where.channel
    gateway = addressing.endpoint_for(EndpointKind.WEBHOOK, complaint.customer_org_id)
    if gateway is None or not complaint.complainant_phone:
        return ""
    outbox.enqueue(
        channel="sms",
        address=complaint.complainant_phone,
        endpoint=gateway,
        template=template,
        key=key,
        context=ctx,
        language="zh-hans",
        topic=topic,
    )
    return "sms"


def tell_staff(complaint: Complaint, person: Person | None, template: str, step: str, **extra):
    """Queue a message to a colleague (the handler, the approver, the manager)."""
    if person is None or not person.is_active:
        return
    outbox.enqueue(
        channel="email",
        recipient=person,
        template=template,
        key=f"complaint:{complaint.pk}:v{complaint.version}:{step}:p{person.pk}",
        context=context(complaint, **extra),
        language=person.language,
        topic=f"complaint:{complaint.pk}",
    )
