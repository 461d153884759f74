"""The demo's alarm masking (seed case 5, told right): rules under the approved alarm-masking
change of Lakeside's network — one of them ending within the shift — and, when an Alertmanager
is configured, a silence made directly in it, which the reconciler reports as unauthorised.

Called once by the demo seeding, inside its transaction; what goes to Alertmanager leaves after
commit. Finds the changes helper's approved masking change, or makes one through the change
verbs when the demo has none."""

import datetime as dt

from django.conf import settings
from django.db import transaction

from caredesk import clock
from caredesk.fieldwork.changes import services as changes
from caredesk.fieldwork.masks import alertmanager, sync
from caredesk.fieldwork.masks import services as masks
from caredesk.fieldwork.models import ChangeKind, ChangeRequest, ChangeStatus, MaskingRule

ELEMENTS = ["OTN-07", "BTS-0012", "BTS-0013"]
# (elements, alarm codes, hours until the end, reason)
RULES = [
    (["OTN-07"], ["LOS", "LOF"], 20, "主控板升级后光口割接告警，待业务观察期结束"),
    (["BTS-0012"], ["CELL_OUT_OF_SERVICE"], 8, "基站割接期间小区退服告警"),
    # Ends within the shift: the hand-over report lists it under "expiring".
    (["BTS-0013"], ["CELL_OUT_OF_SERVICE"], 2, "基站割接收尾，两小时内恢复告警"),
]


def _masking_change(w: dict) -> ChangeRequest:
    found = (
        ChangeRequest.objects.filter(
            kind=ChangeKind.ALARM_MASKING,
            customer_org=w["orgs"]["lakeside"],
            status__in=[ChangeStatus.APPROVED, ChangeStatus.IN_PROGRESS],
        )
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    people = w["people"]
    now = clock.now()
    change = changes.create_change(
        actor=people["engineer.b"],
        customer_org=w["orgs"]["lakeside"],
        kind=ChangeKind.ALARM_MASKING,
        title="湖滨升级割接告警屏蔽",
        plan="升级割接期间屏蔽相关网元的割接告警，到期自动恢复",
        window_start=now,
        window_end=now + dt.timedelta(hours=8),
        elements=ELEMENTS,
        executor=people["partner.d"],
        region=w["regions"]["lakeside"],
        product=w["products"]["core"],
    )
    change = changes.submit_change(actor=people["engineer.b"], change=change)
    return changes.approve_change(actor=people["leader.p"], change=change)


def setup(w: dict) -> None:
    change = _masking_change(w)
    if MaskingRule.objects.filter(change=change).exists():
        return
    now = clock.now()
    masks.create_rules(
        actor=change.executor,
        change=change,
        drafts=[
            masks.RuleDraft(
                elements=elements,
                alarm_codes=codes,
                reason=reason,
                ends_at=now + dt.timedelta(hours=hours),
            )
            for elements, codes, hours, reason in RULES
        ],
    )
    if settings.ALERTMANAGER_URL:
        transaction.on_commit(_in_alertmanager)


def _in_alertmanager() -> None:
    """After commit: push the rules, make the night shift's own silence straight in
    Alertmanager (as seed case 5's were), and reconcile, so the list shows it flagged."""
    client = alertmanager.configured()
    now = dt.datetime.now(dt.UTC)
    client.create_silence(
        matchers=[{"name": "ne", "value": "BTS-.*", "isRegex": True, "isEqual": True}],
        starts_at=now,
        ends_at=now + dt.timedelta(days=3),
        created_by="night-duty",
        comment="客户夜班要求，先屏蔽全部基站告警",
    )
    while sync.push_due(worker="seed_demo", client=client):
        pass
    sync.reconcile(client=client)
    client.close()
