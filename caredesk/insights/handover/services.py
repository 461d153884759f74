"""The hand-over's verbs: keeping shift schedules (as durable timers), telling the incoming
shift at each shift time, its acknowledgement, and the one reminder.

These write only the hand-over's own tables, the timers and the outbox (floors below that
exist to be written by anyone above); the report itself is read through selectors.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import OFFICE_ROLES, Organisation, Person, Region, Role
from caredesk.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from caredesk.notify import addressing, outbox
from caredesk.stakeholders.models import ContactChannel
from caredesk.timers import services as timers

from . import policy, selectors
from .models import HandoverNotice, HandoverRecipient, ShiftSchedule, ShiftSlot

SHIFT = "handover.shift"
REMIND = "handover.remind"
MANAGER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})
MAX_SLOTS = 6
# What a customer's duty contact reads of the summary (not the vendor's internal figures).
CUSTOMER_COUNTS = ("active_masks", "expiring_masks", "changes_in_progress", "changes_due")


@dataclass(frozen=True)
class SlotDraft:
    starts: dt.time
    people: list[Person]


def _subject(schedule: ShiftSchedule) -> str:
    return f"shift-schedule:{schedule.pk}"


def _local(moment: dt.datetime, zone: str = "Asia/Shanghai") -> str:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------- schedules


def check_keep_schedules(person: Person, *, customer_org_id, region_id) -> None:
    """Service managers and administrators keep the schedules of the scopes they may read."""
    policy.check_scope(person, customer_org_id=customer_org_id, region_id=region_id)
    if person.role not in MANAGER_ROLES or person.role not in OFFICE_ROLES:
        raise PermissionDenied(_("Only a service manager or an administrator keeps shift times."))


def _validate(
    *, name: str, customer_org, region, slots: list[SlotDraft], time_zone: str, remind: int
) -> dict[str, str]:
    errors = {}
    if not name.strip():
        errors["name"] = str(_("Give the schedule a name."))
    if customer_org is None and region is None:
        errors["customer"] = str(_("Choose a customer or a region."))
    if not slots:
        errors["slots"] = str(_("Give at least one shift time."))
    elif len(slots) > MAX_SLOTS:
        errors["slots"] = str(_("At most six shifts a day."))
    elif len({s.starts for s in slots}) != len(slots):
        errors["slots"] = str(_("Two shifts start at the same time."))
    for i, slot in enumerate(slots):
        if not slot.people:
            errors[f"slots.{i}.people"] = str(_("Name the people of this shift."))
        for p in slot.people:
            if not p.is_active or p.is_customer:
                errors[f"slots.{i}.people"] = str(_("A shift is worked by active staff."))
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = str(_("Unknown time zone."))
    if remind < 1 or remind > 24 * 60:
        errors["remind_after_minutes"] = str(_("Between 1 minute and 24 hours."))
    return errors


def next_shift(
    schedule: ShiftSchedule, slots: list[ShiftSlot], after: dt.datetime
) -> tuple[ShiftSlot, dt.datetime]:
    """The first shift start strictly after `after`, in the schedule's zone (a wall-clock time
    each day, whatever the offset that day)."""
    zone = zoneinfo.ZoneInfo(schedule.time_zone)
    local = after.astimezone(zone)
    best = None
    for days in (0, 1, 2):
        day = local.date() + dt.timedelta(days=days)
        for slot in slots:
            moment = dt.datetime.combine(day, slot.starts, tzinfo=zone)
            if moment > after and (best is None or moment < best[1]):
                best = (slot, moment)
        if best is not None:
            break
    return best[0], best[1].astimezone(dt.UTC)


def _arm(schedule: ShiftSchedule, after: dt.datetime) -> None:
    slots = list(schedule.slots.order_by("starts"))
    slot, at = next_shift(schedule, slots, after)
    timers.schedule(
        kind=SHIFT,
        subject=_subject(schedule),
        due_at=at,
        payload={"slot": slot.pk, "shift_at": at.isoformat(), "version": schedule.version},
    )


def _as_record(schedule: ShiftSchedule, slots: list[SlotDraft], duty: list[Person]) -> dict:
    return {
        "name": schedule.name,
        "customer": schedule.customer_org_id,
        "region": schedule.region_id,
        "time_zone": schedule.time_zone,
        "remind_after_minutes": schedule.remind_after_minutes,
        "active": schedule.active,
        "slots": [
            {"starts": s.starts.strftime("%H:%M"), "people": [p.pk for p in s.people]}
            for s in slots
        ],
        "duty_contacts": [p.pk for p in duty],
    }


def save_schedule(
    *,
    actor: Person,
    name: str,
    customer_org: Organisation | None,
    region: Region | None,
    slots: list[SlotDraft],
    duty_contacts: list[Person] = (),
    time_zone: str = "Asia/Shanghai",
    remind_after_minutes: int = 30,
    active: bool = True,
    schedule: ShiftSchedule | None = None,
    version: int | None = None,
) -> ShiftSchedule:
    """Make a schedule, or replace an existing one's shifts and people (`version`: 409 when
    stale). Its next shift change becomes a durable timer; the timers of the old version are
    cancelled, so an edit never sends a shift twice. Refused: no scope, no shift, a shift
    without people or with customers in it (422); not a manager of the scope (403/404)."""
    check_keep_schedules(
        actor,
        customer_org_id=customer_org.pk if customer_org else None,
        region_id=region.pk if region else None,
    )
    errors = _validate(
        name=name,
        customer_org=customer_org,
        region=region,
        slots=slots,
        time_zone=time_zone,
        remind=remind_after_minutes,
    )
    if errors:
        raise ValidationFailed(fields=errors)
    now = clock.now()
    with transaction.atomic():
        before = None
        if schedule is None:
            schedule = ShiftSchedule(created_by=actor, created_at=now)
        else:
            schedule = ShiftSchedule.objects.select_for_update().get(pk=schedule.pk)
            if version is not None and version != schedule.version:
                raise StaleVersion()
            before = {"version": schedule.version, "active": schedule.active}
            schedule.version += 1
            timers.cancel(subject=_subject(schedule), kind=SHIFT)
            schedule.slots.all().delete()
        schedule.name = name.strip()
        schedule.customer_org = customer_org
        schedule.region = region
        schedule.time_zone = time_zone
        schedule.remind_after_minutes = remind_after_minutes
        schedule.active = active
        schedule.updated_at = now
        schedule.save()
        schedule.duty_contacts.set(duty_contacts)
        for draft in slots:
            slot = ShiftSlot.objects.create(schedule=schedule, starts=draft.starts)
            slot.people.set(draft.people)
        if active:
            _arm(schedule, now)
        audit.record(
            actor=actor,
            action="handover.schedule_saved",
            obj=schedule,
            before=before,
            after=_as_record(schedule, slots, list(duty_contacts)),
        )
    return schedule


# ---------------------------------------------------------------- acknowledging


def acknowledge(*, actor: Person, notice: HandoverNotice) -> HandoverRecipient:
    """The incoming shift's acknowledgement (已确认接班): recorded once, with who and when.
    Only a recipient of the notice acknowledges it; for anyone else it does not exist."""
    now = clock.now()
    with transaction.atomic():
        row = (
            HandoverRecipient.objects.select_for_update()
            .filter(notice=notice, person=actor)
            .first()
        )
        if row is None:
            raise NotFound()
        if row.acknowledged_at is None:
            row.acknowledged_at = now
            row.save(update_fields=["acknowledged_at"])
            audit.record(
                actor=actor,
                action="handover.acknowledged",
                obj=row,
                after={"notice": notice.pk, "at": now.isoformat()},
            )
    return row


# ---------------------------------------------------------------- the timers' effects


def _message(recipient: HandoverRecipient, notice: HandoverNotice, template: str):
    schedule = notice.schedule
    counts = notice.summary.get("counts", {})
    if recipient.duty_contact:
        counts = {k: v for k, v in counts.items() if k in CUSTOMER_COUNTS}
    person = recipient.person
    where = addressing.resolve(person, ContactChannel.EMAIL)
    return outbox.prepare(
        channel=where.channel,
        where=where,
        recipient=person,
        template=template,
        key=f"handover:{notice.pk}:{template}:{person.pk}",
        context={
            "schedule": schedule.name,
            "scope": notice.summary.get("scope", ""),
            "shift_at": _local(notice.shift_at, schedule.time_zone),
            "customer_view": recipient.duty_contact,
            **{f"n_{k}": v for k, v in counts.items()},
            "url": f"{settings.SITE_URL}/handover/notices/{notice.pk}/",
        },
        language=person.language,
        topic=f"handover:{schedule.pk}",
    )


def send_shift_notice(*, schedule: ShiftSchedule, slot: ShiftSlot, shift_at: dt.datetime):
    """At a shift's start: the report's summary (as the schedule's keeper reads it) to the
    shift's people and the duty contacts, the reminder armed, the next shift change armed.
    Runs in the timer's transaction."""
    try:
        scope = selectors.scope_for(
            schedule.created_by,
            customer_org_id=schedule.customer_org_id,
            region_id=schedule.region_id,
        )
        report = selectors.handover_report(schedule.created_by, scope, at=shift_at)
        summary = {"scope": scope.label, "counts": report.summary()}
    except NotFound:
        # The keeper lost sight of the scope: the shift is still told it changed.
        summary = {"scope": "", "counts": {}}
    notice = HandoverNotice.objects.create(
        schedule=schedule, slot=slot, shift_at=shift_at, summary=summary, sent_at=clock.now()
    )
    people = {p.pk: (p, False) for p in slot.people.filter(is_active=True)}
    for p in schedule.duty_contacts.filter(is_active=True):
        people.setdefault(p.pk, (p, True))
    rows = HandoverRecipient.objects.bulk_create(
        [
            HandoverRecipient(notice=notice, person=p, duty_contact=duty)
            for p, duty in people.values()
        ]
    )
    for row in rows:
        row.notice = notice
    outbox.enqueue_many([_message(r, notice, "handover_notice") for r in rows])
    timers.schedule(
        kind=REMIND,
        subject=f"handover-notice:{notice.pk}",
        due_at=shift_at + dt.timedelta(minutes=schedule.remind_after_minutes),
    )
    _arm(schedule, shift_at)
    return notice


def remind_unacknowledged(*, notice: HandoverNotice) -> int:
    """The one reminder to those who have not acknowledged; how many were reminded."""
    now = clock.now()
    rows = list(
        notice.recipients.select_related("person").filter(
            acknowledged_at__isnull=True, reminded_at__isnull=True
        )
    )
    if not rows:
        return 0
    outbox.enqueue_many([_message(r, notice, "handover_reminder") for r in rows])
    HandoverRecipient.objects.filter(pk__in=[r.pk for r in rows]).update(reminded_at=now)
    HandoverNotice.objects.filter(pk=notice.pk).update(reminded_at=now)
    return len(rows)
