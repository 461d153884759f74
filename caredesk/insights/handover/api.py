"""/api/v1/handover: the shift hand-over report (?customer=&region=&at=), its notices and their
acknowledgement, and the shift schedules. Parse, look up what the caller may read, call a
selector or a verb, return the fresh state."""

from datetime import datetime, timedelta

from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from caredesk.apikit import Id, IdParam, TimeOfDay, Version, error_responses
from caredesk.directory import refdata
from caredesk.directory.models import Organisation, Person, Region
from caredesk.errors import NotFound, ValidationFailed

from . import policy, selectors, services
from .models import HandoverNotice, HandoverRecipient, ShiftSchedule, ShiftSlot

router = Router(tags=["shift hand-over"])
# How many rules each mask group lists by number in the answer (the group's count is whole).
LISTED_RULES = 1000


# ---------------------------------------------------------------- schemas


class HandoverQuery(Schema):
    customer: IdParam | None = Field(None, description="A customer organisation (with branches)")
    region: IdParam | None = None
    at: datetime | None = Field(None, description="The moment of the hand-over; now if left out")
    shift_hours: int = Field(12, ge=1, le=24, description="Length of a shift")


class HPersonOut(Schema):
    id: int
    name: str
    phone: str


class HMaskRuleOut(Schema):
    id: int
    number: str
    customer: str
    elements: list[str]
    alarm_codes: list[str]
    starts_at: datetime
    ends_at: datetime


class HMaskGroupOut(Schema):
    change: int
    change_number: str
    change_title: str
    owner: HPersonOut
    reason: str
    count: int
    first_end: datetime
    last_end: datetime
    elements: list[str]
    rules: list[HMaskRuleOut] = Field(description=f"Up to {LISTED_RULES} rules by number")


class HSilenceOut(Schema):
    silence_id: str
    matchers: list[dict]
    created_by: str
    comment: str
    starts_at: datetime | None
    ends_at: datetime | None
    first_seen_at: datetime


class HUnauthorisedOut(Schema):
    configured: bool
    checked_at: datetime | None
    check_ok: bool | None
    source: str = Field(description="reconciler, alertmanager (read now) or none")
    silences: list[HSilenceOut]


class HChangeOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    status: str
    risk: str
    customer_name: str
    executor: HPersonOut
    window_start: datetime
    window_end: datetime
    started_at: datetime | None
    ended_at: datetime | None
    elements: list[str]


class HTicketOut(Schema):
    id: int
    number: str
    title: str
    severity: str
    status: str
    customer_name: str
    owner: HPersonOut


class HClockOut(Schema):
    ticket: HTicketOut
    kind: str
    due_at: datetime | None
    remaining_seconds: int
    breached: bool


class HVisitOut(Schema):
    id: int
    ticket: HTicketOut
    engineer: HPersonOut
    result: str
    left_at: datetime
    next_step: str
    next_step_owner: HPersonOut
    next_step_due: datetime
    overdue: bool


class HandoverOut(Schema):
    customer: int | None
    region: int | None
    scope: str
    at: datetime
    last_shift_start: datetime
    next_shift_end: datetime
    summary: dict[str, int]
    active_masks: list[HMaskGroupOut]
    expiring_masks: list[HMaskGroupOut]
    unauthorised: HUnauthorisedOut | None = Field(description="Null for partner engineers")
    changes_in_progress: list[HChangeOut]
    changes_ended: list[HChangeOut]
    changes_due: list[HChangeOut]
    urgent_tickets: list[HTicketOut]
    breached_clocks: list[HClockOut]
    at_risk_clocks: list[HClockOut]
    visits_unresolved: list[HVisitOut]


class HRecipientOut(Schema):
    person: HPersonOut
    acknowledged_at: datetime | None
    reminded_at: datetime | None


class NoticeOut(Schema):
    id: int
    schedule: str
    customer: int | None
    region: int | None
    shift_at: datetime
    sent_at: datetime
    summary: dict
    recipients: list[HRecipientOut]


class SlotIO(Schema):
    starts: TimeOfDay
    people: list[Id] = Field(min_length=1, max_length=50)


class ScheduleIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    customer: Id | None = None
    region: Id | None = None
    slots: list[SlotIO] = Field(min_length=1, max_length=services.MAX_SLOTS)
    duty_contacts: list[Id] = Field([], max_length=50)
    time_zone: str = Field("Asia/Shanghai", max_length=64)
    remind_after_minutes: int = Field(30, ge=1, le=24 * 60)
    active: bool = True
    version: Version | None = Field(None, description="For an edit: the version it is based on")


class ScheduleOut(Schema):
    id: int
    name: str
    customer: int | None
    region: int | None
    time_zone: str
    remind_after_minutes: int
    active: bool
    slots: list[dict]
    duty_contacts: list[int]
    version: int


# ---------------------------------------------------------------- shaping


def _person(p: Person | None) -> dict:
    if p is None:
        return {"id": 0, "name": "", "phone": ""}
    return {"id": p.pk, "name": p.name, "phone": p.phone}


def _group(g: selectors.MaskGroup) -> dict:
    return {
        "change": g.change_id,
        "change_number": g.change_number,
        "change_title": g.change_title,
        "owner": {"id": g.owner_id, "name": g.owner_name, "phone": g.owner_phone},
        "reason": g.reason,
        "count": g.count,
        "first_end": g.first_end,
        "last_end": g.last_end,
        "elements": g.elements,
        "rules": [r.__dict__ for r in g.rules[:LISTED_RULES]],
    }


def _change(c) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "title": c.title,
        "kind": c.kind,
        "status": c.status,
        "risk": c.risk,
        "customer_name": c.customer_org.name,
        "executor": _person(c.executor),
        "window_start": c.window_start,
        "window_end": c.window_end,
        "started_at": c.started_at,
        "ended_at": c.ended_at,
        "elements": [t.element for t in c.targets.all()],
    }


def _ticket(t) -> dict:
    return {
        "id": t.pk,
        "number": t.number,
        "title": t.title,
        "severity": t.severity,
        "status": t.status,
        "customer_name": t.customer_org.name,
        "owner": _person(t.owner),
    }


def _clock(r: selectors.ClockRow) -> dict:
    return {
        "ticket": _ticket(r.ticket),
        "kind": r.kind,
        "due_at": r.due_at,
        "remaining_seconds": r.remaining_seconds,
        "breached": r.breached,
    }


def _visit(r: selectors.VisitRow) -> dict:
    v = r.visit
    return {
        "id": v.pk,
        "ticket": _ticket(v.ticket),
        "engineer": _person(v.engineer),
        "result": v.result,
        "left_at": v.left_at,
        "next_step": v.next_step,
        "next_step_owner": _person(v.next_step_owner),
        "next_step_due": v.next_step_due,
        "overdue": r.overdue,
    }


def report_out(report: selectors.Report) -> dict:
    u = report.unauthorised
    return {
        "customer": report.scope.customer.pk if report.scope.customer else None,
        "region": report.scope.region.pk if report.scope.region else None,
        "scope": report.scope.label,
        "at": report.at,
        "last_shift_start": report.last_shift_start,
        "next_shift_end": report.next_shift_end,
        "summary": report.summary(),
        "active_masks": [_group(g) for g in report.active_masks],
        "expiring_masks": [_group(g) for g in report.expiring_masks],
        "unauthorised": None
        if u is None
        else {
            "configured": u.configured,
            "checked_at": u.checked_at,
            "check_ok": u.check_ok,
            "source": u.source,
            "silences": u.silences,
        },
        "changes_in_progress": [_change(c) for c in report.changes_in_progress],
        "changes_ended": [_change(c) for c in report.changes_ended],
        "changes_due": [_change(c) for c in report.changes_due],
        "urgent_tickets": [_ticket(t) for t in report.urgent_tickets],
        "breached_clocks": [_clock(r) for r in report.breached_clocks],
        "at_risk_clocks": [_clock(r) for r in report.at_risk_clocks],
        "visits_unresolved": [_visit(r) for r in report.visits_unresolved],
    }


def notice_out(notice: HandoverNotice) -> dict:
    return {
        "id": notice.pk,
        "schedule": notice.schedule.name,
        "customer": notice.schedule.customer_org_id,
        "region": notice.schedule.region_id,
        "shift_at": notice.shift_at,
        "sent_at": notice.sent_at,
        "summary": notice.summary,
        "recipients": [
            {
                "person": _person(r.person),
                "acknowledged_at": r.acknowledged_at,
                "reminded_at": r.reminded_at,
            }
            for r in notice.recipients.all()
        ],
    }


def schedule_out(s: ShiftSchedule) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "customer": s.customer_org_id,
        "region": s.region_id,
        "time_zone": s.time_zone,
        "remind_after_minutes": s.remind_after_minutes,
        "active": s.active,
        "slots": [
            {"starts": slot.starts.strftime("%H:%M"), "people": [p.pk for p in slot.people.all()]}
            for slot in s.slots.order_by("starts")
        ],
        "duty_contacts": [p.pk for p in s.duty_contacts.all()],
        "version": s.version,
    }


# ---------------------------------------------------------------- endpoints


@router.get("/handover", response={200: HandoverOut, **error_responses(404)})
def handover(request, q: Query[HandoverQuery]):
    """The hand-over report for a customer (with its branches) or a region — or both — at `at`
    (now when left out): the last shift is the `shift_hours` before it, the next the ones
    after. Customers and readers without work in the scope get 404."""
    if q.customer is None and q.region is None:
        raise ValidationFailed(fields={"customer": "Give a customer or a region."})
    if q.at is not None and q.at.tzinfo is None:
        raise ValidationFailed(fields={"at": "Give the time with its offset (…+08:00 or …Z)."})
    scope = selectors.scope_for(request.auth, customer_org_id=q.customer, region_id=q.region)
    report = selectors.handover_report(
        request.auth, scope, at=q.at, shift=timedelta(hours=q.shift_hours)
    )
    return report_out(report)


def notice_for(person: Person, notice_id: int) -> HandoverNotice:
    """A notice its recipient reads, or NotFound (for everyone else it does not exist)."""
    notice = (
        HandoverNotice.objects.select_related("schedule")
        .prefetch_related(
            Prefetch(
                "recipients", HandoverRecipient.objects.select_related("person").order_by("id")
            )
        )
        .filter(pk=notice_id, recipients__person=person)
        .first()
    )
    if notice is None or not person.is_authenticated:
        raise NotFound()
    return notice


@router.get("/handover/notices/{notice_id}", response={200: NoticeOut, **error_responses(404)})
def get_notice(request, notice_id: IdParam):
    """A shift change's notice, for its recipients: the summary and who acknowledged when."""
    return notice_out(notice_for(request.auth, notice_id))


@router.post(
    "/handover/notices/{notice_id}/acknowledge", response={200: NoticeOut, **error_responses(404)}
)
def acknowledge(request, notice_id: IdParam):
    """The recipient acknowledges the hand-over (once; again changes nothing)."""
    notice = notice_for(request.auth, notice_id)
    services.acknowledge(actor=request.auth, notice=notice)
    return notice_out(notice_for(request.auth, notice_id))


def _people(ids: list[int], field: str) -> list[Person]:
    found = Person.objects.in_bulk(ids)
    if missing := set(ids) - set(found):
        raise ValidationFailed(fields={field: f"No such person: {min(missing)}."})
    return [found[i] for i in ids]


@router.post("/handover/schedules", response={201: ScheduleOut, **error_responses(403, 404)})
def create_schedule(request, payload: ScheduleIn):
    """A shift schedule: shift times (local, in `time_zone`) with their people, the customer's
    duty contacts, the reminder's delay. Service managers and administrators."""
    return Answer(201, schedule_out(_save(request, payload, None)))


@router.put(
    "/handover/schedules/{schedule_id}",
    response={200: ScheduleOut, **error_responses(403, 404, 409)},
)
def update_schedule(request, schedule_id: IdParam, payload: ScheduleIn):
    """Replace a schedule's shifts and people; 409 when `version` is stale."""
    schedule = ShiftSchedule.objects.filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound()
    services.check_keep_schedules(
        request.auth, customer_org_id=schedule.customer_org_id, region_id=schedule.region_id
    )
    return schedule_out(_save(request, payload, schedule))


def _save(request, payload: ScheduleIn, schedule: ShiftSchedule | None) -> ShiftSchedule:
    customer = region = None
    if payload.customer is not None:
        customer = Organisation.objects.filter(pk=payload.customer).first()
        if customer is None:
            raise ValidationFailed(fields={"customer": "No such customer."})
    if payload.region is not None:
        region = refdata.region(pk=payload.region)
        if region is None:
            raise ValidationFailed(fields={"region": "No such region."})
        region = Region.objects.get(pk=region.pk)
    slots = [
        services.SlotDraft(starts=s.starts, people=_people(s.people, f"slots.{i}.people"))
        for i, s in enumerate(payload.slots)
    ]
    return services.save_schedule(
        actor=request.auth,
        name=payload.name,
        customer_org=customer,
        region=region,
        slots=slots,
        duty_contacts=_people(payload.duty_contacts, "duty_contacts"),
        time_zone=payload.time_zone,
        remind_after_minutes=payload.remind_after_minutes,
        active=payload.active,
        schedule=schedule,
        version=payload.version,
    )


@router.get("/handover/schedules", response={200: list[ScheduleOut], **error_responses()})
def list_schedules(request):
    """The schedules of the scopes the caller may read (none for customers)."""
    out = []
    rows = ShiftSchedule.objects.prefetch_related(
        Prefetch("slots", ShiftSlot.objects.prefetch_related("people")), "duty_contacts"
    ).order_by("id")
    for s in rows[:200]:
        try:
            policy.check_scope(
                request.auth, customer_org_id=s.customer_org_id, region_id=s.region_id
            )
        except NotFound:
            continue
        out.append(schedule_out(s))
    return out
