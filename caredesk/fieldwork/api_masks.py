"""/api/v1 alarm-masking rules: list (?customer=&element=&active=&change=), bulk create under an
approved alarm-masking change, one rule, remove; and /masks/unauthorised, what Alertmanager
holds that CareDesk did not authorise. Parse, look up what the caller may see, call a verb,
return the fresh rule."""

from datetime import datetime

from django.conf import settings
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from caredesk.apikit import Id, IdParam, Version, error_responses
from caredesk.directory.models import Person
from caredesk.errors import ValidationFailed
from caredesk.tickets.paging import decode_cursor, encode_cursor
from caredesk.tickets.rules import Limits

from .masks import matchers as matching
from .masks import policy, selectors, services
from .models import MaskingRule

router = Router(tags=["alarm masking"])
PAGE = 100


# ---------------------------------------------------------------- schemas


class MatcherIO(Schema):
    name: str = Field(min_length=1, max_length=100)
    value: str = Field(max_length=matching.MAX_VALUE)
    isRegex: bool = False  # noqa: N815  (Alertmanager's own names)
    isEqual: bool = True  # noqa: N815


class RuleIn(Schema):
    matchers: list[MatcherIO] = Field(
        [], max_length=matching.MAX_MATCHERS, description="Alertmanager's matchers"
    )
    elements: list[str] = Field(
        [], max_length=services.MAX_ELEMENTS, description="Network elements (matched on `ne`)"
    )
    alarm_codes: list[str] = Field(
        [], max_length=services.MAX_ALARM_CODES, description="Alarm codes (`alarm_code`)"
    )
    reason: str = Field(min_length=1, max_length=Limits.REASON)
    starts_at: datetime | None = Field(None, description="Now when left out")
    ends_at: datetime | None = Field(None, description="24 hours after the start when left out")
    owner: Id | None = Field(None, description="The caller when left out")


class BulkIn(Schema):
    change: Id
    rules: list[RuleIn] = Field(min_length=1, max_length=services.MAX_RULES)


class BulkOut(Schema):
    count: int
    ids: list[int]
    batch: str


class MaskPersonOut(Schema):
    id: int
    name: str


class MaskOut(Schema):
    id: int
    number: str
    change: int
    change_number: str
    customer: int
    customer_name: str
    matchers: list[MatcherIO]
    elements: list[str]
    alarm_codes: list[str]
    reason: str
    owner: MaskPersonOut
    starts_at: datetime
    ends_at: datetime
    status: str = Field(description="active, expired or removed")
    removed_at: datetime | None
    remove_reason: str
    alertmanager: str = Field(description="in_step, to_push, to_expire or failed")
    silence_id: str | None
    silence_missing: bool = Field(description="Alertmanager no longer holds its silence")
    version: int


class MaskPage(Schema):
    items: list[MaskOut]
    next_cursor: str | None


class RemoveIn(Schema):
    reason: str = Field(min_length=1, max_length=Limits.REASON)
    version: Version | None = None


class ForeignOut(Schema):
    silence_id: str
    matchers: list[dict]
    created_by: str
    comment: str
    starts_at: datetime | None
    ends_at: datetime | None
    state: str
    first_seen_at: datetime
    last_seen_at: datetime


class UnauthorisedOut(Schema):
    configured: bool = Field(description="Whether an Alertmanager is configured")
    checked_at: datetime | None = Field(description="The reconciler's last pass")
    check_ok: bool | None
    check_detail: str
    silences: list[ForeignOut]
    missing: list[MaskOut] = Field(description="Active rules whose silence went missing")


class MaskQuery(Schema):
    customer: IdParam | None = None
    element: str = Field("", max_length=200)
    active: bool | None = None
    change: IdParam | None = None
    cursor: str | None = Field(None, max_length=100)


# ---------------------------------------------------------------- shaping


def mask_out(rule: MaskingRule) -> dict:
    return {
        "id": rule.pk,
        "number": rule.number,
        "change": rule.change_id,
        "change_number": rule.change.number,
        "customer": rule.customer_org_id,
        "customer_name": rule.customer_org.name,
        "matchers": rule.matchers,
        "elements": rule.elements,
        "alarm_codes": rule.alarm_codes,
        "reason": rule.reason,
        "owner": {"id": rule.owner_id, "name": rule.owner.name},
        "starts_at": rule.starts_at,
        "ends_at": rule.ends_at,
        "status": rule.status,
        "removed_at": rule.removed_at,
        "remove_reason": rule.remove_reason,
        "alertmanager": rule.sync_state,
        "silence_id": rule.silence_id or None,
        "silence_missing": rule.silence_missing_at is not None,
        "version": rule.version,
    }


def _people(ids: set[int]) -> dict[int, Person]:
    found = Person.objects.in_bulk(ids)
    if missing := ids - set(found):
        raise ValidationFailed(fields={"owner": f"No such person: {min(missing)}."})
    return found


# ---------------------------------------------------------------- endpoints


@router.get("/masks", response={200: MaskPage, **error_responses(404)})
def list_masks(request, q: Query[MaskQuery]):
    """The rules the caller may see, newest first, by pages (`next_cursor`)."""
    qs = selectors.rules_visible_to(
        request.auth,
        customer_org_id=q.customer,
        element=q.element.strip(),
        active=q.active,
        change_id=q.change,
    ).order_by("-id")
    if q.cursor:
        qs = qs.filter(id__lt=decode_cursor(q.cursor))
    rows = list(qs[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return {
        "items": [mask_out(r) for r in rows],
        "next_cursor": encode_cursor(rows[-1].pk) if more and rows else None,
    }


@router.post("/masks", response={201: BulkOut, **error_responses(403, 404, 409)})
def create_masks(request, payload: BulkIn):
    """Make rules under an approved (or in-progress) alarm-masking change, all or none: a 422
    `mask_rows_invalid` names every bad rule in `fields` as `rows.N.column`. Without an end a
    rule lasts 24 hours; none lasts past the customer's maximum. The worker pushes them to
    Alertmanager after commit."""
    change = selectors.change_for(request.auth, payload.change)
    owners = _people({r.owner for r in payload.rules if r.owner is not None})
    drafts = [
        services.RuleDraft(
            reason=r.reason,
            matchers=[m.dict() for m in r.matchers],
            elements=r.elements,
            alarm_codes=r.alarm_codes,
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            owner=owners.get(r.owner) if r.owner is not None else None,
        )
        for r in payload.rules
    ]
    rules = services.create_rules(actor=request.auth, change=change, drafts=drafts)
    return Answer(201, {"count": len(rules), "ids": [r.pk for r in rules], "batch": rules[0].batch})


@router.get("/masks/unauthorised", response={200: UnauthorisedOut, **error_responses(403)})
def unauthorised(request):
    """Live silences in Alertmanager that no CareDesk rule authorised (made there directly),
    and active rules whose silence went missing, as the reconciler last found them."""
    policy.check_see_foreign(request.auth)
    last = selectors.last_reconcile()
    return {
        "configured": bool(settings.ALERTMANAGER_URL),
        "checked_at": last.at if last else None,
        "check_ok": last.ok if last else None,
        "check_detail": last.detail if last else "",
        "silences": list(selectors.foreign_silences()),
        "missing": [mask_out(r) for r in selectors.missing_silences()[:500]],
    }


@router.get("/masks/{mask_id}", response={200: MaskOut, **error_responses(404)})
def get_mask(request, mask_id: IdParam):
    return mask_out(selectors.rule_for(request.auth, mask_id))


@router.post("/masks/{mask_id}/remove", response={200: MaskOut, **error_responses(403, 404, 409)})
def remove_mask(request, mask_id: IdParam, payload: RemoveIn):
    """End a rule before its time, saying why; the record stays, its silence is expired in
    Alertmanager by the worker."""
    services.remove_rule(
        actor=request.auth,
        rule=selectors.rule_for(request.auth, mask_id),
        reason=payload.reason,
        version=payload.version,
    )
    return mask_out(selectors.rule_for(request.auth, mask_id))
