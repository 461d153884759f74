"""A hand-computed world for the figures: three tickets in 2026H1 (one reopened, one owned by
partner.d) and one after it, five complaints (one withdrawn, one outside the period) across a
province and its two branches, and four survey answers. The numbers each test expects are
worked out by hand in its docstring from the rows made here."""

import datetime as dt
import itertools
import types

import pytest

from caredesk.calendars.models import Calendar
from caredesk.complaints.models import Category, Complaint, ComplaintTicket
from caredesk.escalation.models import TicketClock
from caredesk.satisfaction.models import Answer, Survey
from caredesk.tickets.models import Handoff, Ticket, TimelineEntry

CST = dt.timezone(dt.timedelta(hours=8))
_numbers = itertools.count(1)


def at(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, 0, tzinfo=CST)


def make_ticket(cast, *, customer, owner, opened, product="core"):
    n = next(_numbers)
    return Ticket.objects.create(
        number=f"T-FIG-{n:05d}",
        customer_org=customer,
        office=cast.orgs.office,
        requester=cast.y,
        product=getattr(cast.products, product),
        region=cast.regions.lakeside,
        severity="P2",
        channel="portal",
        title="Calls drop",
        customer_voice="Calls drop.",
        owner=owner,
        owner_since=opened,
        created_by=cast.y,
        created_at=opened,
        updated_at=opened,
    )


def make_complaint(
    cast,
    ticket,
    *,
    category,
    received,
    ack=None,
    callback=None,
    closed=None,
    withdrawn=None,
    root_cause=None,
):
    n = next(_numbers)
    hours = dt.timedelta(hours=1)
    c = Complaint.objects.create(
        number=f"C-FIG-{n:05d}",
        source="hotline",
        channel="phone",
        customer_org=ticket.customer_org,
        office=ticket.office,
        complainant=cast.y,
        complainant_name="客户",
        received_at=received,
        registered_by=cast.h,
        words="没人管。",
        remedy_sought="尽快解决。",
        severity="medium",
        impact="branch",
        category=Category.objects.get(code=category),
        root_cause=Category.objects.get(code=root_cause) if root_cause else None,
        handler=cast.a,
        status="withdrawn" if withdrawn else ("closed" if closed else "in_progress"),
        closure="confirmed" if closed else "",
        acknowledge_due=received + 4 * hours,
        callback_due=received + 24 * hours,
        resolve_due=received + 120 * hours,
        acknowledged_at=received + ack * hours if ack is not None else None,
        first_callback_at=received + callback * hours if callback is not None else None,
        closed_at=received + closed * hours if closed is not None else None,
        withdrawn_at=received + withdrawn * hours if withdrawn is not None else None,
        created_at=received,
        updated_at=received,
    )
    ComplaintTicket.objects.create(complaint=c, ticket=ticket)
    return c


def make_answer(cast, ticket, *, engineer, answered, scores, solved=True):
    n = next(_numbers)
    survey = Survey.objects.create(
        subject_kind="ticket",
        ticket=ticket,
        contact=cast.y,
        customer_org=ticket.customer_org,
        office=ticket.office,
        engineer=engineer,
        channel="email",
        token_hash=f"{n:064d}",
        sent_at=answered - dt.timedelta(days=1),
        expires_at=answered + dt.timedelta(days=7),
        answered_at=answered,
    )
    r, a, t, c = scores
    return Answer.objects.create(
        survey=survey,
        responsiveness=r,
        attitude=a,
        technical_skill=t,
        communication=c,
        solved=solved,
        answered_at=answered,
    )


def entry(ticket, kind, when, **data):
    return TimelineEntry.objects.create(ticket=ticket, kind=kind, at=when, data=data)


def handoff(cast, ticket, status, when):
    return Handoff.objects.create(
        ticket=ticket,
        from_person=ticket.owner,
        to_person=cast.c,
        proposed_by=ticket.owner,
        reason="not mine",
        status=status,
        created_at=when,
        decided_at=when,
    )


@pytest.fixture
def world(cast):
    o = cast.orgs
    t1 = make_ticket(cast, customer=o.lakeside, owner=cast.b, opened=at(2, 10))
    t2 = make_ticket(cast, customer=o.hillside, owner=cast.d, opened=at(3, 5))
    t3 = make_ticket(cast, customer=o.province, owner=cast.c, opened=at(5, 20), product="transport")
    t4 = make_ticket(cast, customer=o.other, owner=cast.b, opened=at(7, 2))
    # T1: two hand-offs (one declined), an escalation, a reopening, two calls unanswered.
    handoff(cast, t1, "declined", at(2, 10, 12))
    handoff(cast, t1, "cancelled", at(2, 11))
    entry(t1, "escalated", at(2, 10, 14))
    entry(t1, "reopened", at(2, 20))
    entry(t1, "call", at(2, 10, 11), outcome="answered")
    entry(t1, "call", at(2, 10, 15), outcome="no_answer")
    entry(t1, "call", at(2, 10, 16), outcome="phone_off")
    # T2: one accepted hand-off, a busy call. T4 (July) has a reopening that must not count.
    handoff(cast, t2, "accepted", at(3, 5, 12))
    entry(t2, "call", at(3, 5, 13), outcome="busy")
    entry(t4, "reopened", at(7, 3))
    complaints = types.SimpleNamespace(
        c1=make_complaint(
            cast,
            t1,
            category="buck_passing",
            received=at(2, 11, 9),
            ack=2,
            callback=5,
            closed=50,
            root_cause="information_not_passed",
        ),
        c2=make_complaint(
            cast, t1, category="buck_passing", received=at(3, 1), ack=1, callback=3, withdrawn=10
        ),
        c3=make_complaint(
            cast,
            t2,
            category="unreachable",
            received=at(4, 1),
            ack=4,
            closed=100,
            root_cause="unreachable",
        ),
        c4=make_complaint(
            cast,
            t3,
            category="buck_passing",
            received=at(6, 30),
            ack=3,
            root_cause="information_not_passed",
        ),
        c5=make_complaint(cast, t4, category="attitude", received=at(7, 5), ack=1, closed=5),
    )
    make_answer(cast, t1, engineer=cast.b, answered=at(2, 15), scores=(5, 4, 3, 2))
    make_answer(cast, t2, engineer=cast.d, answered=at(3, 10), scores=(1, 2, 3, 4), solved=False)
    make_answer(cast, t3, engineer=cast.c, answered=at(3, 20), scores=(3, 3, 3, 3))
    make_answer(cast, t4, engineer=cast.b, answered=at(7, 10), scores=(1, 1, 1, 1))
    # Clocks: T1's acknowledge met, its resolve breached; T2's acknowledge met; T3's still runs.
    cal = Calendar.objects.create(name="figures 24x7", always_open=True)
    for ticket, kind, breached in (
        (t1, "acknowledge", False),
        (t1, "resolve", True),
        (t2, "acknowledge", False),
    ):
        TicketClock.objects.create(
            ticket=ticket,
            kind=kind,
            calendar=cal,
            target_seconds=3600,
            state="stopped",
            started_at=ticket.created_at,
            stopped_at=ticket.created_at + dt.timedelta(hours=2),
            breached_at=ticket.created_at + dt.timedelta(hours=1) if breached else None,
        )
    TicketClock.objects.create(
        ticket=t3,
        kind="acknowledge",
        calendar=cal,
        target_seconds=3600,
        state="running",
        started_at=t3.created_at,
    )
    return types.SimpleNamespace(tickets=(t1, t2, t3, t4), complaints=complaints, cast=cast)
