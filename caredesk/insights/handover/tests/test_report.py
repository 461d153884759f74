"""The shift hand-over report's sections on a crafted world: each section holds what it should
at the moment asked for, for the customer (with its branches) or the region, and nothing of
another operator's; a partner's report holds only his work; the report reads a constant
number of queries whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk import clock
from caredesk.conftest import T0
from caredesk.directory.models import Organisation, OrgKind, Person, Role
from caredesk.errors import NotFound
from caredesk.escalation import demo as escalation_demo
from caredesk.fieldwork.masks import services as mask_services
from caredesk.fieldwork.models import ChangeStatus, ForeignSilence, ReconcileRun
from caredesk.fieldwork.visits import services as visit_services
from caredesk.insights.handover import selectors

HOUR = dt.timedelta(hours=1)


def _rules(change, actor, n, *, hours=8, reason="升级后割接告警屏蔽", elements=None):
    drafts = [
        mask_services.RuleDraft(
            reason=reason,
            elements=[(elements or [f"OTN-{i:03d}"])[0] if elements else f"OTN-{i:03d}"],
            ends_at=clock.now() + dt.timedelta(hours=hours),
        )
        for i in range(n)
    ]
    return mask_services.create_rules(actor=actor, change=change, drafts=drafts)


def _report(person, *, customer=None, region=None, at=None):
    scope = selectors.scope_for(
        person,
        customer_org_id=customer.pk if customer else None,
        region_id=region.pk if region else None,
    )
    return selectors.handover_report(person, scope, at=at)


def _left_unresolved(cast, on_site, ticket, due_in):
    visit = on_site(ticket=ticket)
    return visit_services.leave_site(
        actor=cast.b,
        visit=visit,
        result="unresolved",
        work_done="排查光路",
        next_step="明早带光功率计复查",
        next_step_owner=cast.c,
        next_step_due=clock.now() + due_in,
        customer_message="明早再来",
    )


@pytest.fixture
def night(cast, at, masking_change, make_change, open_request, on_site):
    """Seed case 5's night: an approved masking change for Lakeside with 3 rules to the
    morning and 2 ending within the next shift; an upgrade done in the night, one under way,
    one due tomorrow; a P1 and a P3 open; a visit left unresolved; another operator's rules."""
    escalation_demo.setup(cast.world)
    at(-10 * 60, fire=False)  # 00:00, the night shift
    masks = masking_change()
    long = _rules(masks, cast.d, 3, hours=23)  # until 23:00: past the day shift
    short = _rules(masks, cast.d, 2, hours=14, reason="临时屏蔽倒换告警")  # until 14:00
    other_change = masking_change(customer_org=cast.orgs.other)
    _rules(other_change, cast.d, 4, hours=20)
    done = make_change(submit=False, title="OTN-07 升级")
    done.__class__.objects.filter(pk=done.pk).update(
        status=ChangeStatus.DONE, started_at=clock.now(), ended_at=clock.now() + 2 * HOUR
    )
    going = make_change(title="OTN-08 升级")
    going.__class__.objects.filter(pk=going.pk).update(
        status=ChangeStatus.IN_PROGRESS, started_at=clock.now() + 8 * HOUR
    )
    due = make_change(title="OTN-09 升级")
    due.__class__.objects.filter(pk=due.pk).update(
        status=ChangeStatus.APPROVED,
        window_start=T0 + 3 * HOUR,
        window_end=T0 + 5 * HOUR,
    )
    urgent = open_request(severity="P1", title="核心网信令中断")
    minor = open_request(severity="P3", title="网管界面偶发卡顿")
    at(-3 * 60, fire=False)  # 07:00
    visit = _left_unresolved(cast, on_site, open_request(severity="P3"), due_in=2 * HOUR)
    at(0)  # 10:00: the day shift starts; due timers ran (clocks breached)
    return {
        "long": long,
        "short": short,
        "done": done,
        "going": going,
        "due": due,
        "urgent": urgent,
        "minor": minor,
        "visit": visit,
    }


def test_active_masks_name_owner_reason_change_and_end(cast, night):
    report = _report(cast.b, customer=cast.orgs.province)
    assert report.active_mask_count == 5  # not the other operator's four
    by_reason = {g.reason: g for g in report.active_masks}
    group = by_reason["升级后割接告警屏蔽"]
    assert group.count == 3
    assert group.owner_name == cast.d.name
    assert group.change_number == night["long"][0].change.number
    assert group.last_end == night["long"][0].ends_at
    assert group.elements == ["OTN-000", "OTN-001", "OTN-002"]


def test_masks_ending_within_the_next_shift_are_listed_apart(cast, night):
    report = _report(cast.b, customer=cast.orgs.lakeside)
    assert [g.reason for g in report.expiring_masks] == ["临时屏蔽倒换告警"]
    assert report.expiring_mask_count == 2


def test_masks_are_read_as_they_stood_at_the_moment(cast, night):
    before = _report(cast.b, customer=cast.orgs.lakeside, at=T0 - dt.timedelta(hours=11))
    assert before.active_mask_count == 0  # made at 00:00
    after_short = _report(cast.b, customer=cast.orgs.lakeside, at=T0 + 5 * HOUR)
    assert after_short.active_mask_count == 3  # the two ending at 14:00 are gone at 15:00
    mask_services.remove_rule(
        actor=cast.d, rule=night["long"][0], reason="割接完成，告警恢复", version=None
    )
    now = _report(cast.b, customer=cast.orgs.lakeside)
    assert now.active_mask_count == 4
    earlier = _report(cast.b, customer=cast.orgs.lakeside, at=T0 - HOUR)
    assert earlier.active_mask_count == 5  # removing keeps the record of what was active


def test_changes_in_progress_ended_in_the_last_shift_and_due_in_the_next(cast, night):
    report = _report(cast.b, customer=cast.orgs.lakeside)
    titles = lambda rows: [c.title for c in rows]  # noqa: E731
    assert "OTN-08 升级" in titles(report.changes_in_progress)
    assert titles(report.changes_ended) == ["OTN-07 升级"]
    assert titles(report.changes_due) == ["OTN-09 升级"]


def test_open_p1_p2_tickets_with_owner_and_breached_clocks(cast, night):
    report = _report(cast.b, customer=cast.orgs.lakeside)
    assert [t.title for t in report.urgent_tickets] == ["核心网信令中断"]
    assert report.urgent_tickets[0].owner == cast.b
    breached = {(r.ticket.title, r.kind) for r in report.breached_clocks}
    # A P1 opened at 00:00 and never acknowledged has breached its acknowledge clock.
    assert ("核心网信令中断", "acknowledge") in breached
    assert all(r.remaining_seconds < 0 or r.breached for r in report.breached_clocks)


def test_visits_left_unresolved_with_next_step_and_overdue(cast, night):
    report = _report(cast.b, customer=cast.orgs.lakeside)
    assert [r.visit.pk for r in report.visits_unresolved] == [night["visit"].pk]
    row = report.visits_unresolved[0]
    assert row.visit.next_step_owner == cast.c
    assert row.overdue  # due at 09:00, nobody back on site by 10:00
    earlier = _report(cast.b, customer=cast.orgs.lakeside, at=T0 - 2.5 * HOUR)
    assert earlier.visits_unresolved and not earlier.visits_unresolved[0].overdue


def test_region_scope_keeps_its_own_work(cast, night, open_request):
    hill = open_request(
        actor=cast.z,
        customer_org=cast.orgs.hillside,
        region="hillside",
        severity="P2",
        title="山城传输告警",
    )
    report = _report(cast.b, region=cast.regions.hillside)
    assert [t.pk for t in report.urgent_tickets] == [hill.pk]
    assert report.changes_ended == []  # the changes are Lakeside's


def test_unauthorised_silences_from_the_reconciler_for_staff_only(cast, night, settings):
    settings.ALERTMANAGER_URL = "http://127.0.0.1:9"  # set, but never called: a pass is recorded
    ReconcileRun.objects.create(at=clock.now() - HOUR, ok=True, silences=1, unauthorised=1)
    ForeignSilence.objects.create(
        silence_id="abc",
        matchers=[{"name": "ne", "value": "OTN-07", "isRegex": False, "isEqual": True}],
        created_by="night-duty",
        comment="客户夜班要求屏蔽",
        state="active",
        first_seen_at=clock.now() - HOUR,
        last_seen_at=clock.now() - HOUR,
    )
    staff = _report(cast.b, customer=cast.orgs.lakeside)
    assert staff.unauthorised.source == "reconciler"
    assert [s.created_by for s in staff.unauthorised.silences] == ["night-duty"]
    assert _report(cast.d, customer=cast.orgs.lakeside).unauthorised is None


def test_partner_reads_only_the_work_handed_to_him(cast, night):
    report = _report(cast.d, customer=cast.orgs.lakeside)
    # partner.d executes every change of the night: he reads them and their rules ...
    assert report.active_mask_count == 5
    assert {c.title for c in report.changes_ended} == {"OTN-07 升级"}
    # ... but no ticket of engineer.b's, nor its clocks.
    assert report.urgent_tickets == [] and report.breached_clocks == []


def test_customers_and_outsiders_get_not_found(cast, night):
    for person in (cast.y, cast.x, cast.o):
        with pytest.raises(NotFound):
            selectors.scope_for(person, customer_org_id=cast.orgs.lakeside.pk, region_id=None)
    with pytest.raises(NotFound):  # not a customer
        selectors.scope_for(cast.b, customer_org_id=cast.orgs.office.pk, region_id=None)
    office2 = Organisation.objects.create(
        name="西北代表处", kind=OrgKind.VENDOR_OFFICE, parent=cast.orgs.hq
    )
    e2 = Person.objects.create(username="engineer.e2", role=Role.ENGINEER, organisation=office2)
    with pytest.raises(NotFound):  # another office's engineer: no work of his there
        selectors.scope_for(e2, customer_org_id=cast.orgs.lakeside.pk, region_id=None)
    with pytest.raises(NotFound):
        selectors.scope_for(e2, customer_org_id=None, region_id=cast.regions.lakeside.pk)


def _grow(cast, masking_change, open_request, n):
    change = masking_change()
    _rules(change, cast.d, n, hours=6)
    for _ in range(n):
        open_request(severity="P2")


def test_report_reads_a_constant_number_of_queries(
    cast, night, masking_change, open_request, one_refdata_check
):
    def count():
        one_refdata_check()  # each count is one request: one read of the cache's token
        with CaptureQueriesContext(connection) as queries:
            report = _report(cast.b, customer=cast.orgs.lakeside)
        return len(queries), report

    _grow(cast, masking_change, open_request, 2)
    count()  # fills the process's reference caches (directory, content types) if still cold
    small, r1 = count()
    _grow(cast, masking_change, open_request, 20)
    large, r2 = count()
    assert r2.active_mask_count == r1.active_mask_count + 20
    assert len(r2.urgent_tickets) == len(r1.urgent_tickets) + 20
    assert large == small
