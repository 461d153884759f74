"""The escalation configuration goes through typed verbs that authorise, validate and audit;
the Django admin's inline step edits pass the same rules and are audited too."""

import pytest

from caredesk.audit.models import AuditRecord
from caredesk.calendars import services as calendar_services
from caredesk.errors import PermissionDenied, ValidationFailed
from caredesk.escalation import config
from caredesk.escalation.models import EscalationPolicy


def _steps(*specs):
    return [config.StepSpec(**s) for s in specs]


def test_only_administrators_configure(cast):
    with pytest.raises(PermissionDenied):
        config.create_escalation_policy(
            actor=cast.a,
            name="x",
            trigger="opened",
            customer_org_id=None,
            severity="P4",
            active=True,
            steps=_steps({"target": "owner", "condition": "not_acknowledged"}),
        )
    with pytest.raises(PermissionDenied):
        calendar_services.create_calendar(actor=cast.b, name="夜班")


def test_a_chain_is_validated_written_and_audited(cast):
    with pytest.raises(ValidationFailed) as bad:
        config.create_escalation_policy(
            actor=cast.admin,
            name="x",
            trigger="opened",
            customer_org_id=None,
            severity="P4",
            active=True,
            steps=_steps(
                {"target": "owner", "condition": "clock_breached"},
                {
                    "target": "handoff_target",
                    "condition": "not_acknowledged",
                    "channels": ("pigeon",),
                },
            ),
        )
    assert {"steps.0.clock", "steps.1.target", "steps.1.channels"} <= set(bad.value.fields)
    assert not EscalationPolicy.objects.exists()
    chain = config.create_escalation_policy(
        actor=cast.admin,
        name="P4 提醒",
        trigger="opened",
        customer_org_id=None,
        severity="P4",
        active=True,
        steps=_steps({"target": "owner", "condition": "not_acknowledged"}),
    )
    record = AuditRecord.objects.get(action="escalation_policy.create")
    assert record.object_id == str(chain.pk) and record.after["steps"][0]["target"] == "owner"


def _admin_post(client, cast, steps: list[dict]):
    client.force_login(cast.admin)
    data = {
        "name": "admin chain",
        "trigger": "opened",
        "severity": "P4",
        "active": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        data.update({f"steps-{i}-{k}": v for k, v in step.items()})
    return client.post("/admin/escalation/escalationpolicy/add/", data)


def test_admin_step_edits_pass_the_same_rules_and_are_audited(cast, client):
    bad = _admin_post(
        client,
        cast,
        [
            {
                "order": "1",
                "target": "owner",
                "wait_minutes": "0",
                "channels": "email",
                "condition": "clock_breached",
                "clock": "",
                "percent": "100",
            },
        ],
    )
    assert bad.status_code == 200  # the form again, with the error
    assert "steps.0.clock" in bad.content.decode()
    assert not EscalationPolicy.objects.exists()
    good = _admin_post(
        client,
        cast,
        [
            {
                "order": "1",
                "target": "owner",
                "wait_minutes": "5",
                "channels": "email,wecom",
                "condition": "not_acknowledged",
                "clock": "",
                "percent": "100",
            },
        ],
    )
    assert good.status_code == 302
    chain = EscalationPolicy.objects.get(name="admin chain")
    steps = AuditRecord.objects.get(action="escalation_policy.steps", object_id=str(chain.pk))
    assert steps.after["steps"][0]["channels"] == ["email", "wecom"]
