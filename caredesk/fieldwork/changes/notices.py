"""Where a change's messages leave: the stakeholders of the affected scope are told before the
window opens, and after the outcome (done, rolled back, failed — or cancelled, once they had
been told it was coming). Outbox rows, in the transaction of what they report; the worker
delivers them."""

from django.conf import settings
from django.utils import timezone, translation

from caredesk.notify import addressing, outbox
from caredesk.notify.models import Message
from caredesk.stakeholders import selectors as stakeholder_selectors
from caredesk.stakeholders.models import Subscription

from ..models import ChangeRequest

PLANNED = "change_planned"
OUTCOME = "change_outcome"


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def audience(change: ChangeRequest, subscription: str) -> list:
    """The stakeholder entries covering any of the change's elements (their sites) for its
    customer, product and region, subscribed to `subscription`: one per person."""
    seen: dict[int, object] = {}
    for target in change.targets.all():
        where = " ".join(filter(None, [target.site, target.element]))
        for row in stakeholder_selectors.covering(
            customer_org=change.customer_org,
            product_id=change.product_id,
            region_id=change.region_id,
            site=where,
            subscription=subscription,
        ):
            seen.setdefault(row.person_id, row)
    return list(seen.values())


def _context(change: ChangeRequest, language: str) -> dict:
    with translation.override(language):
        kind = str(change.get_kind_display())
        status = str(change.get_status_display())
        risk = str(change.get_risk_display())
    return {
        "number": change.number,
        "title": change.title,
        "kind": kind,
        "status": change.status,
        "status_label": status,
        "risk": risk,
        "window_start": local(change.window_start),
        "window_end": local(change.window_end),
        "elements": ", ".join(t.element for t in change.targets.all()),
        "executor_name": change.executor.name,
        "executor_phone": change.executor.phone,
        "requester_name": change.requester.name,
        "requester_phone": change.requester.phone,
        "note": change.outcome_note or change.cancel_reason,
        "url": f"{settings.SITE_URL}/changes/{change.pk}/",
    }


def _tell(change: ChangeRequest, subscription: str, template: str, step: str) -> int:
    messages = {}
    for row in audience(change, subscription):
        person = row.person
        where = addressing.resolve(person, row.channel)
        key = f"change:{change.pk}:{step}:{where.key}"
        messages.setdefault(
            key,
            outbox.prepare(
                channel=where.channel,
                where=where,
                recipient=person,
                template=template,
                key=key,
                context=_context(change, person.language),
                language=person.language,
                topic=f"change:{change.pk}",
            ),
        )
    outbox.enqueue_many(list(messages.values()))
    return len(messages)


def window_opening(change: ChangeRequest) -> int:
    """Before the window opens: what will be done where, when, by whom, and how it is undone."""
    return _tell(change, Subscription.CHANGE_PLANNED, PLANNED, "planned")


def outcome(change: ChangeRequest) -> int:
    """After the outcome (or the cancellation of a change they were told of)."""
    return _tell(change, Subscription.CHANGE_DONE, OUTCOME, change.status)


def was_announced(change: ChangeRequest) -> bool:
    """Whether the stakeholders were told the change was coming (its notice left the outbox's
    door: the rows exist)."""
    return Message.objects.filter(topic=f"change:{change.pk}", template=PLANNED).exists()
