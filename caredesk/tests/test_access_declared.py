"""Every cell of the declared access matrix (access_table.py), and that the table names every
API operation and every page there is.

One test per role builds the world once; each cell runs in a transaction that is rolled back,
so every cell starts from the same state and a write in one cannot help or hurt another.
"""

import datetime as dt
import json
import types

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from caredesk import clock
from caredesk.api import api as ninja_api
from caredesk.attachments import services as attachment_services  # attachments
from caredesk.complaints import services as complaint_services
from caredesk.complaints.models import Category, Complaint
from caredesk.conftest import ApiClient
from caredesk.directory import policy as directory_policy
from caredesk.directory import refdata, tokens
from caredesk.directory.models import (
    Organisation,
    OrgKind,
    Person,
    Region,
    Responsibility,
    Role,
    RoleAssignment,
)
from caredesk.directory.tests.totp_helpers import code_for, enrolled
from caredesk.escalation import demo as escalation_demo
from caredesk.escalation.models import (
    Calendar,
    EscalationPolicy,
    RosterOverride,
    Rotation,
    SlaPolicy,
)
from caredesk.fieldwork.changes import services as change_services
from caredesk.fieldwork.masks import services as mask_services  # masks
from caredesk.fieldwork.models import ChangeKind, ChangeRequest, ChangeStatus, Visit
from caredesk.fieldwork.visits import services as visit_services
from caredesk.insights.analytics.models import ReportRun  # reports
from caredesk.insights.cases.models import LearningCase  # learning cases
from caredesk.insights.handover import services as handover_services  # handover
from caredesk.insights.handover.models import ShiftSchedule, ShiftSlot  # handover
from caredesk.insights.risk.models import RiskAlert  # early warning
from caredesk.notify.models import Message
from caredesk.runtime import import_runs  # imports
from caredesk.runtime.heartbeat import Heart
from caredesk.runtime.models import ImportRun, ImportStatus  # imports
from caredesk.satisfaction.tests import factories as survey_factories
from caredesk.stakeholders import services as map_services
from caredesk.tickets import services
from caredesk.tickets.models import Handoff, HandoffStatus, Ticket

from . import access_table as table


class _Rollback(Exception):
    pass


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def world(cast, open_request, settings, tmp_path):
    escalation_demo.setup(cast.world)
    office2 = Organisation.objects.create(
        name="西北代表处", kind=OrgKind.VENDOR_OFFICE, parent=cast.orgs.hq
    )
    e2, e3 = (
        Person.objects.create(
            username=f"engineer.{n}",
            display_name=n.upper(),
            role=Role.ENGINEER,
            organisation=office2,
            phone=f"135-0000-000{i}",
        )
        for i, n in enumerate(("e2", "e3"))
    )
    north = Region.objects.create(code="north", name="北岭", office=office2, service_manager=e2)
    L = open_request()
    N = open_request(actor=cast.o, customer_org=cast.orgs.other, region="lakeside")
    h = services.propose_handoff(actor=cast.b, ticket=N, to_person=e2, reason="north")
    services.accept_handoff(actor=e2, handoff=h)
    services.edit_ticket(
        actor=e2, ticket=_fresh(N), version=_fresh(N).version, changes={"region": north}
    )
    entries = {
        "own": map_services.add_stakeholder(
            actor=cast.admin, organisation=cast.orgs.lakeside, person=cast.y
        ),
        "other": map_services.add_stakeholder(
            actor=cast.admin, organisation=cast.orgs.other, person=cast.o
        ),
    }
    rotation = Rotation.objects.order_by("id").first()
    override = RosterOverride.objects.create(
        team=rotation.team,
        person=cast.c,
        starts_at=clock.now(),
        ends_at=clock.now() + dt.timedelta(days=1),
        reason="holiday swap",
    )
    # A visit planned on each ticket, for its owner (engineer.b on L, engineer.e2 on N).
    visits = {
        key: visit_services.plan_visit(
            actor=t.owner,
            ticket=_fresh(t),
            engineer=t.owner,
            planned_at=clock.now() + dt.timedelta(hours=2),
            purpose="现场排查",
        )
        for key, t in (("own", L), ("other", _fresh(N)))
    }
    # complaints: one about each ticket, registered by the hotline, high severity (its
    # response waits for approval).
    complaints = {
        key: complaint_services.open_complaint(
            actor=cast.h,
            source="hotline",
            tickets=[_fresh(t)],
            complainant=t.requester,
            words="推来推去没人管",
            remedy_sought="明确责任人",
            severity="high",
            impact="branch",
            category=Category.objects.get(code="buck_passing"),
        )
        for key, t in (("own", L), ("other", _fresh(N)))
    }
    # ---- change requests: a draft on each customer's network, linked to its ticket, carried
    # out by its requester (engineer.b on Lakeside's, engineer.e2 on org B's), the window open.
    changes = {
        key: change_services.create_change(
            actor=who,
            customer_org=org,
            kind="config",
            title="调整告警门限",
            plan="修改门限并观察",
            window_start=clock.now() - dt.timedelta(hours=1),
            window_end=clock.now() + dt.timedelta(hours=6),
            elements=[f"NE-{key}"],
            executor=who,
            tickets=[_fresh(t)],
            region=region,
            product=cast.products.core,
        )
        for key, who, org, t, region in (
            ("own", cast.b, cast.orgs.lakeside, L, cast.regions.lakeside),
            ("other", e2, cast.orgs.other, N, north),
        )
    }
    # ---- end of change requests
    # ---- learning cases: a draft case per office, written as test data (its verbs are cells)
    learning_cases = {
        key: LearningCase.objects.create(
            ticket=_fresh(t),
            office_id=office_id,
            customer_org=t.customer_org,
            title="推诿 · 案例",
            customer_voice="没人管",
            analysis="分析",
            lessons="教训",
            occurred_at=clock.now(),
            created_by=cast.admin,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        for key, t, office_id in (
            ("own", L, cast.orgs.office.pk),
            ("other", N, complaints["other"].office_id),
        )
    }
    # ---- end of learning cases
    # ---- attachments: an image on each ticket, added by its owner
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    files = {
        key: attachment_services.add_attachment(
            actor=_fresh(t).owner,
            owner_kind="ticket",
            owner_id=t.pk,
            filename="告警.png",
            chunks=[b"\x89PNG\r\n\x1a\n" + b"\x00" * 32],
        )
        for key, t in (("own", L), ("other", N))
    }
    # and one on each complaint (by the hotline, who registered both), change (by its
    # requester) and visit (by its engineer)
    owner_files = {
        (kind, key): attachment_services.add_attachment(
            actor=actor,
            owner_kind=kind,
            owner_id=obj.pk,
            filename="现场.png",
            chunks=[b"\x89PNG\r\n\x1a\n" + b"\x00" * 32],
        )
        for key in ("own", "other")
        for kind, obj, actor in (
            ("complaint", complaints[key], cast.h),
            ("change", changes[key], changes[key].requester),
            ("visit", visits[key], visits[key].engineer),
        )
    }
    # ---- end of attachments
    # ---- reports: a done run per office (engineer.b's, engineer.e2's), its workbook on disk
    settings.REPORTS_DIR = tmp_path / "reports"
    report_runs = {}
    for key, who in (("own", cast.b), ("other", e2)):
        folder = tmp_path / "reports" / key
        folder.mkdir(parents=True)
        (folder / "report.xlsx").write_bytes(b"PK\x03\x04 workbook")
        report_runs[key] = ReportRun.objects.create(
            requester=who,
            period="2026H1",
            filters={"period": "2026H1"},
            status="done",
            folder=key,
            files={"xlsx": "report.xlsx"},
            created_at=clock.now(),
            finished_at=clock.now(),
        )
    # ---- end of reports
    messages = {
        "own": Message.objects.filter(context__number=L.number).order_by("id").first(),
        "other": Message.objects.filter(context__number=N.number).order_by("id").first(),
    }
    assert messages["own"] and messages["other"], "opening a ticket tells its requester"
    return types.SimpleNamespace(
        cast=cast,
        tickets={"own": L, "other": N},
        targets={"own": cast.c, "other": e3},
        targets_e2=e2,  # handover
        orgs={"own": cast.orgs.lakeside, "other": cast.orgs.other},
        entries=entries,
        rotation=rotation,
        override=override,
        messages=messages,
        visits=visits,
        files=files,  # attachments
        owner_files=owner_files,
        report_runs=report_runs,  # reports
        complaints=complaints,
        changes=changes,
        learning_cases=learning_cases,  # learning cases
        cell=Responsibility.objects.order_by("id").first(),
        assignment=RoleAssignment.objects.order_by("id").first(),
        calendar=Calendar.objects.order_by("id").first(),
        sla=SlaPolicy.objects.order_by("id").first(),
        chain=EscalationPolicy.objects.order_by("id").first(),
    )


def _person_for(world, role: str) -> Person | None:
    """The role's person, with the role's partner world made: a hand-off of L to partner.d
    pending, accepted, declined or cancelled."""
    cast = world.cast
    if role == "anon":
        return None
    if role.startswith("d"):
        L = world.tickets["own"]
        if role != "dN":
            h = services.propose_handoff(
                actor=cast.b, ticket=_fresh(L), to_person=cast.d, reason="site"
            )
            if role == "dA":
                services.accept_handoff(actor=cast.d, handoff=h)
            elif role == "dD":
                services.decline_handoff(actor=cast.d, handoff=h, reason="not mine")
            elif role == "dC":
                services.cancel_handoff(actor=cast.b, handoff=h)
        return cast.d
    return getattr(cast, role)


def _pending_handoff(world, obj: str) -> Handoff:
    """The ticket's pending hand-off, proposed by its owner to the test's target if none is."""
    ticket = _fresh(world.tickets[obj])
    found = Handoff.objects.filter(ticket=ticket, status=HandoffStatus.PENDING).first()
    if found:
        return found
    return services.propose_handoff(
        actor=ticket.owner, ticket=ticket, to_person=world.targets[obj], reason="matrix"
    )


def _token(world, person, obj: str):
    """The caller's own token (made in the cell) or someone else's (engineer.e3's)."""
    owner = person if obj == "own" and person is not None else world.targets["other"]
    return tokens.create_token(actor=None, person=owner, name="cell", expires_in_days=7).token


def _session_person(s):
    from django.contrib.auth import get_user

    request = type("R", (), {"session": s.session})()
    user = get_user(request)
    return user if user.is_authenticated else None


def _resolved(world, obj: str) -> Ticket:
    ticket = _fresh(world.tickets[obj])
    services.resolve(actor=ticket.owner, ticket=ticket, note="fixed")
    return ticket


def _visit(world, obj: str, step: str = "planned"):
    """The ticket's visit, brought by its engineer to `step` (on_site, left) in the cell."""
    visit = Visit.objects.get(pk=world.visits[obj].pk)
    if step in ("on_site", "left"):
        visit = visit_services.arrive(actor=visit.engineer, visit=visit)
    if step == "left":
        visit = visit_services.leave_site(
            actor=visit.engineer, visit=visit, result="resolved", work_done="清理防尘网"
        )
    return visit


# ---- change requests
CHANGE_STEPS = ("draft", "submitted", "approved", "in_progress", "verifying")


def _change(world, obj: str, step: str = "draft") -> ChangeRequest:
    """The object's change, brought to `step` in the cell: submitted by its requester,
    approved (the region's service manager for Lakeside's, the product leader for org B's),
    started and verified by its executor."""
    change = ChangeRequest.objects.get(pk=world.changes[obj].pk)
    requester = change.requester
    approver = world.cast.a if obj == "own" else world.cast.p
    verbs = {
        "submitted": lambda c: change_services.submit_change(actor=requester, change=c),
        "approved": lambda c: change_services.approve_change(actor=approver, change=c),
        "in_progress": lambda c: change_services.start_change(actor=c.executor, change=c),
        "verifying": lambda c: change_services.verify_change(
            actor=c.executor,
            change=c,
            checklist=[{"item": "告警正常", "ok": True}],
            execution_note="已修改",
        ),
    }
    for name in CHANGE_STEPS[1 : CHANGE_STEPS.index(step) + 1]:
        change = verbs[name](change)
    return change


def _change_body(world, obj: str) -> dict:
    now = clock.now()
    return {
        "customer_org": world.orgs[obj].pk,
        "kind": "reboot",
        "title": "重启板卡",
        "plan": "重启并观察",
        "window_start": (now + dt.timedelta(hours=1)).isoformat(),
        "window_end": (now + dt.timedelta(hours=2)).isoformat(),
        "elements": [{"element": "NE-new"}],
        "executor": world.cast.c.pk,
    }


# ---- end of change requests


# ---- handover: a schedule for each customer (made through the ORM: org B has no manager in
# the world) and, in the cell, the notice of its shift change.
def _schedule(world, obj: str) -> ShiftSchedule:
    org, keeper, people, duty = {
        "own": (world.orgs["own"], world.cast.a, [world.cast.b], [world.cast.y]),
        "other": (world.orgs["other"], world.cast.h, [world.targets_e2], [world.cast.o]),
    }[obj]
    now = clock.now()
    schedule = ShiftSchedule.objects.create(
        name=f"值班-{obj}", customer_org=org, created_by=keeper, created_at=now, updated_at=now
    )
    schedule.duty_contacts.set(duty)
    slot = ShiftSlot.objects.create(schedule=schedule, starts=dt.time(8))
    slot.people.set(people)
    return schedule


def _notice(world, obj: str):
    schedule = _schedule(world, obj)
    return handover_services.send_shift_notice(
        schedule=schedule, slot=schedule.slots.get(), shift_at=clock.now()
    )


def _schedule_body(world, obj: str, version=None) -> dict:
    people = [world.cast.b.pk] if obj == "own" else [world.targets_e2.pk]
    body = {
        "name": "值班",
        "customer": world.orgs[obj].pk,
        "slots": [{"starts": "08:00", "people": people}],
    }
    if version is not None:
        body["version"] = version
    return body


def _handover_api_calls(world, c, obj):
    org = world.orgs[obj].pk
    return {
        "handover": lambda: c.get(f"/handover?customer={org}"),
        "handover_notice": lambda: c.get(f"/handover/notices/{_notice(world, obj).pk}"),
        "handover_acknowledge": lambda: c.post(
            f"/handover/notices/{_notice(world, obj).pk}/acknowledge"
        ),
        "handover_schedules": lambda: c.get("/handover/schedules"),
        "handover_schedule_create": lambda: c.post(
            "/handover/schedules", _schedule_body(world, obj)
        ),
        "handover_schedule_update": lambda: c.put(
            f"/handover/schedules/{_schedule(world, obj).pk}", _schedule_body(world, obj, 1)
        ),
    }


def _handover_page_calls(world, s, obj):
    org = world.orgs[obj].pk
    return {
        "page_handover": lambda: s.get(f"/handover/?customer={org}"),
        "page_handover_print": lambda: s.get(f"/handover/print/?customer={org}"),
        "page_handover_schedules": lambda: s.get("/handover/schedules/"),
        "page_handover_notice": lambda: s.get(f"/handover/notices/{_notice(world, obj).pk}/"),
        "page_handover_acknowledge": lambda: s.post(
            f"/handover/notices/{_notice(world, obj).pk}/acknowledge/"
        ),
    }


# ---- end of handover


# ---- early warning: an alert on each ticket (own: L's, to manager.a; other: N's), made in
# the cell as test data (raising one is the worker's, not a cell's).
def _risk_alert(world, obj: str):
    t = world.tickets[obj]
    waiting = RiskAlert.objects.filter(ticket=t, acknowledged_at__isnull=True).first()
    return waiting or RiskAlert.objects.create(
        ticket=t,
        score=60,
        reasons=[{"signal": "text_threat", "points": 30, "detail": "投诉", "words": ["投诉"]}],
        raised_at=clock.now(),
        manager=world.cast.a if obj == "own" else None,
    )


def _risk_api_calls(world, c, obj):
    return {
        "risk_list": lambda: c.get("/risk"),
        "risk_acknowledge": lambda: c.post(
            f"/risk/alerts/{_risk_alert(world, obj).pk}/acknowledge", {"action_taken": "已回电"}
        ),
    }


def _risk_page_calls(world, s, obj):
    return {
        "page_risk": lambda: s.get("/risk/"),
        "page_risk_acknowledge": lambda: s.post(
            f"/risk/alerts/{_risk_alert(world, obj).pk}/acknowledge/", {"action_taken": "已回电"}
        ),
    }


# ---- end of early warning


def _plan_body(world, obj: str) -> dict:
    engineer = _fresh(world.tickets[obj]).owner if obj == "other" else world.cast.b
    later = (clock.now() + dt.timedelta(hours=3)).isoformat()
    return {"engineer": engineer.pk, "planned_at": later, "purpose": "复查"}


# ---- masks: an approved alarm-masking change and a rule under it, made in the cell.
_MASK_RULE = {"elements": ["OTN-07"], "alarm_codes": ["LOS"], "reason": "割接告警"}


def _masking_change(world, obj: str):
    """Own: Lakeside's, requested by engineer.b, executed by partner.d; other: org B's, by
    engineer.e2 (the other ticket's owner)."""
    other_staff = _fresh(world.tickets["other"]).owner
    person = world.cast.b if obj == "own" else other_staff
    now = clock.now()
    return ChangeRequest.objects.create(
        kind=ChangeKind.ALARM_MASKING,
        status=ChangeStatus.APPROVED,
        customer_org=world.orgs[obj],
        requester=person,
        executor=world.cast.d if obj == "own" else other_staff,
        title="屏蔽",
        plan="屏蔽割接告警",
        window_start=now,
        window_end=now + dt.timedelta(hours=8),
        vendor_approved_at=now,
        approved_at=now,
        created_at=now,
        updated_at=now,
    )


def _mask(world, obj: str):
    change = _masking_change(world, obj)
    draft = mask_services.RuleDraft(**_MASK_RULE)
    return mask_services.create_rule(actor=change.executor, change=change, draft=draft)


def _sla_body(world, severity="P4"):
    # A new policy for a customer that has none; an update keeps the policy's own severity.
    return {
        "name": "x",
        "customer_org": world.cast.orgs.hillside.pk,
        "severity": severity,
        "calendar": world.calendar.pk,
        "acknowledge_minutes": 30,
    }


def _chain_body():
    step = {
        "target": "owner",
        "wait_minutes": 5,
        "channels": ["email"],
        "condition": "not_acknowledged",
    }
    return {"name": "x", "trigger": "opened", "severity": "P4", "steps": [step]}


def _api_calls(world, c, obj):
    """Each API call name → the request it makes, for the object `obj` ("own"/"other")."""
    cast = world.cast
    t = _fresh(world.tickets[obj])
    org = world.orgs[obj]
    entry = world.entries[obj]
    return {
        # ---- attachments ----
        "list_attachments": lambda: c.get(f"/owners/ticket/{t.pk}/attachments"),
        "upload_attachment": lambda: c.client.post(
            f"/api/v1/owners/ticket/{t.pk}/attachments",
            {"file": SimpleUploadedFile("note.txt", b"words")},
        ),
        "download_attachment": lambda: c.get(f"/attachments/{world.files[obj].pk}"),
        **_owner_file_calls(world, c, obj),
        # ---- end of attachments ----
        "me": lambda: c.get("/me"),
        "people": lambda: c.get("/people"),
        "organisations": lambda: c.get("/organisations"),
        "create_organisation": lambda: c.post(
            "/organisations", {"name": "新分公司", "kind": "customer"}
        ),
        "products": lambda: c.get("/products"),
        "create_product": lambda: c.post("/products", {"code": "ims", "name": "IMS"}),
        "regions": lambda: c.get("/regions"),
        "create_region": lambda: c.post(
            "/regions", {"code": "east", "name": "东湾", "office": cast.orgs.office.pk}
        ),
        "responsibilities": lambda: c.get("/responsibilities"),
        "create_cell": lambda: c.post(
            "/responsibilities",
            {
                "product": cast.products.transport.pk,
                "region": cast.regions.hillside.pk,
                "primary": cast.c.pk,
            },
        ),
        "update_cell": lambda: c.put(
            f"/responsibilities/{world.cell.pk}",
            {
                "product": world.cell.product_id,
                "region": world.cell.region_id,
                "primary": cast.c.pk,
                "backup": cast.b.pk,
            },
        ),
        "delete_cell": lambda: c.delete(f"/responsibilities/{world.cell.pk}"),
        "create_ticket": lambda: c.post(
            "/tickets",
            {
                "customer_org": org.pk,
                "product": "core",
                "region": "lakeside",
                "severity": "P3",
                "title": "新故障",
                "customer_voice": "又断了",
            },
        ),
        "list_tickets": lambda: c.get("/tickets"),
        "get_ticket": lambda: c.get(f"/tickets/{t.pk}"),
        "patch": lambda: c.patch(f"/tickets/{t.pk}", {"version": t.version, "title": "T2"}),
        "acknowledge": lambda: c.post(f"/tickets/{t.pk}/acknowledge"),
        "comment": lambda: c.post(f"/tickets/{t.pk}/comments", {"body": "hello"}),
        "call": lambda: c.post(
            f"/tickets/{t.pk}/calls", {"direction": "outbound", "outcome": "answered"}
        ),
        "conclusion": lambda: c.post(f"/tickets/{t.pk}/conclusion", {"text": "cause"}),
        "resolve": lambda: c.post(f"/tickets/{t.pk}/resolve", {"note": "fixed"}),
        "confirm": lambda: (_resolved(world, obj), c.post(f"/tickets/{t.pk}/confirm"))[1],
        "reopen": lambda: (
            _resolved(world, obj),
            c.post(f"/tickets/{t.pk}/reopen", {"reason": "again"}),
        )[1],
        "propose": lambda: c.post(
            f"/tickets/{t.pk}/handoffs", {"to_person": world.targets[obj].pk, "reason": "r"}
        ),
        "my_handoffs": lambda: c.get("/handoffs"),
        "accept": lambda: c.post(f"/handoffs/{_pending_handoff(world, obj).pk}/accept"),
        "decline": lambda: c.post(
            f"/handoffs/{_pending_handoff(world, obj).pk}/decline", {"reason": "no"}
        ),
        "cancel": lambda: c.post(f"/handoffs/{_pending_handoff(world, obj).pk}/cancel"),
        "clocks": lambda: c.get(f"/tickets/{t.pk}/clocks"),
        "oncall": lambda: c.get("/oncall?product=core&region=lakeside"),
        "calendars": lambda: c.get("/calendars"),
        "create_calendar": lambda: c.post("/calendars", {"name": "夜班"}),
        "calendar_days": lambda: c.post(
            f"/calendars/{world.calendar.pk}/days", {"csv": "2026-10-01,holiday,国庆节"}
        ),
        "sla_policies": lambda: c.get("/sla-policies"),
        "create_sla": lambda: c.post("/sla-policies", _sla_body(world)),
        "update_sla": lambda: c.put(
            f"/sla-policies/{world.sla.pk}", _sla_body(world, world.sla.severity)
        ),
        "delete_sla": lambda: c.delete(f"/sla-policies/{world.sla.pk}"),
        "escalation_policies": lambda: c.get("/escalation-policies"),
        "create_chain": lambda: c.post("/escalation-policies", _chain_body()),
        "update_chain": lambda: c.put(f"/escalation-policies/{world.chain.pk}", _chain_body()),
        "delete_chain": lambda: c.delete(f"/escalation-policies/{world.chain.pk}"),
        "tokens": lambda: c.get("/tokens"),
        "create_token": lambda: c.post("/tokens", {"name": "cell", "expires_in_days": 7}),
        "revoke_token": lambda: c.post(f"/tokens/{_token(world, c.person, obj).pk}/revoke"),
        "role_assignments": lambda: c.get("/role-assignments"),
        "create_assignment": lambda: c.post(
            "/role-assignments",
            {"role": "account_head", "person": cast.a.pk, "customer_org": cast.orgs.lakeside.pk},
        ),
        "delete_assignment": lambda: c.delete(f"/role-assignments/{world.assignment.pk}"),
        "visits": lambda: c.get(f"/tickets/{t.pk}/visits"),
        "plan_visit": lambda: c.post(f"/tickets/{t.pk}/visits", _plan_body(world, obj)),
        "visit": lambda: c.get(f"/visits/{world.visits[obj].pk}"),
        "visit_travel": lambda: c.post(f"/visits/{world.visits[obj].pk}/travel"),
        "visit_arrive": lambda: c.post(f"/visits/{world.visits[obj].pk}/arrive"),
        "visit_leave": lambda: c.post(
            f"/visits/{_visit(world, obj, 'on_site').pk}/leave",
            {"result": "resolved", "work_done": "更换光模块"},
        ),
        "visit_cancel": lambda: c.post(
            f"/visits/{world.visits[obj].pk}/cancel", {"reason": "客户改期"}
        ),
        "visit_confirm": lambda: c.post(f"/visits/{_visit(world, obj, 'left').pk}/confirm"),
        # ---- change requests
        "changes": lambda: c.get("/changes"),
        "create_change": lambda: c.post("/changes", _change_body(world, obj)),
        "change": lambda: c.get(f"/changes/{world.changes[obj].pk}"),
        "change_submit": lambda: c.post(f"/changes/{world.changes[obj].pk}/submit"),
        "change_approve": lambda: c.post(f"/changes/{_change(world, obj, 'submitted').pk}/approve"),
        "change_reject": lambda: c.post(
            f"/changes/{_change(world, obj, 'submitted').pk}/reject", {"reason": "窗口不合适"}
        ),
        "change_start": lambda: c.post(f"/changes/{_change(world, obj, 'approved').pk}/start"),
        "change_verify": lambda: c.post(
            f"/changes/{_change(world, obj, 'in_progress').pk}/verify",
            {"checklist": [{"item": "告警正常", "ok": True}], "execution_note": "已修改"},
        ),
        "change_complete": lambda: c.post(
            f"/changes/{_change(world, obj, 'verifying').pk}/complete", {"outcome": "done"}
        ),
        "change_rollback": lambda: c.post(
            f"/changes/{_change(world, obj, 'in_progress').pk}/rollback", {"note": "已回退"}
        ),
        "change_cancel": lambda: c.post(
            f"/changes/{world.changes[obj].pk}/cancel", {"reason": "不再需要"}
        ),
        "change_templates": lambda: c.get("/change-templates"),
        "publish_template": lambda: c.post(
            "/change-templates",
            {"name": "板卡重启", "kind": "reboot", "plan": "重启", "rollback_plan": "无需回退"},
        ),
        "blackouts": lambda: c.get("/blackout-windows"),
        "declare_blackout": lambda: c.post(
            "/blackout-windows",
            {
                "name": "春节封网",
                "starts_at": clock.now().isoformat(),
                "ends_at": (clock.now() + dt.timedelta(days=7)).isoformat(),
            },
        ),
        # ---- end of change requests
        "map": lambda: c.get(f"/customers/{org.pk}/stakeholders"),
        "map_add": lambda: c.post(f"/customers/{org.pk}/stakeholders", {"person": cast.c.pk}),
        "map_change": lambda: c.patch(f"/stakeholders/{entry.pk}", {"note": "值班"}),
        "map_remove": lambda: c.delete(f"/stakeholders/{entry.pk}"),
        # satisfaction
        **_survey_api_calls(world, c, obj),
        **_import_api_calls(world, c),  # imports
        **_export_api_calls(c),  # exports
        **_complaint_calls(world, c, obj),
        **_case_api_calls(world, c, obj),  # learning cases
        # masks
        "masks": lambda: c.get("/masks"),
        "mask_create": lambda: c.post(
            "/masks",
            {"change": _masking_change(world, obj).pk, "rules": [_MASK_RULE]},
        ),
        "masks_unauthorised": lambda: c.get("/masks/unauthorised"),
        "mask": lambda: c.get(f"/masks/{_mask(world, obj).pk}"),
        "mask_remove": lambda: c.post(f"/masks/{_mask(world, obj).pk}/remove", {"reason": "完成"}),
        **_handover_api_calls(world, c, obj),  # handover
        # ---- reports
        "report_create": lambda: c.post("/reports", {"period": "2026H1", "language": "en"}),
        "report_list": lambda: c.get("/reports"),
        "report_get": lambda: c.get(f"/reports/{world.report_runs[obj].pk}"),
        "report_file": lambda: c.get(f"/reports/{world.report_runs[obj].pk}/files/xlsx"),
        # ---- end of reports
        **_risk_api_calls(world, c, obj),  # early warning
    }


# ---- complaints: the world's complaint brought to a step by its handler (past acknowledged
# only the own one: on the other one every role is refused before its state matters, but its
# complainant, who finds no response to answer).
def _complaint(world, obj: str, step: str = "received") -> Complaint:
    complaint = Complaint.objects.get(pk=world.complaints[obj].pk)
    if step == "received":
        return complaint
    a = complaint.handler
    complaint = complaint_services.acknowledge(actor=a, complaint=complaint)
    if obj != "own":
        return Complaint.objects.get(pk=complaint.pk)
    if step in ("responded", "answered", "closed"):
        complaint_services.record_callback(actor=a, complaint=complaint, reached=True)
        complaint_services.respond(actor=a, complaint=complaint, text="答复")
        complaint_services.approve_response(actor=world.cast.s, complaint=complaint)
    if step in ("answered", "closed"):
        complaint_services.record_callback(
            actor=a, complaint=complaint, reached=True, satisfied=True
        )
    if step == "closed":
        complaint_services.close(actor=a, complaint=complaint, outcome="confirmed")
    return Complaint.objects.get(pk=complaint.pk)


def _complaint_action(world, obj: str) -> int:
    complaint = _complaint(world, obj, "acknowledged")
    action = complaint_services.add_action(
        actor=complaint.handler,
        complaint=complaint,
        description="建立首问负责制",
        owner=complaint.handler,
        due_at=clock.now() + dt.timedelta(days=7),
    )
    return action.pk


# ---- learning cases
def _case_api_calls(world, c, obj):
    case = world.learning_cases[obj].pk

    def generate():
        complaint = _complaint(world, obj, "closed")
        return c.post("/cases", {"complaint": complaint.pk})

    return {
        "cases": lambda: c.get("/cases"),
        "case_generate": generate,
        "case": lambda: c.get(f"/cases/{case}"),
        "case_edit": lambda: c.patch(f"/cases/{case}", {"version": 1, "lessons": "先接下来"}),
        "case_publish": lambda: c.post(f"/cases/{case}/publish", {"version": 1}),
    }


def _case_page_calls(world, s, obj):
    case = world.learning_cases[obj].pk
    edit = {"version": 1, "title": "推诿 · 案例", "customer_voice": "没人管", "lessons": "先接"}

    def generate():
        return s.post(f"/cases/from-complaint/{_complaint(world, obj, 'closed').number}/")

    return {
        "page_cases": lambda: s.get("/cases/?q=推诿"),
        "page_case": lambda: s.get(f"/cases/{case}/"),
        "page_case_edit": lambda: s.post(f"/cases/{case}/", edit),
        "page_case_publish": lambda: s.post(f"/cases/{case}/publish/", {"version": 1}),
        "page_case_generate": generate,
        "page_case_similar": lambda: s.get(f"/cases/similar/{world.complaints[obj].number}/"),
    }


# ---- end of learning cases


def _complaint_calls(world, c, obj):
    t = _fresh(world.tickets[obj])
    cp = world.complaints[obj].pk
    later = clock.now() + dt.timedelta(days=10)
    return {
        "list_complaints": lambda: c.get("/complaints"),
        "create_complaint": lambda: c.post(
            "/complaints",
            {
                "source": "ticket",
                "tickets": [t.pk],
                "complainant_name": "刘先生",
                "words": "没人管",
                "remedy_sought": "尽快处理",
                "severity": "medium",
                "impact": "one_site",
                "category": "attitude",
            },
        ),
        "get_complaint": lambda: c.get(f"/complaints/{cp}"),
        "cp_acknowledge": lambda: c.post(f"/complaints/{cp}/acknowledge"),
        "cp_extend": lambda: c.post(
            f"/complaints/{cp}/extend",
            {"deadline": "resolve", "until": later.isoformat(), "reason": "等待备件"},
        ),
        "cp_callback": lambda: (
            _complaint(world, obj, "acknowledged"),
            c.post(f"/complaints/{cp}/callback", {"reached": True}),
        )[1],
        "cp_root_cause": lambda: (
            _complaint(world, obj, "acknowledged"),
            c.post(f"/complaints/{cp}/root-cause", {"cause": "buck_passing", "note": "无人负责"}),
        )[1],
        "cp_note": lambda: c.post(f"/complaints/{cp}/notes", {"body": "内部记录"}),
        "cp_action": lambda: (
            _complaint(world, obj, "acknowledged"),
            c.post(
                f"/complaints/{cp}/actions",
                {"description": "培训", "owner": world.cast.b.pk, "due_at": later.isoformat()},
            ),
        )[1],
        "cp_verify": lambda: c.post(
            f"/complaints/{cp}/actions/{_complaint_action(world, obj)}/verify",
            {"effective": True, "verification": "已复查"},
        ),
        "cp_respond": lambda: (
            _complaint(world, obj, "acknowledged"),
            c.post(f"/complaints/{cp}/respond", {"text": "答复"}),
        )[1],
        "cp_approve": lambda: (
            _complaint(world, obj, "acknowledged"),
            obj == "own"
            and complaint_services.respond(
                actor=world.cast.a, complaint=Complaint.objects.get(pk=cp), text="答复"
            ),
            c.post(f"/complaints/{cp}/approve"),
        )[2],
        "cp_withdraw": lambda: c.post(f"/complaints/{cp}/withdraw", {"note": "客户撤诉"}),
        "cp_close": lambda: (
            _complaint(world, obj, "answered"),
            c.post(f"/complaints/{cp}/close", {"outcome": "confirmed"}),
        )[1],
        "cp_reopen": lambda: (
            _complaint(world, obj, "closed"),
            c.post(f"/complaints/{cp}/reopen", {"reason": "客户再次来电"}),
        )[1],
        "cp_answer": lambda: (
            _complaint(world, obj, "responded"),
            c.post(f"/complaints/{cp}/answer", {"accepted": True}),
        )[1],
        "complaint_categories": lambda: c.get("/complaint-categories"),
        "complaint_lookup": lambda: c.get("/complaint-lookup?q=137-0000-0102"),
    }


def _owners(world, obj):
    """attachments: each owner kind besides the ticket → its object and a file on it."""
    return {
        "complaint": world.complaints[obj],
        "change": world.changes[obj],
        "visit": world.visits[obj],
    }


def _owner_file_calls(world, c, obj):
    calls = {}
    for kind, owner in _owners(world, obj).items():
        f = world.owner_files[(kind, obj)]
        base = f"/owners/{kind}/{owner.pk}/attachments"
        calls |= {
            f"list_attachments_{kind}": lambda base=base: c.get(base),
            f"upload_attachment_{kind}": lambda base=base: c.client.post(
                f"/api/v1{base}", {"file": SimpleUploadedFile("note.txt", b"words")}
            ),
            f"download_attachment_{kind}": lambda f=f: c.get(f"/attachments/{f.pk}"),
        }
    return calls


def _owner_file_pages(world, s, obj):
    calls = {}
    for kind, owner in _owners(world, obj).items():
        f = world.owner_files[(kind, obj)]
        upload = f"/files/{kind}/{owner.pk}/upload/"
        calls |= {
            f"page_attachment_upload_{kind}": lambda upload=upload: s.post(
                upload, {"file": SimpleUploadedFile("note.txt", b"words")}
            ),
            f"page_attachment_download_{kind}": lambda f=f: s.get(f"/files/{f.pk}/"),
            f"page_attachment_preview_{kind}": lambda f=f: s.get(f"/files/{f.pk}/preview/"),
        }
    return calls


def _page_calls(world, s, obj):
    """Each page call name → the request it makes through the session client `s`."""
    cast = world.cast
    t = _fresh(world.tickets[obj])
    org = world.orgs[obj]
    entry = world.entries[obj]
    message = world.messages[obj]
    later = clock.now() + dt.timedelta(days=2)
    return {
        "page_home": lambda: s.get("/"),
        # ---- attachments ----
        "page_attachment_upload": lambda: s.post(
            f"/files/ticket/{t.pk}/upload/", {"file": SimpleUploadedFile("note.txt", b"words")}
        ),
        "page_attachment_download": lambda: s.get(f"/files/{world.files[obj].pk}/"),
        "page_attachment_preview": lambda: s.get(f"/files/{world.files[obj].pk}/preview/"),
        **_owner_file_pages(world, s, obj),
        # ---- end of attachments ----
        # ---- exports ----
        "page_queue_export": lambda: s.get("/queue/export.csv?tab=all"),
        "page_portal_export": lambda: s.get("/portal/export.xlsx?show=all"),
        "page_cp_export": lambda: s.get("/complaints/export.csv?scope=all&status=all"),
        "page_mask_export": lambda: s.get("/masks/export.csv?active="),
        # ---- end of exports ----
        "page_healthz": lambda: s.get("/healthz"),
        # ---- operations ----
        "page_readyz": lambda: (Heart("access-table").tick(force=True), s.get("/readyz"))[1],
        "page_metrics": lambda: s.get("/metrics"),
        # ---- end of operations ----
        "page_login": lambda: s.get("/login/"),
        "page_logout": lambda: s.post("/logout/"),
        "page_lang": lambda: s.post("/lang/", {"language": "en", "next": "/"}),
        "page_queue": lambda: s.get("/queue/"),
        "page_record_call": lambda: s.get("/tickets/new/"),
        "page_ticket": lambda: s.get(f"/t/{t.number}/"),
        "page_handoff_form": lambda: s.get(f"/t/{t.number}/handoff-form/"),
        "page_comment": lambda: s.post(
            f"/t/{t.number}/comment/", {"body": "hello", "visibility": "public"}
        ),
        "page_accept": lambda: s.post(f"/handoffs/{_pending_handoff(world, obj).pk}/accept/"),
        "page_oncall": lambda: s.get("/oncall/"),
        "page_add_override": lambda: s.post(
            "/oncall/overrides/",
            {
                "team": world.rotation.team_id,
                "person": cast.b.pk,
                "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (later + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
                "reason": "swap",
            },
        ),
        "page_remove_override": lambda: s.post(f"/oncall/overrides/{world.override.pk}/remove/"),
        "page_edit_rotation": lambda: s.post(
            f"/oncall/rotations/{world.rotation.pk}/",
            {
                f"r{world.rotation.pk}-period": "daily",
                f"r{world.rotation.pk}-handover_time": "08:30",
                f"r{world.rotation.pk}-member_0": cast.b.pk,
            },
        ),
        "page_portal": lambda: s.get("/portal/"),
        "page_portal_new": lambda: s.get("/portal/new/"),
        "page_dead": lambda: s.get("/notify/dead/"),
        "page_retry_selected": lambda: s.post("/notify/dead/retry/", {"ids": [message.pk]}),
        "page_message": lambda: s.get(f"/notify/messages/{message.pk}/"),
        "page_retry": lambda: s.post(f"/notify/messages/{message.pk}/retry/"),
        "page_customers": lambda: s.get("/customers/"),
        "page_map": lambda: s.get(f"/customers/{org.pk}/stakeholders/"),
        "page_map_add": lambda: s.post(
            f"/customers/{org.pk}/stakeholders/add/",
            {"person": cast.c.pk, "channel": "email", "subscriptions": ["opened"]},
        ),
        "page_map_edit": lambda: s.post(
            f"/stakeholders/{entry.pk}/edit/",
            {"channel": "email", "subscriptions": ["opened"], "note": "值班"},
        ),
        "page_map_remove": lambda: s.post(f"/stakeholders/{entry.pk}/remove/"),
        "page_roles": lambda: s.get("/directory/roles/"),
        "page_tokens": lambda: s.get("/directory/tokens/"),
        "page_revoke_token": lambda: s.post(
            f"/directory/tokens/{_token(world, _session_person(s), obj).pk}/revoke/"
        ),
        "page_role_add": lambda: s.post(
            "/directory/roles/add/",
            {"role": "spm", "person": cast.a.pk, "customer_org": cast.orgs.hillside.pk},
        ),
        "page_role_remove": lambda: s.post(f"/directory/roles/{world.assignment.pk}/remove/"),
        "page_django_admin": lambda: s.get("/admin/"),
        "page_login_code": lambda: s.get("/login/code/"),
        "page_two_step": lambda: s.get("/directory/two-step/"),
        "page_two_step_setup": lambda: s.post("/directory/two-step/setup/"),
        "page_two_step_confirm": lambda: (
            s.post("/directory/two-step/setup/"),
            s.post("/directory/two-step/confirm/", {"code": _setup_code(s)}),
        )[1],
        "page_two_step_recovery_codes": lambda: s.post(
            "/directory/two-step/recovery-codes/", {"code": _enrolled_code(s)}
        ),
        "page_two_step_turn_off": lambda: s.post(
            "/directory/two-step/turn-off/", {"code": _enrolled_code(s)}
        ),
        "page_two_step_reset": lambda: s.post(
            f"/directory/two-step/reset/{_enrolled_target(world, obj).pk}/"
        ),
        "page_visit_plan_form": lambda: s.get(f"/t/{t.number}/visits/plan/"),
        "page_visit_plan": lambda: s.post(
            f"/t/{t.number}/visits/plan/",
            {**_plan_body(world, obj), "planned_at": later.strftime("%Y-%m-%dT%H:%M")},
        ),
        "page_visit": lambda: s.get(f"/visits/{world.visits[obj].pk}/"),
        "page_visit_arrive": lambda: s.post(f"/visits/{world.visits[obj].pk}/arrive/"),
        "page_visit_confirm": lambda: s.post(f"/visits/{_visit(world, obj, 'left').pk}/confirm/"),
        # satisfaction
        **_survey_page_calls(world, s, obj),
        **_import_page_calls(world, s),
        **_complaint_pages(world, s, obj),
        **_case_page_calls(world, s, obj),  # learning cases
        # ---- change requests
        "page_changes": lambda: s.get("/changes/"),
        "page_change_new": lambda: s.get("/changes/new/"),
        "page_change": lambda: s.get(f"/changes/{world.changes[obj].pk}/"),
        "page_change_submit": lambda: s.post(
            f"/changes/{world.changes[obj].pk}/submit/", {"version": world.changes[obj].version}
        ),
        # ---- end of change requests
        # ---- analytics ----
        "page_analytics": lambda: s.get("/analytics/?period=2026H2"),
        "page_analytics_xlsx": lambda: s.get("/analytics/category.xlsx?period=2026H2"),
        "page_reports": lambda: s.get("/analytics/reports/"),
        "page_report_build": lambda: s.post("/analytics/reports/", {"period": "2026H1"}),
        "page_report": lambda: s.get(f"/analytics/reports/{world.report_runs[obj].pk}/"),
        "page_report_progress": lambda: s.get(
            f"/analytics/reports/{world.report_runs[obj].pk}/progress/"
        ),
        "page_report_file": lambda: s.get(f"/analytics/reports/{world.report_runs[obj].pk}/xlsx/"),
        # ---- end of analytics ----
        # masks
        "page_masks": lambda: s.get("/masks/"),
        "page_mask_upload": lambda: s.get("/masks/upload/"),
        "page_mask": lambda: s.get(f"/masks/{_mask(world, obj).pk}/"),
        "page_mask_remove": lambda: s.post(
            f"/masks/{_mask(world, obj).pk}/remove/", {"reason": "完成"}
        ),
        **_handover_page_calls(world, s, obj),  # handover
        **_risk_page_calls(world, s, obj),  # early warning
    }


def _complaint_pages(world, s, obj):
    cp = world.complaints[obj]
    return {
        "page_cp_queue": lambda: s.get("/complaints/"),
        "page_cp_new": lambda: s.get("/complaints/new/?q=137-0000-0102"),
        "page_cp_register": lambda: s.post(
            "/complaints/new/",
            {
                "source": "ticket",
                "tickets": _fresh(world.tickets[obj]).number,
                "complainant_name": "刘先生",
                "category": Category.objects.get(code="attitude").pk,
                "words": "态度差",
                "remedy_sought": "道歉",
                "severity": "low",
                "impact": "one_site",
            },
        ),
        "page_cp_history": lambda: s.get(f"/complaints/people/{world.cast.b.pk}/"),
        "page_cp": lambda: s.get(f"/complaints/{cp.number}/"),
        "page_cp_acknowledge": lambda: s.post(f"/complaints/{cp.number}/acknowledge/"),
        "page_cp_answer": lambda: (
            _complaint(world, obj, "responded"),
            s.post(f"/complaints/{cp.number}/answer/", {"accepted": "yes"}),
        )[1],
        "page_cp_verify": lambda: s.post(
            f"/complaints/{cp.number}/actions/{_complaint_action(world, obj)}/verify/",
            {"effective": "yes", "verification": "已复查"},
        ),
    }


# ---- satisfaction: each cell closes the ticket and sends its survey (rolled back after it).


def _survey(world, obj: str):
    closer = world.cast.y if obj == "own" else world.cast.o
    return survey_factories.sent_survey(world.tickets[obj], closer)


def _follow_up(world, obj: str):
    _survey_row, token = _survey(world, obj)
    return survey_factories.low_answer(token).survey.follow_up


def _survey_api_calls(world, c, obj):
    answer = {**survey_factories.LOW, "solved": True}
    return {
        "survey_link": lambda: c.client.get(f"/api/v1/surveys/{_survey(world, obj)[1]}"),
        "survey_answer": lambda: c.client.post(
            f"/api/v1/surveys/{_survey(world, obj)[1]}",
            json.dumps(answer),
            content_type="application/json",
        ),
        "surveys": lambda: c.get("/surveys"),
        "survey_follow_ups": lambda: c.get("/survey-follow-ups"),
        "survey_follow_up_close": lambda: c.post(
            f"/survey-follow-ups/{_follow_up(world, obj).pk}/close", {"note": "已回访客户"}
        ),
    }


def _import_run(world):
    """A file the administrator uploaded, waiting for the worker's check."""
    return import_runs.upload_import(
        actor=world.cast.admin,
        kind="products",
        file_name="products.csv",
        content=b"code,name\nims,IMS\n",
        mapping_lines=[],
    )


def _checked_import_run(world):
    """A file the worker has checked and found good, waiting to be confirmed."""
    run = _import_run(world)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.CHECKED)
    return run


def _import_api_calls(world, c):
    upload = {"kind": "products", "file": SimpleUploadedFile("p.csv", b"code,name\nx,X\n")}
    return {
        "api_import_upload": lambda: c.client.post("/api/v1/imports", upload),
        "api_imports": lambda: c.get("/imports"),
        "api_import_run": lambda: c.get(f"/imports/{_import_run(world).pk}"),
        "api_import_confirm": lambda: c.post(f"/imports/{_checked_import_run(world).pk}/confirm"),
    }


def _export_api_calls(c):
    return {
        "api_ticket_export": lambda: c.get("/tickets/export?status="),
        "api_complaint_export": lambda: c.get("/complaints/export?scope=all&status=all"),
        "api_mask_export": lambda: c.get("/masks/export?format=xlsx"),
        "api_survey_export": lambda: c.get("/surveys/export"),
    }


def _import_page_calls(world, s):
    upload = {"kind": "products", "mapping": ""}
    return {
        "page_imports": lambda: s.get("/imports/"),
        "page_import_upload": lambda: s.post(
            "/imports/", {**upload, "file": SimpleUploadedFile("p.csv", b"code,name\nx,X\n")}
        ),
        "page_import_run": lambda: s.get(f"/imports/{_import_run(world).pk}/"),
        "page_import_progress": lambda: s.get(f"/imports/{_import_run(world).pk}/progress/"),
        "page_import_confirm": lambda: s.post(f"/imports/{_import_run(world).pk}/run/"),
    }


def _survey_page_calls(world, s, obj):
    answer = {"responsiveness": "4", "attitude": "5", "technical_skill": "4"}
    answer |= {"communication": "5", "solved": "yes", "comment": ""}
    return {
        "page_survey": lambda: s.get(f"/s/{_survey(world, obj)[1]}/"),
        "page_survey_answer": lambda: s.post(f"/s/{_survey(world, obj)[1]}/", answer),
        "page_surveys": lambda: s.get("/surveys/"),
        "page_survey_export": lambda: s.get("/surveys/export.xlsx"),
        "page_survey_follow_ups": lambda: s.get("/surveys/follow-ups/"),
        "page_survey_follow_up_close": lambda: s.post(
            f"/surveys/follow-ups/{_follow_up(world, obj).pk}/close/", {"note": "已回访客户"}
        ),
    }


def _setup_code(s) -> str:
    """The current code of the caller's set-up just begun (none begun: a code that fits none)."""
    device = TOTPDevice.objects.filter(user=_session_person(s), confirmed=False).first()
    return code_for(device) if device else "000000"


def _enrolled_code(s) -> str:
    """The caller enrolled (staff only may) and the next code their app shows."""
    person = _session_person(s)
    if person is None or not directory_policy.may_use_second_factor(person):
        return "000000"
    device, _ = enrolled(person)
    return code_for(device, steps=1)


def _enrolled_target(world, obj: str) -> Person:
    target = world.targets[obj]
    enrolled(target)
    return target


def _cells():
    """(kind, call name, object, expected) for every cell of the table."""
    # an operation declares one row, or a list of them (one per owner kind of a shared path)
    api_rows = [
        r for entry in table.API.values() for r in (entry if isinstance(entry, list) else [entry])
    ]
    page_rows = [r for calls in table.PAGES.values() for r in calls] + table.DJANGO_ADMIN_CALLS
    for kind, rows in (("api", api_rows), ("page", page_rows)):
        for name, own, other in rows:
            yield kind, name, "own", own
            if other is not None:
                yield kind, name, "other", other


def _run(call):
    """Make the request inside a transaction and roll it back: the next cell sees the world
    as it was built."""
    response = None
    try:
        with transaction.atomic():
            response = call()
            raise _Rollback
    except _Rollback:
        pass
    finally:
        refdata.reset()
    return response


@pytest.mark.parametrize("role", table.ROLES)
def test_every_cell_answers_as_declared(world, role):
    person = _person_for(world, role)
    if person is None:
        anon = ApiClient.__new__(ApiClient)
        anon.client, anon.person = Client(), None
        api_client = anon
        session = Client()
    else:
        api_client = ApiClient(person)
        session = Client()
        session.force_login(person)
        session.cookies["django_language"] = "en"
    wrong = []
    checked = 0
    for kind, name, obj, expected in _cells():
        calls = (
            _api_calls(world, api_client, obj)
            if kind == "api"
            else _page_calls(world, session, obj)
        )
        kept = {k: m.value for k, m in session.cookies.items()}

        res = _run(calls[name])
        # A cell that signs out or switches language must not change the next one's caller.
        session.cookies.clear()
        for key, value in kept.items():
            session.cookies[key] = value
        checked += 1
        want = expected[role]
        if res.status_code != want:
            wrong.append(f"{kind} {name} [{obj}]: {res.status_code}, declared {want}")
            continue
        if kind == "api" and want >= 400:
            body = res.json()
            if set(body.get("error", {})) != {"code", "message", "fields"}:
                wrong.append(f"{kind} {name} [{obj}]: error shape {body}")
    assert checked >= len(table.API) + len(table.PAGES)  # every operation and page, at least once
    if person is not None:
        # Lists show exactly what the detail lets one read (the declared SEE rows).
        listed = {i["id"] for i in api_client.get("/tickets?status=").json()["items"]}
        declared = {
            obj for obj, see in (("own", table.SEE_L), ("other", table.SEE_N)) if see[role] == 200
        }
        shown = {obj for obj, t in world.tickets.items() if t.pk in listed}
        if shown != declared:
            wrong.append(f"api list_tickets shows {sorted(shown)}, declared {sorted(declared)}")
    assert not wrong, "\n".join(wrong)


def _page_names() -> set[str]:
    names = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and not route.startswith(table.OTHER_PREFIXES):
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names


def test_the_table_names_every_api_operation():
    schema = ninja_api.get_openapi_schema()
    operations = {
        (method.upper(), f"/api/v1{path}" if not path.startswith("/api/v1") else path)
        for path, ops in schema["paths"].items()
        for method in ops
    }
    assert operations == set(table.API), (
        f"not in the access table: {sorted(operations - set(table.API))}; "
        f"in the table but gone: {sorted(set(table.API) - operations)}"
    )


def test_the_table_names_every_page():
    pages = _page_names()
    assert pages == set(table.PAGES), (
        f"not in the access table: {sorted(pages - set(table.PAGES))}; "
        f"in the table but gone: {sorted(set(table.PAGES) - pages)}"
    )
