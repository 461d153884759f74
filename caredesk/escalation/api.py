"""/api/v1: SLA clocks of a ticket, who is on call, and admin CRUD for calendars, SLA policies
and escalation policies."""

import datetime as dt
import zoneinfo
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from pydantic import StrictBool

from caredesk import clock
from caredesk.apikit import (
    Id,
    IdOrCode,
    IdParam,
    JsonInt,
    TimeOfDay,
    error_responses,
    reference,
)
from caredesk.calendars import services as calendar_services
from caredesk.directory.models import Product, Region
from caredesk.errors import PermissionDenied, ValidationFailed
from caredesk.inputs import moment_problem
from caredesk.tickets import selectors

from . import config, policy, rosters
from .clocks import clocks_of
from .models import (
    Calendar,
    ClockKind,
    EscalationPolicy,
    SlaPolicy,
    StepCondition,
    StepTarget,
    Trigger,
)

router = Router(tags=["escalation"])


class ClockOut(Schema):
    kind: str
    label: str
    state: str
    target_seconds: int
    elapsed_seconds: int
    remaining_seconds: int
    due_at: dt.datetime | None
    breached: bool
    met: bool
    calendar: str
    business_hours: bool  # counted in working hours: remaining_seconds is working time


@router.get("/tickets/{ticket_id}/clocks", response={200: list[ClockOut], **error_responses(404)})
def ticket_clocks(request, ticket_id: IdParam):
    """Each SLA clock: due time, time left (negative once breached), breach."""
    ticket = selectors.ticket_for(request.auth, ticket_id=ticket_id)
    return [c.__dict__ for c in clocks_of(ticket)]


class OnCallOut(Schema):
    team: str | None
    person: dict | None
    source: str
    at: dt.datetime


class OnCallQuery(Schema):
    product: IdOrCode
    region: IdOrCode
    at: dt.datetime | None = None


@router.get("/oncall", response={200: OnCallOut, **error_responses(403)})
def who_is_on_call(request, query: Query[OnCallQuery]):
    """Who is on call for a product in a region at a moment (default: now)."""
    if request.auth.is_customer:
        raise PermissionDenied()
    product = reference(Product, query.product, "product")
    region = reference(Region, query.region, "region")
    at = query.at or clock.now()
    if problem := moment_problem(at):
        raise ValidationFailed(fields={"at": problem})
    team = rosters.team_for(product.pk, region.pk)
    person, source = rosters.on_call(team, at) if team else (None, "")
    return {
        "team": team.name if team else None,
        "person": {"id": person.pk, "name": person.name, "phone": person.phone} if person else None,
        "source": source,
        "at": at,
    }


# ------------------------------------------------------------------ admin CRUD


def _admin(request):
    """Configuration reads and lookups answer 403 before 404 to whoever may not configure."""
    policy.check_configure(request.auth)


# The zones this Python knows (save_config checks with ZoneInfo): the schema lists them, so a
# client learns what is accepted from the document rather than from a 422.
TimeZoneName = Literal[tuple(sorted(zoneinfo.available_timezones()))]  # type: ignore[valid-type]


class CalendarIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    time_zone: TimeZoneName = "Asia/Shanghai"
    always_open: StrictBool = False
    work_start: TimeOfDay = dt.time(9)
    work_end: TimeOfDay = dt.time(18)
    workdays: str = Field("12345", pattern=r"^[1-7]{0,7}$")


class CalendarOut(CalendarIn):
    id: int
    days: list[dict]


def _calendar_out(c: Calendar) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "time_zone": c.time_zone,
        "always_open": c.always_open,
        "work_start": c.work_start,
        "work_end": c.work_end,
        "workdays": c.workdays,
        "days": [{"date": d.date, "kind": d.kind, "name": d.name} for d in c.days.all()],
    }


@router.get("/calendars", response={200: list[CalendarOut], **error_responses(403)})
def list_calendars(request):
    _admin(request)
    return [_calendar_out(c) for c in Calendar.objects.prefetch_related("days")]


@router.post("/calendars", response={201: CalendarOut, **error_responses(403, 409)})
def create_calendar(request, payload: CalendarIn):
    c = calendar_services.create_calendar(actor=request.auth, **payload.dict())
    return Answer(201, _calendar_out(c))


class DaysIn(Schema):
    csv: str = Field(min_length=1, max_length=200_000, description="date,kind,name rows")


@router.post(
    "/calendars/{calendar_id}/days", response={200: CalendarOut, **error_responses(403, 404)}
)
def import_calendar_days(request, calendar_id: IdParam, payload: DaysIn):
    """Holidays and make-up working days (调休) from CSV: `2026-10-01,holiday,国庆节`."""
    _admin(request)
    cal = get_object_or_404(Calendar, pk=calendar_id)
    calendar_services.import_calendar_days(actor=request.auth, calendar=cal, text=payload.csv)
    return _calendar_out(cal)


# A target past a year of minutes is a typing slip; the columns hold 32-bit integers.
MAX_TARGET_MINUTES = 60 * 24 * 366


class SlaIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    customer_org: Id | None = None
    severity: str = Field(pattern=r"^P[1-4]$")
    calendar: Id
    acknowledge_minutes: JsonInt | None = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    respond_minutes: JsonInt | None = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    restore_minutes: JsonInt | None = Field(None, ge=1, le=MAX_TARGET_MINUTES)
    resolve_minutes: JsonInt | None = Field(None, ge=1, le=MAX_TARGET_MINUTES)


class SlaOut(SlaIn):
    id: int


def _sla_out(p: SlaPolicy) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "customer_org": p.customer_org_id,
        "severity": p.severity,
        "calendar": p.calendar_id,
        **{f"{k}_minutes": p.target_minutes(k) for k in ClockKind.values},
    }


def _sla_values(payload: SlaIn) -> dict:
    calendar = Calendar.objects.filter(pk=payload.calendar).first()
    if calendar is None:
        raise ValidationFailed(fields={"calendar": f"No calendar {payload.calendar}."})
    return {
        "name": payload.name,
        "customer_org_id": payload.customer_org,
        "severity": payload.severity,
        "calendar": calendar,
        "targets": {k: getattr(payload, f"{k}_minutes") for k in ClockKind.values},
    }


@router.get("/sla-policies", response={200: list[SlaOut], **error_responses(403)})
def list_sla(request):
    _admin(request)
    return [_sla_out(p) for p in SlaPolicy.objects.order_by("customer_org_id", "severity")]


@router.post("/sla-policies", response={201: SlaOut, **error_responses(403, 404, 409)})
def create_sla(request, payload: SlaIn):
    p = config.create_sla_policy(actor=request.auth, **_sla_values(payload))
    return Answer(201, _sla_out(p))


@router.put("/sla-policies/{policy_id}", response={200: SlaOut, **error_responses(403, 404, 409)})
def update_sla(request, policy_id: IdParam, payload: SlaIn):
    """Applies to tickets opened from now on; running clocks keep their targets."""
    _admin(request)
    p = get_object_or_404(SlaPolicy, pk=policy_id)
    return _sla_out(config.update_sla_policy(actor=request.auth, sla=p, **_sla_values(payload)))


@router.delete("/sla-policies/{policy_id}", response={204: None, **error_responses(403, 404)})
def delete_sla(request, policy_id: IdParam):
    _admin(request)
    p = get_object_or_404(SlaPolicy, pk=policy_id)
    config.delete_sla_policy(actor=request.auth, sla=p)
    return Answer(204, None)


class StepIn(Schema):
    target: StepTarget
    wait_minutes: JsonInt = Field(0, ge=0, le=60 * 24 * 30)
    channels: list[str] = Field(["email"], min_length=1)
    condition: StepCondition
    clock: ClockKind | None = None
    percent: JsonInt = Field(100, ge=1, le=1000)


class PolicyIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    trigger: Trigger
    customer_org: Id | None = None
    severity: str = Field("", pattern=r"^(P[1-4])?$")
    active: StrictBool = True
    steps: list[StepIn] = Field(min_length=1, max_length=20)


class PolicyOut(PolicyIn):
    id: int


def _policy_out(p: EscalationPolicy) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "trigger": p.trigger,
        "customer_org": p.customer_org_id,
        "severity": p.severity,
        "active": p.active,
        "steps": [{**s.frozen(), "clock": s.clock or None} for s in p.steps.all()],
    }


def _chain_values(payload: PolicyIn) -> dict:
    return {
        "name": payload.name,
        "trigger": payload.trigger,
        "customer_org_id": payload.customer_org,
        "severity": payload.severity,
        "active": payload.active,
        "steps": [
            config.StepSpec(
                target=s.target,
                condition=s.condition,
                wait_minutes=s.wait_minutes,
                channels=tuple(s.channels),
                clock=s.clock or "",
                percent=s.percent,
            )
            for s in payload.steps
        ],
    }


@router.get("/escalation-policies", response={200: list[PolicyOut], **error_responses(403)})
def list_policies(request):
    _admin(request)
    return [_policy_out(p) for p in EscalationPolicy.objects.prefetch_related("steps")]


@router.post("/escalation-policies", response={201: PolicyOut, **error_responses(403, 404)})
def create_policy(request, payload: PolicyIn):
    p = config.create_escalation_policy(actor=request.auth, **_chain_values(payload))
    return Answer(201, _policy_out(p))


@router.put(
    "/escalation-policies/{policy_id}", response={200: PolicyOut, **error_responses(403, 404)}
)
def update_policy(request, policy_id: IdParam, payload: PolicyIn):
    """Chains already running keep the steps they started with."""
    _admin(request)
    p = get_object_or_404(EscalationPolicy, pk=policy_id)
    chain = config.update_escalation_policy(actor=request.auth, chain=p, **_chain_values(payload))
    return _policy_out(chain)


@router.delete(
    "/escalation-policies/{policy_id}", response={204: None, **error_responses(403, 404)}
)
def delete_policy(request, policy_id: IdParam):
    _admin(request)
    p = get_object_or_404(EscalationPolicy, pk=policy_id)
    config.delete_escalation_policy(actor=request.auth, chain=p)
    return Answer(204, None)
