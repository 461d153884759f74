"""Change requests: no operation on a customer's network without authorisation (seed case 3).
A partner engineer starts and records only approved changes inside their window; nobody
approves their own change; medium risk needs the customer too; high risk needs a rollback plan;
a window that runs into another change on the same element, or a blackout, is flagged and goes
ahead only with a reason. Outsiders do not find the change at all."""

import datetime as dt

import pytest

from caredesk import clock
from caredesk.audit.models import AuditRecord
from caredesk.errors import NotFound, PermissionDenied
from caredesk.fieldwork.changes import policy, selectors, services
from caredesk.fieldwork.changes.services import (
    ChangeConflicts,
    ChangeNotApproved,
    OutsideWindow,
    RollbackPlanRequired,
)
from caredesk.fieldwork.models import BlackoutWindow, ChangeRequest, ChangeRisk, ChangeStatus

CHECKS = [{"item": "业务告警清零", "ok": True}, {"item": "专线业务恢复", "ok": True}]


def _approved(cast, change):
    return services.approve_change(actor=cast.p, change=change)


def test_partner_cannot_execute_unapproved_change(cast, make_change, at):
    at(0, fire=False)
    change = make_change(submit=True)
    at(150, fire=False)  # inside the window
    with pytest.raises(ChangeNotApproved) as refused:
        services.start_change(actor=cast.d, change=change)
    assert refused.value.code == "change_not_approved" and refused.value.status == 409
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.SUBMITTED
    # Approved, the same partner starts it in its window.
    change = _approved(cast, change)
    assert change.status == ChangeStatus.APPROVED
    change = services.start_change(actor=cast.d, change=change)
    assert change.status == ChangeStatus.IN_PROGRESS and change.started_by == cast.d
    # Only the executor records it; an outsider does not even find it.
    with pytest.raises(PermissionDenied):
        services.verify_change(
            actor=cast.c, change=change, checklist=CHECKS, execution_note="已完成升级"
        )
    with pytest.raises(NotFound):
        selectors.change_for(cast.o, change.pk)


def test_partner_cannot_start_outside_window(cast, make_change, at):
    at(0, fire=False)
    change = _approved(cast, make_change(submit=True))
    at(60, fire=False)  # an hour before the window opens
    with pytest.raises(OutsideWindow) as refused:
        services.start_change(actor=cast.d, change=change)
    assert refused.value.code == "change_outside_window"
    assert ChangeRequest.objects.get(pk=change.pk).started_at is None
    at(150, fire=False)
    change = services.start_change(actor=cast.d, change=change)
    at(300, fire=False)  # the window closed an hour ago: no recording of execution now
    with pytest.raises(OutsideWindow):
        services.verify_change(
            actor=cast.d, change=change, checklist=CHECKS, execution_note="已完成升级"
        )
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.IN_PROGRESS
    # Undoing is never refused.
    change = services.roll_back_change(actor=cast.d, change=change, note="超出窗口，按方案回退")
    assert change.status == ChangeStatus.ROLLED_BACK
    with pytest.raises(NotFound):
        selectors.change_for(cast.z, change.pk)  # Hillside's contact: not his network


def test_self_approval_refused(cast, make_change, at):
    at(0, fire=False)
    # leader.p holds the approver's role for every product, yet requests this one himself.
    change = make_change(actor=cast.p, executor=cast.c, submit=True)
    assert policy.holds_approver_role(cast.p, change)
    with pytest.raises(policy.SelfApproval) as refused:
        services.approve_change(actor=cast.p, change=change)
    assert refused.value.code == "self_approval" and refused.value.status == 403
    # The executor cannot approve it either, and someone without the role is refused.
    with pytest.raises(PermissionDenied):
        services.approve_change(actor=cast.c, change=change)
    with pytest.raises(PermissionDenied):
        services.approve_change(actor=cast.b, change=change)
    fresh = ChangeRequest.objects.get(pk=change.pk)
    assert fresh.vendor_approved_at is None and fresh.status == ChangeStatus.SUBMITTED
    # The region's service manager approves it.
    change = services.approve_change(actor=cast.a, change=change)
    assert change.status == ChangeStatus.APPROVED and change.vendor_approver == cast.a
    with pytest.raises(NotFound):
        services.approve_change(actor=cast.o, change=change)


def test_medium_risk_needs_customer_approval(cast, make_change, at):
    at(0, fire=False)
    change = make_change(assessment={"service_impact": True}, submit=True)
    assert change.risk == ChangeRisk.MEDIUM and change.needs_customer_approval
    change = _approved(cast, change)
    assert change.status == ChangeStatus.SUBMITTED and not change.is_authorised
    at(150, fire=False)
    with pytest.raises(ChangeNotApproved):
        services.start_change(actor=cast.d, change=change)
    # Other operators' and the other branch's contacts do not find it.
    for outsider in (cast.o, cast.z):
        with pytest.raises(NotFound):
            services.approve_change(actor=outsider, change=change)
    change = services.approve_change(actor=cast.y, change=change)
    assert change.status == ChangeStatus.APPROVED
    assert change.customer_approver == cast.y and change.vendor_approver == cast.p
    services.start_change(actor=cast.d, change=change)
    # A low-risk change asks nothing of the customer.
    low = make_change(title="查看日志", submit=True)
    assert low.risk == ChangeRisk.LOW
    with pytest.raises(PermissionDenied):
        services.approve_change(actor=cast.y, change=low)


def test_high_risk_change_requires_rollback_plan(cast, make_change, at):
    at(0, fire=False)
    high = {"service_impact": True, "hard_to_undo": True}
    before = ChangeRequest.objects.count()
    with pytest.raises(RollbackPlanRequired) as refused:
        make_change(assessment=high, rollback_plan="")
    assert refused.value.code == "rollback_plan_required"
    assert "rollback_plan" in refused.value.fields
    with pytest.raises(RollbackPlanRequired):
        make_change(assessment=high, rollback_plan="  \u200b ")  # nothing visible
    assert ChangeRequest.objects.count() == before  # nothing half-written
    change = make_change(assessment=high)
    assert change.risk == ChangeRisk.HIGH and change.rollback_plan
    assert change.risk_assessment == {
        "service_impact": True,
        "hard_to_undo": True,
        "untried": False,
    }


def test_overlapping_window_flagged(cast, make_change, at):
    at(0, fire=False)
    first = make_change(submit=True)
    # Another change on the same element, its window overlapping the first's by an hour.
    second = make_change(
        title="OTN-07 配置调整",
        kind="config",
        window_start=clock.now() + dt.timedelta(hours=3),
        window_end=clock.now() + dt.timedelta(hours=5),
        elements=["OTN-07", "OTN-08"],
    )
    assert [c["number"] for c in second.conflicts] == [first.number]
    with pytest.raises(ChangeConflicts) as refused:
        services.submit_change(actor=cast.b, change=second)
    assert refused.value.code == "change_conflicts" and refused.value.status == 409
    assert first.number in str(refused.value.message)
    assert "override_reason" in refused.value.fields
    assert ChangeRequest.objects.get(pk=second.pk).status == ChangeStatus.DRAFT
    second = services.submit_change(
        actor=cast.b, change=second, override_reason="同一割接，两项操作由同一人顺序执行"
    )
    assert second.status == ChangeStatus.SUBMITTED
    assert second.conflicts[0]["kind"] == "overlap"
    assert second.conflicts[0]["elements"] == ["OTN-07"]
    assert second.override_reason.startswith("同一割接")
    # Another element, or a later window, runs into nothing.
    apart = make_change(title="OTN-09 升级", elements=["OTN-09"], submit=True)
    assert apart.conflicts == []
    # A blackout window the administrator declared for the province covers its branches.
    BlackoutWindow.objects.create(
        name="元旦封网",
        customer_org=cast.orgs.province,
        starts_at=clock.now() + dt.timedelta(days=1),
        ends_at=clock.now() + dt.timedelta(days=3),
        declared_by=cast.admin,
        created_at=clock.now(),
    )
    during = make_change(
        title="OTN-10 升级",
        elements=["OTN-10"],
        window_start=clock.now() + dt.timedelta(days=2),
        window_end=clock.now() + dt.timedelta(days=2, hours=2),
    )
    assert [c["kind"] for c in during.conflicts] == ["blackout"]
    with pytest.raises(ChangeConflicts) as refused:
        services.submit_change(actor=cast.b, change=during)
    assert "元旦封网" in str(refused.value.message)
    assert AuditRecord.objects.filter(action="change.submit").count() == 3


def test_who_sees_a_change_agrees_between_list_and_detail(cast, make_change, open_request, at):
    """policy.can_view (one change, in memory) and policy.visible_filter (the lists) give the
    same answer for every person of the cast and every change."""
    at(0, fire=False)
    ticket = open_request()
    changes = [
        make_change(),
        make_change(title="关联工单的变更", executor=cast.c, tickets=[ticket], elements=["X-1"]),
        make_change(
            title="另一运营商",
            customer_org=cast.orgs.other,
            executor=cast.c,
            region=None,
            product=None,
            elements=["Y-1"],
        ),
    ]
    for person in cast.people.values():
        listed = set(
            ChangeRequest.objects.filter(policy.visible_filter(person)).values_list("pk", flat=True)
        )
        for change in changes:
            fresh = ChangeRequest.objects.select_related("requester").get(pk=change.pk)
            assert policy.can_view(person, fresh) == (change.pk in listed), (person, change)
    assert not policy.can_view(cast.o, changes[0]) and policy.can_view(cast.o, changes[2])
