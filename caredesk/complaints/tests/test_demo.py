"""The demo's complaints: one withdrawn after a call-back, one with an extension, one overdue
and escalated, one the complainant rejected and still open — and the full loop closed."""

from caredesk.complaints.models import Complaint, Status
from caredesk.demo.world import load_demo
from caredesk.escalation.models import EscalationRun, Trigger


def test_demo_holds_the_seed_cases(db):
    assert load_demo()
    by_category = {c.category.code: c for c in Complaint.objects.select_related("category")}
    withdrawn = by_category["unreachable"]
    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.callbacks.filter(reached=True).exists()
    assert withdrawn.withdrawn_at > withdrawn.callbacks.get().at
    assert by_category["contradicting"].extensions.count() == 1
    overdue = by_category["information_not_passed"]
    assert "acknowledge" in overdue.overdue and overdue.status == Status.RECEIVED
    runs = EscalationRun.objects.filter(trigger=Trigger.COMPLAINT)
    assert {r.cause["complaint_id"] for r in runs} == {overdue.pk}
    assert "acknowledge" in {r.cause["deadline"] for r in runs}
    assert overdue.timeline.filter(kind="reminder").exists()
    rejected = by_category["unauthorised_operation"]
    assert rejected.is_open and rejected.callbacks.filter(satisfied=False).exists()
    assert by_category["buck_passing"].status == Status.CLOSED
    assert not load_demo()
    assert Complaint.objects.count() == len(by_category)
