"""The shift hand-over report (交接班报告): what the incoming shift must know about a customer's
network (a province's with its branches) or a region's, at a moment `at`.

Sections, each one query (two for the changes, with their elements), whatever the row count:
- active masking rules at `at`, grouped by change, owner and reason (seed case 5's 200 rules
  are one line saying whose, why, until when and under which change), and those that end
  within the next shift;
- silences Alertmanager holds that CareDesk did not authorise, as the reconciler last
  recorded them (Alertmanager is asked directly only when the reconciler never ran);
- changes in progress at `at`, ended in the last shift, and due in the next;
- open P1/P2 tickets with their owner; breached and at-risk SLA clocks of open tickets;
- site visits left unresolved and not followed up yet.
Masks, changes and visits are read as they stood at `at` (their records carry times);
tickets and clocks are read as they stand now — their past states are in the timeline, not
here. Every section passes through its own floor's visibility filter for the reader
(policy.py), so a partner's report holds only the work handed to him.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q

from caredesk import clock
from caredesk.calendars.worktime import WorkingTime
from caredesk.directory import refdata
from caredesk.directory.models import Organisation, OrgKind, Person, Region
from caredesk.errors import NotFound
from caredesk.escalation.clocks import elapsed
from caredesk.escalation.models import ClockKind, ClockState, TicketClock
from caredesk.fieldwork.masks import alertmanager
from caredesk.fieldwork.masks.sync import marked_rule
from caredesk.fieldwork.models import (
    ChangeRequest,
    ChangeStatus,
    ForeignSilence,
    MaskingRule,
    ReconcileRun,
    Visit,
)
from caredesk.fieldwork.models.visits import LEFT_UNRESOLVED_Q
from caredesk.tickets.models import OPEN_Q, Ticket

from . import policy

DEFAULT_SHIFT = dt.timedelta(hours=12)
# A clock is at risk from this share of its target (the queue's amber).
AT_RISK = 0.75
# How many elements a mask group names before "…".
LISTED_ELEMENTS = 12
URGENT_SEVERITIES = ("P1", "P2")
ENDED_STATUSES = (ChangeStatus.DONE, ChangeStatus.ROLLED_BACK, ChangeStatus.FAILED)


@dataclass(frozen=True)
class Scope:
    """A customer organisation (with its branches), a region, or both (their intersection)."""

    customer: Organisation | None = None
    region: Region | None = None

    @property
    def label(self) -> str:
        return " · ".join(str(x) for x in (self.customer, self.region) if x is not None)


@dataclass(frozen=True)
class MaskRow:
    id: int
    number: str
    customer: str
    elements: list[str]
    alarm_codes: list[str]
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass
class MaskGroup:
    """Rules made under one change by one owner for one reason: one line of the report."""

    change_id: int
    change_number: str
    change_title: str
    owner_id: int
    owner_name: str
    owner_phone: str
    reason: str
    rules: list[MaskRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rules)

    @property
    def first_end(self) -> dt.datetime:
        return min(r.ends_at for r in self.rules)

    @property
    def last_end(self) -> dt.datetime:
        return max(r.ends_at for r in self.rules)

    @property
    def elements(self) -> list[str]:
        return sorted({e for r in self.rules for e in r.elements})

    @property
    def elements_shown(self) -> str:
        names = self.elements
        return ", ".join(names[:LISTED_ELEMENTS]) + (" …" if len(names) > LISTED_ELEMENTS else "")


@dataclass(frozen=True)
class Unauthorised:
    """What Alertmanager holds that no CareDesk rule authorised (see fieldwork.masks.sync)."""

    configured: bool
    checked_at: dt.datetime | None  # the reconciler's last pass (None: read just now, or never)
    check_ok: bool | None
    source: str  # "reconciler", "alertmanager" (read now: the reconciler never ran), "none"
    silences: list[ForeignSilence]


@dataclass(frozen=True)
class ClockRow:
    ticket: Ticket
    kind: str
    label: str
    due_at: dt.datetime | None
    remaining_seconds: int
    breached: bool


@dataclass(frozen=True)
class VisitRow:
    visit: Visit
    overdue: bool


@dataclass
class Report:
    scope: Scope
    at: dt.datetime
    last_shift_start: dt.datetime
    next_shift_end: dt.datetime
    active_masks: list[MaskGroup]
    expiring_masks: list[MaskGroup]
    unauthorised: Unauthorised | None  # None: not for this reader
    changes_in_progress: list[ChangeRequest]
    changes_ended: list[ChangeRequest]
    changes_due: list[ChangeRequest]
    urgent_tickets: list[Ticket]
    breached_clocks: list[ClockRow]
    at_risk_clocks: list[ClockRow]
    visits_unresolved: list[VisitRow]

    @property
    def active_mask_count(self) -> int:
        return sum(g.count for g in self.active_masks)

    @property
    def expiring_mask_count(self) -> int:
        return sum(g.count for g in self.expiring_masks)

    def summary(self) -> dict[str, int]:
        """The counts a notification carries (and the page's headline)."""
        return {
            "active_masks": self.active_mask_count,
            "expiring_masks": self.expiring_mask_count,
            "unauthorised": len(self.unauthorised.silences) if self.unauthorised else 0,
            "changes_in_progress": len(self.changes_in_progress),
            "changes_ended": len(self.changes_ended),
            "changes_due": len(self.changes_due),
            "urgent_tickets": len(self.urgent_tickets),
            "breached_clocks": len(self.breached_clocks),
            "at_risk_clocks": len(self.at_risk_clocks),
            "visits_unresolved": len(self.visits_unresolved),
        }


# ---------------------------------------------------------------- the scope


def scope_for(person: Person, *, customer_org_id: int | None, region_id: int | None) -> Scope:
    """The scope the person asked for, or NotFound (unknown, or not theirs to read)."""
    customer = region = None
    if customer_org_id is not None:
        customer = refdata.organisation(customer_org_id)
        if customer is None or customer.kind != OrgKind.CUSTOMER:
            raise NotFound()
    if region_id is not None:
        region = refdata.region(pk=region_id)
        if region is None:
            raise NotFound()
    policy.check_scope(person, customer_org_id=customer_org_id, region_id=region_id)
    return Scope(customer=customer, region=region)


def customers_for(person: Person) -> list[Organisation]:
    """The customer organisations the person may choose from (the page's filter): those whose
    tickets or changes they see. One query each, names from the cached directory."""
    if not policy.may_use(person):
        return []
    ids = set(
        Ticket.objects.filter(policy.ticket_filter(person))
        .values_list("customer_org_id", flat=True)
        .distinct()
    )
    ids |= set(
        ChangeRequest.objects.filter(policy.change_filter(person))
        .values_list("customer_org_id", flat=True)
        .distinct()
    )
    orgs = [refdata.organisation(pk) for pk in ids]
    return sorted((o for o in orgs if o is not None), key=lambda o: o.name)


def _where(scope: Scope, *, org: str, region: str) -> Q:
    q = Q()
    if scope.customer is not None:
        q &= Q(**{f"{org}__in": refdata.subtree(scope.customer.pk)})
    if scope.region is not None:
        q &= Q(**{region: scope.region.pk})
    return q


# ---------------------------------------------------------------- the sections


def _masks(
    person: Person, scope: Scope, at: dt.datetime, until: dt.datetime
) -> tuple[list[MaskGroup], list[MaskGroup]]:
    rows = (
        MaskingRule.objects.filter(policy.mask_filter(person))
        .filter(_where(scope, org="customer_org_id", region="change__region_id"))
        .filter(starts_at__lte=at, ends_at__gt=at)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=at))
        .filter(Q(expired_at__isnull=True) | Q(expired_at__gt=at))
        .order_by("ends_at", "id")
        .values_list(
            "id",
            "customer_org_id",
            "elements",
            "alarm_codes",
            "starts_at",
            "ends_at",
            "reason",
            "change_id",
            "change__title",
            "owner_id",
            "owner__display_name",
            "owner__username",
            "owner__phone",
        )
    )
    active: dict[tuple, MaskGroup] = {}
    expiring: dict[tuple, MaskGroup] = {}
    for pk, org_id, elements, codes, starts, ends, reason, change_id, title, owner_id, *who in rows:
        org = refdata.organisation(org_id)
        row = MaskRow(
            id=pk,
            number=f"MSK-{pk:06d}",
            customer=org.name if org else "",
            elements=elements or [],
            alarm_codes=codes or [],
            starts_at=starts,
            ends_at=ends,
        )
        key = (change_id, owner_id, reason)
        for groups, wanted in ((active, True), (expiring, ends <= until)):
            if not wanted:
                continue
            group = groups.get(key)
            if group is None:
                group = groups[key] = MaskGroup(
                    change_id=change_id,
                    change_number=ChangeRequest(pk=change_id).number,
                    change_title=title,
                    owner_id=owner_id,
                    owner_name=who[0] or who[1],
                    owner_phone=who[2] or "",
                    reason=reason,
                )
            group.rules.append(row)
    order = lambda g: (g.first_end, g.change_id, g.owner_id)  # noqa: E731
    return sorted(active.values(), key=order), sorted(expiring.values(), key=order)


def _unauthorised(person: Person, at: dt.datetime) -> Unauthorised | None:
    """The reconciler's record at `at`; with no pass ever recorded and an Alertmanager
    configured, one read of it now (nothing stored: the page is not the reconciler)."""
    if not policy.sees_unauthorised(person):
        return None
    configured = bool(settings.ALERTMANAGER_URL)
    last = ReconcileRun.objects.filter(at__lte=at).order_by("-at", "-id").first()
    if last is not None or not configured:
        live = ForeignSilence.objects.filter(first_seen_at__lte=at).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=at)
        )
        return Unauthorised(
            configured=configured,
            checked_at=last.at if last else None,
            check_ok=last.ok if last else None,
            source="reconciler" if last else "none",
            silences=list(live.order_by("-first_seen_at", "-id")),
        )
    return _read_alertmanager()


def _read_alertmanager() -> Unauthorised:
    client = alertmanager.configured()
    listed = client.list_silences()
    client.close()
    if not listed.ok:
        return Unauthorised(True, None, False, "alertmanager", [])
    known = set(MaskingRule.objects.exclude(silence_id="").values_list("silence_id", flat=True))
    now = clock.now()
    found = []
    for s in listed.silences:
        sid = str(s.get("id", ""))
        state = s.get("status", {}).get("state")
        if state not in alertmanager.LIVE_STATES or sid in known:
            continue
        if marked_rule(s.get("comment", "")) is not None:
            continue  # made by a push whose answer is not recorded yet
        found.append(
            ForeignSilence(
                silence_id=sid,
                matchers=s.get("matchers") or [],
                created_by=str(s.get("createdBy", "")),
                comment=str(s.get("comment", "")),
                starts_at=alertmanager.parse_time(s.get("startsAt", "")),
                ends_at=alertmanager.parse_time(s.get("endsAt", "")),
                state=state,
                first_seen_at=now,
                last_seen_at=now,
            )
        )
    return Unauthorised(True, None, True, "alertmanager", found)


def _changes(person: Person, scope: Scope, since, at, until) -> tuple[list, list, list]:
    under_way = Q(started_at__lte=at) & (Q(ended_at__isnull=True) | Q(ended_at__gt=at))
    ended = Q(ended_at__gte=since, ended_at__lt=at, status__in=ENDED_STATUSES)
    due = Q(
        window_start__gte=at,
        window_start__lt=until,
        started_at__isnull=True,
        status__in=[ChangeStatus.SUBMITTED, ChangeStatus.APPROVED],
    )
    rows = list(
        ChangeRequest.objects.filter(policy.change_filter(person))
        .filter(_where(scope, org="customer_org_id", region="region_id"))
        .filter(under_way | ended | due)
        .exclude(status__in=[ChangeStatus.CANCELLED, ChangeStatus.REJECTED])
        .select_related("customer_org", "requester", "executor__organisation")
        .prefetch_related("targets")
        .order_by("window_start", "id")
    )
    in_progress, done, coming = [], [], []
    for c in rows:
        if c.started_at and c.started_at <= at and (c.ended_at is None or c.ended_at > at):
            in_progress.append(c)
        elif c.ended_at and since <= c.ended_at < at:
            done.append(c)
        else:
            coming.append(c)
    return in_progress, done, coming


def _tickets(person: Person, scope: Scope):
    return Ticket.objects.filter(policy.ticket_filter(person)).filter(
        _where(scope, org="customer_org_id", region="region_id")
    )


def _urgent(person: Person, scope: Scope) -> list[Ticket]:
    return list(
        _tickets(person, scope)
        .filter(OPEN_Q, severity__in=URGENT_SEVERITIES)
        .select_related("owner", "customer_org")
        .order_by("severity", "next_due_at", "id")
    )


def _clocks(person: Person, scope: Scope, at: dt.datetime) -> tuple[list, list]:
    """Breached and at-risk clocks of the open tickets in scope: one query, and each
    calendar's working time from the process's cache."""
    tickets = _tickets(person, scope).filter(OPEN_Q)
    rows = (
        TicketClock.objects.filter(
            ticket__in=tickets.values("pk"), state__in=[ClockState.RUNNING, ClockState.PAUSED]
        )
        .select_related("ticket__owner", "ticket__customer_org", "calendar")
        .order_by("due_at", "id")
    )
    calendars: dict[int, WorkingTime] = {}
    breached, at_risk = [], []
    for c in rows:
        wt = calendars.get(c.calendar_id) or calendars.setdefault(
            c.calendar_id, WorkingTime.of(c.calendar)
        )
        spent = elapsed(c, at, wt)
        row = ClockRow(
            ticket=c.ticket,
            kind=c.kind,
            label=str(ClockKind(c.kind).label),
            due_at=c.due_at,
            remaining_seconds=c.target_seconds - spent,
            breached=c.breached_at is not None or spent > c.target_seconds,
        )
        if row.breached:
            breached.append(row)
        elif spent >= AT_RISK * c.target_seconds:
            at_risk.append(row)
    return breached, at_risk


def _visits(person: Person, scope: Scope, at: dt.datetime) -> list[VisitRow]:
    """Visits left unresolved (or needing parts) by `at` whose next step nobody has answered
    yet — no engineer back on site since, the ticket not resolved: the incoming shift
    inherits them. (fieldwork.visits.selectors.left_unresolved reads the same for one customer
    and every reader; this one adds the region and the reader's visibility.)"""
    back = Visit.objects.filter(
        ticket_id=OuterRef("ticket_id"), arrived_at__gt=OuterRef("left_at"), arrived_at__lte=at
    )
    resolved = Q(ticket__resolved_at__gte=F("left_at"), ticket__resolved_at__lte=at)
    seen = Ticket.objects.filter(policy.ticket_filter(person)).values("pk")
    rows = (
        Visit.objects.filter(LEFT_UNRESOLVED_Q, left_at__lt=at, ticket__in=seen)
        .filter(_where(scope, org="ticket__customer_org_id", region="ticket__region_id"))
        .annotate(back_on_site=Exists(back))
        .filter(back_on_site=False)
        .exclude(resolved)
        .select_related("ticket__customer_org", "ticket__owner", "engineer", "next_step_owner")
        .order_by("next_step_due", "id")
    )
    return [VisitRow(visit=v, overdue=v.next_step_due < at) for v in rows]


# ---------------------------------------------------------------- the report


def handover_report(
    person: Person,
    scope: Scope,
    *,
    at: dt.datetime | None = None,
    shift: dt.timedelta = DEFAULT_SHIFT,
) -> Report:
    """The report for `scope` at `at` (now by default) as `person` may read it: the last shift
    is [at − shift, at), the next [at, at + shift). The scope was checked by scope_for."""
    at = at or clock.now()
    since, until = at - shift, at + shift
    active, expiring = _masks(person, scope, at, until)
    in_progress, ended, due = _changes(person, scope, since, at, until)
    breached, at_risk = _clocks(person, scope, at)
    return Report(
        scope=scope,
        at=at,
        last_shift_start=since,
        next_shift_end=until,
        active_masks=active,
        expiring_masks=expiring,
        unauthorised=_unauthorised(person, at),
        changes_in_progress=in_progress,
        changes_ended=ended,
        changes_due=due,
        urgent_tickets=_urgent(person, scope),
        breached_clocks=breached,
        at_risk_clocks=at_risk,
        visits_unresolved=_visits(person, scope, at),
    )
