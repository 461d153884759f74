"""Who hears about masking rules, and the outbox rows that tell them (inside the verb's or the
timer's transaction; the worker delivers after commit).

The rules' owners hear, and every stakeholder of the customer — a province's entries with
branches included, too — who subscribes to masking (`mask_added` when rules are made or
removed, `mask_expiring` before and at their end): the morning shift of seed case 5 learns what
the night shift masked. Rules made together are told together: one message per change, batch
and person, not one per rule.
"""

from django.conf import settings
from django.utils import timezone

from caredesk.directory import refdata
from caredesk.directory.models import Person
from caredesk.notify import addressing, outbox
from caredesk.stakeholders.models import ContactChannel, Stakeholder, Subscription

from ..models import ChangeRequest, MaskingRule
from . import matchers as matching

# How many elements a message lists before "…".
LISTED = 10


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _stakeholders(change: ChangeRequest, subscription: str) -> list[tuple[Person, str]]:
    """(person, channel) of the customer's map entries (and the maps above it that include
    branches) subscribed to `subscription`, whose products and regions cover the change."""
    lineage = refdata.lineage(change.customer_org_id)
    entries = (
        Stakeholder.objects.filter(organisation_id__in=lineage, person__is_active=True)
        .select_related("person")
        .prefetch_related("products", "regions")
        .order_by("pk")
    )
    found = []
    for entry in entries:
        if entry.organisation_id != change.customer_org_id and not entry.include_branches:
            continue
        if subscription not in entry.subscriptions:
            continue
        products = {p.pk for p in entry.products.all()}
        regions = {r.pk for r in entry.regions.all()}
        if products and change.product_id and change.product_id not in products:
            continue
        if regions and change.region_id and change.region_id not in regions:
            continue
        found.append((entry.person, entry.channel))
    return found


def _context(change: ChangeRequest, rules: list[MaskingRule], actor: Person | None) -> dict:
    elements = sorted({e for r in rules for e in r.elements})
    ends = sorted(r.ends_at for r in rules)
    return {
        "number": change.number,
        "title": change.title,
        "customer": change.customer_org.name,
        "count": len(rules),
        "elements": ", ".join(elements[:LISTED]) + (" …" if len(elements) > LISTED else ""),
        "matchers": matching.as_text(rules[0].matchers) if len(rules) == 1 else "",
        "reason": rules[0].reason,
        "owner_name": rules[0].owner.name,
        "actor_name": actor.name if actor else "CareDesk",
        "first_end": _local(ends[0]),
        "last_end": _local(ends[-1]),
        "remove_reason": rules[0].remove_reason,
        "url": f"{settings.SITE_URL}/masks/?change={change.pk}",
    }


def _tell(
    *,
    change: ChangeRequest,
    rules: list[MaskingRule],
    template: str,
    subscription: str,
    key: str,
    actor: Person | None,
) -> None:
    context = _context(change, rules, actor)
    audience: list[tuple[Person, str]] = [
        (owner, ContactChannel.EMAIL) for owner in {r.owner_id: r.owner for r in rules}.values()
    ]
    audience += _stakeholders(change, subscription)
    messages = {}
    for person, channel in audience:
        if actor is not None and person.pk == actor.pk:
            continue
        where = addressing.resolve(person, channel)
        message = outbox.prepare(
            channel=where.channel,
            where=where,
            recipient=person,
            template=template,
            key=f"masks:{key}:{template}:{where.key}",
            context=context,
            language=person.language,
            topic=f"change:{change.pk}",
        )
        messages.setdefault(message.idempotency_key, message)
    outbox.enqueue_many(list(messages.values()))


def rules_added(*, actor: Person, change: ChangeRequest, rules: list[MaskingRule]) -> None:
    _tell(
        change=change,
        rules=rules,
        template="mask_added",
        subscription=Subscription.MASK_ADDED,
        key=rules[0].batch,
        actor=actor,
    )


def rules_removed(*, actor: Person, change: ChangeRequest, rules: list[MaskingRule]) -> None:
    _tell(
        change=change,
        rules=rules,
        template="mask_removed",
        subscription=Subscription.MASK_ADDED,
        key=f"removed:{rules[0].pk}",
        actor=actor,
    )


def rules_ended(*, rules: list[MaskingRule], template: str) -> None:
    """Rules about to end (`mask_expiring`) or ended (`mask_expired`): one message per change
    and batch to each person concerned."""
    groups: dict[tuple[int, str], list[MaskingRule]] = {}
    for rule in rules:
        groups.setdefault((rule.change_id, rule.batch), []).append(rule)
    for (_change_id, batch), mine in groups.items():
        ids = sorted(r.pk for r in mine)
        _tell(
            change=mine[0].change,
            rules=mine,
            template=template,
            subscription=Subscription.MASK_EXPIRING,
            key=f"{batch}:{ids[0]}-{ids[-1]}:{len(ids)}",
            actor=None,
        )
