"""The demo's change requests: seed case 3's upgrade done the right way by partner.d, and the
approved alarm-masking change the masks hang on — both in the past, the audit chain intact."""

from caredesk import clock
from caredesk.audit.checking import verify_audit
from caredesk.demo import changes as changes_demo
from caredesk.demo.world import load_demo
from caredesk.fieldwork.models import ChangeKind, ChangeRequest, ChangeStatus


def test_demo_has_a_done_upgrade_and_an_approved_masking_change(db):
    load_demo()
    upgrade = ChangeRequest.objects.get(kind=ChangeKind.UPGRADE)
    assert upgrade.status == ChangeStatus.DONE and upgrade.executor.username == "partner.d"
    assert upgrade.is_authorised and upgrade.customer_approver.username == "customer.y"
    assert upgrade.window_start <= upgrade.started_at <= upgrade.ended_at <= upgrade.window_end
    assert all(row["ok"] for row in upgrade.verification)
    masking = changes_demo.masking_change()
    assert masking is not None and masking.status == ChangeStatus.APPROVED
    assert masking.kind == ChangeKind.ALARM_MASKING and masking.is_authorised
    assert masking.window_end > clock.now() and upgrade.ended_at < clock.now()
    assert verify_audit().ok
