"""Draft → published: edits are anonymised, a stale version is refused, a published case is
read-only; the report's dicts have exactly the agreed shape and period."""

import datetime as dt

import pytest

from caredesk.errors import NotFound, PermissionDenied, ValidationFailed
from caredesk.insights.cases import reporting, selectors, services

KEYS = {"title", "tags", "customer_voice", "event_replay", "analysis", "lessons", "actions"}


@pytest.fixture
def closed_ticket(cast, open_request, at):
    from caredesk.tickets import services as tickets

    at(0, fire=False)
    t = open_request(title="告警丢失", customer_voice="升级后告警上不来")
    at(5, fire=False)
    tickets.acknowledge(actor=cast.b, ticket=t)
    tickets.resolve(actor=cast.b, ticket=t, note="已恢复")
    tickets.confirm_closure(actor=cast.y, ticket=t)
    return t


@pytest.fixture
def draft(cast, closed_ticket):
    return services.generate_case(actor=cast.a, ticket=closed_ticket)


def test_edits_are_anonymised_and_versioned(cast, draft):
    case = services.edit_case(
        actor=cast.a,
        case=draft,
        version=draft.version,
        changes={
            "analysis": "李博没有及时打给徐霞（137-0000-0101, customer.x@demo.caredesk.invalid）",
            "lessons": "江南省电信湖滨分公司要先知道",
            "actions": ["CD-2026-000001 复盘"],
        },
    )
    assert "李博" not in case.analysis and "徐霞" not in case.analysis
    assert "[电话]" in case.analysis or "[phone]" in case.analysis
    assert "湖滨分公司" not in case.lessons and (
        "XX分公司" in case.lessons or "XX branch" in case.lessons
    )
    assert "CD-2026" not in case.actions[0]
    with pytest.raises(services.StaleCase):
        services.edit_case(actor=cast.a, case=case, version=draft.version, changes={"lessons": "x"})
    with pytest.raises(PermissionDenied):
        services.edit_case(actor=cast.b, case=case, version=case.version, changes={"lessons": "x"})
    with pytest.raises(NotFound):
        services.edit_case(actor=cast.d, case=case, version=case.version, changes={"lessons": "x"})


def test_published_case_is_read_only(cast, draft):
    with pytest.raises(ValidationFailed) as refused:
        services.publish_case(actor=cast.a, case=draft)
    assert set(refused.value.fields) == {"analysis", "lessons"}
    draft = services.edit_case(
        actor=cast.a,
        case=draft,
        version=draft.version,
        changes={"analysis": "分析", "lessons": "教训"},
    )
    case = services.publish_case(actor=cast.a, case=draft, version=draft.version)
    assert case.is_published and case.published_by == cast.a
    with pytest.raises(services.CasePublished) as conflict:
        services.edit_case(actor=cast.a, case=case, version=case.version, changes={"title": "x"})
    assert conflict.value.status == 409
    with pytest.raises(services.CasePublished):
        services.publish_case(actor=cast.a, case=case)


def test_report_dicts_have_the_agreed_shape_and_follow_period_and_access(cast, draft):
    draft = services.edit_case(
        actor=cast.a,
        case=draft,
        version=draft.version,
        changes={"analysis": "分析", "lessons": "教训", "actions": ["巡检"]},
    )
    services.publish_case(actor=cast.a, case=draft)
    start = draft.occurred_at - dt.timedelta(days=1)
    end = draft.occurred_at + dt.timedelta(days=1)
    found = reporting.cases_for_report(cast.b, period_start=start, period_end=end)
    assert len(found) == 1 and set(found[0]) == KEYS
    one = found[0]
    assert isinstance(one["tags"], list) and all(isinstance(t, str) for t in one["tags"])
    assert one["actions"] == ["巡检"]
    assert all(set(r) == {"at", "actor", "what"} for r in one["event_replay"])
    assert (
        reporting.cases_for_report(cast.b, period_start=end, period_end=end + dt.timedelta(1)) == []
    )
    assert reporting.cases_for_report(cast.y, period_start=start, period_end=end) == []
    assert reporting.cases_for_report(cast.d, period_start=start, period_end=end) == []
    assert reporting.cases_for_report(
        cast.b, period_start=start, period_end=end, customer=cast.orgs.province
    )  # the branch's case is the province's too
    assert not reporting.cases_for_report(
        cast.b, period_start=start, period_end=end, customer=cast.orgs.other
    )
    assert list(selectors.library(cast.b, q="告警")) == [draft]
    assert list(selectors.library(cast.b, q="停电")) == []
    assert list(selectors.library(cast.y)) == []
