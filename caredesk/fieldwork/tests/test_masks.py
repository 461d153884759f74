"""Masking rules: the change they belong to, their end under the customer's maximum, their
breadth, bulk creation all or nothing, removal keeping the record, and who sees them."""

import datetime as dt

import pytest

from caredesk import clock
from caredesk.errors import NotFound, PermissionDenied
from caredesk.fieldwork.masks import policy, selectors, services
from caredesk.fieldwork.masks.services import RuleDraft
from caredesk.fieldwork.models import (
    ChangeKind,
    ChangeStatus,
    MaskingLimit,
    MaskingRule,
    MaskStatus,
)
from caredesk.notify.models import Message
from caredesk.stakeholders import services as map_services
from caredesk.stakeholders.models import Subscription


def _draft(**extra) -> RuleDraft:
    values = {"reason": "升级后割接告警", "elements": ["OTN-07"], "alarm_codes": ["LOS"]}
    values.update(extra)
    return RuleDraft(**values)


def _codes(exc) -> set[str]:
    return {p.code for p in exc.value.rows}


def test_mask_without_approved_change_refused(cast, at, masking_change):
    at(0)
    with pytest.raises(services.MaskChangeRequired):
        services.create_rule(actor=cast.b, change=None, draft=_draft())
    for status in (ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.REJECTED):
        with pytest.raises(services.MaskChangeNotApproved):
            services.create_rule(actor=cast.b, change=masking_change(status), draft=_draft())
    upgrade = masking_change(kind=ChangeKind.UPGRADE)
    with pytest.raises(services.MaskChangeRequired):
        services.create_rule(actor=cast.b, change=upgrade, draft=_draft())
    assert not MaskingRule.objects.exists()
    rule = services.create_rule(actor=cast.b, change=masking_change(), draft=_draft())
    assert rule.is_active and rule.change.status == ChangeStatus.APPROVED


def test_mask_requires_end_and_expires(cast, at, masking_change):
    start = at(0)
    map_services.add_stakeholder(
        actor=cast.admin,
        organisation=cast.orgs.lakeside,
        person=cast.y,
        subscriptions=[Subscription.MASK_ADDED, Subscription.MASK_EXPIRING],
    )
    rule = services.create_rule(actor=cast.d, change=masking_change(), draft=_draft(owner=cast.b))
    # No end given: the default 24 hours; the owner and the subscribed customer are told.
    assert rule.ends_at == start + dt.timedelta(hours=24)
    told = set(Message.objects.filter(template="mask_added").values_list("recipient", flat=True))
    assert told == {cast.b.pk, cast.y.pk}
    at(23 * 60 + 30)
    assert MaskingRule.objects.get(pk=rule.pk).status == MaskStatus.ACTIVE
    assert Message.objects.filter(template="mask_expiring", recipient=cast.b).count() == 1
    at(24 * 60)
    ended = MaskingRule.objects.get(pk=rule.pk)
    assert ended.status == MaskStatus.EXPIRED and ended.expired_at == start + dt.timedelta(hours=24)
    expired = Message.objects.filter(template="mask_expired")
    assert set(expired.values_list("recipient", flat=True)) == {cast.b.pk, cast.y.pk}
    # An end in the past, or before the start, is refused.
    with pytest.raises(services.MaskRowsInvalid) as refused:
        services.create_rule(
            actor=cast.d, change=masking_change(), draft=_draft(ends_at=clock.now())
        )
    assert _codes(refused) == {"end_in_past"}


def test_mask_past_maximum_refused(cast, at, masking_change):
    now = at(0)
    change = masking_change()
    # Without a limit of its own the customer gets the installation's (72 hours).
    with pytest.raises(services.MaskRowsInvalid) as refused:
        services.create_rule(
            actor=cast.d, change=change, draft=_draft(ends_at=now + dt.timedelta(hours=73))
        )
    assert _codes(refused) == {"mask_too_long"}
    # The province's limit holds for its branch.
    MaskingLimit.objects.create(customer_org=cast.orgs.province, max_hours=12)
    assert selectors.max_duration(cast.orgs.lakeside.pk) == dt.timedelta(hours=12)
    with pytest.raises(services.MaskRowsInvalid) as refused:
        services.create_rule(
            actor=cast.d, change=change, draft=_draft(ends_at=now + dt.timedelta(hours=13))
        )
    assert _codes(refused) == {"mask_too_long"}
    assert refused.value.rows[0].column == "ends_at"
    # So does the default end: 24 hours is past 12.
    with pytest.raises(services.MaskRowsInvalid):
        services.create_rule(actor=cast.d, change=change, draft=_draft())
    ok = services.create_rule(
        actor=cast.d, change=change, draft=_draft(ends_at=now + dt.timedelta(hours=12))
    )
    assert ok.ends_at - ok.starts_at == dt.timedelta(hours=12)


def test_match_everything_mask_refused(cast, at, masking_change):
    at(0)
    change = masking_change()
    regex = {"name": "alarm_code", "isRegex": True, "isEqual": True}
    cases = [
        RuleDraft(reason="全部屏蔽"),  # nothing at all
        RuleDraft(reason="r", matchers=[{**regex, "value": ".*"}]),
        RuleDraft(reason="r", matchers=[{**regex, "value": ".+"}]),
        RuleDraft(reason="r", matchers=[{"name": "ne", "value": "OTN-07", "isEqual": False}]),
        RuleDraft(reason="r", matchers=[{**regex, "value": "(.*)|x"}]),
    ]
    for draft in cases:
        with pytest.raises(services.MaskRowsInvalid) as refused:
            services.create_rule(actor=cast.d, change=change, draft=draft)
        assert _codes(refused) == {"mask_too_broad"}, draft
    with pytest.raises(services.MaskRowsInvalid) as refused:
        services.create_rule(
            actor=cast.d, change=change, draft=_draft(matchers=[{**regex, "value": "LOS("}])
        )
    assert _codes(refused) == {"regex_invalid"}
    assert not MaskingRule.objects.exists()
    narrow = services.create_rule(
        actor=cast.d,
        change=change,
        draft=RuleDraft(reason="r", matchers=[{**regex, "value": "LOS|LOF"}]),
    )
    assert narrow.matchers == [{**regex, "value": "LOS|LOF"}]


def test_bulk_is_all_or_nothing_and_names_every_bad_row(cast, at, masking_change):
    now = at(0)
    change = masking_change(elements=["OTN-07", "OTN-08"])
    drafts = [
        _draft(),
        _draft(elements=["OTN-99"]),  # not an element of the change
        _draft(reason="", ends_at=now + dt.timedelta(days=10)),
    ]
    with pytest.raises(services.MaskRowsInvalid) as refused:
        services.create_rules(actor=cast.d, change=change, drafts=drafts)
    named = {(p.row, p.column, p.code) for p in refused.value.rows}
    assert named == {
        (2, "elements", "element_outside_change"),
        (3, "reason", "reason_required"),
        (3, "ends_at", "mask_too_long"),
    }
    assert not MaskingRule.objects.exists()
    made = services.create_rules(
        actor=cast.d,
        change=change,
        drafts=[_draft(elements=[e], owner=cast.b) for e in ("OTN-07", "OTN-08")],
    )
    assert [r.elements for r in made] == [["OTN-07"], ["OTN-08"]]
    # Told once for the whole batch, not once per rule.
    assert Message.objects.filter(template="mask_added", recipient=cast.b).count() == 1
    assert {r.matchers[1]["name"] for r in made} == {"ne"}


def test_removing_keeps_the_record(cast, at, masking_change):
    at(0)
    rule = services.create_rule(actor=cast.d, change=masking_change(), draft=_draft())
    with pytest.raises(PermissionDenied):
        services.remove_rule(actor=cast.c, rule=rule, reason="不需要了")
    removed = services.remove_rule(actor=cast.d, rule=rule, reason="升级已回退", version=1)
    assert removed.status == MaskStatus.REMOVED and removed.removed_by == cast.d
    assert MaskingRule.objects.filter(pk=rule.pk, remove_reason="升级已回退").exists()
    with pytest.raises(services.MaskNotActive):
        services.remove_rule(actor=cast.d, rule=rule, reason="again")
    # Its timers are cancelled: its end passes without a second ending.
    at(25 * 60)
    assert MaskingRule.objects.get(pk=rule.pk).status == MaskStatus.REMOVED


def test_who_sees_and_makes_rules(cast, at, masking_change):
    at(0)
    mine = masking_change()
    others = masking_change(customer_org=cast.orgs.other, executor=cast.c)
    rule = services.create_rule(actor=cast.d, change=mine, draft=_draft())
    other_rule = services.create_rule(actor=cast.c, change=others, draft=_draft())
    assert selectors.rule_for(cast.y, rule.pk) == rule  # its customer
    assert selectors.rule_for(cast.x, rule.pk) == rule  # the province above it
    assert selectors.rule_for(cast.h, other_rule.pk) == other_rule  # vendor staff
    for outsider, hidden in ((cast.o, rule), (cast.z, rule), (cast.d, other_rule)):
        with pytest.raises(NotFound):
            selectors.rule_for(outsider, hidden.pk)
    # A partner masks only under a change he executes; a customer never.
    with pytest.raises(NotFound):
        services.create_rule(actor=cast.d, change=others, draft=_draft())
    with pytest.raises(PermissionDenied):
        services.create_rule(actor=cast.y, change=mine, draft=_draft())
    assert set(selectors.rules_visible_to(cast.d)) == {rule}
    assert set(selectors.rules_visible_to(cast.a, element="OTN-07")) == {rule, other_rule}
    assert not selectors.rules_visible_to(cast.a, element="OTN-99").exists()
    # The list and the one-rule check agree, for everyone.
    for person in cast.people.values():
        listed = set(selectors.rules_visible_to(person))
        for r in (rule, other_rule):
            assert (r in listed) == policy.can_view(person, r, r.change), (person, r)
