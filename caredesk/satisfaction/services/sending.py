"""Sending surveys: a ticket's closure (confirmed or after silence) or a complaint's closure
schedules a durable timer; when it comes due, the survey goes out if it still should.

The timer re-checks everything at its own moment, in its own transaction (the worker's):
the ticket is still closed — and closed the same time as when the timer was set, so a ticket
reopened and closed again is judged by its new timer —, it has no survey yet (never twice:
also a unique constraint), the requester is a customer's contact (partners and the vendor's
staff are never asked), the closure is in the sample, and the contact had no survey within
the cap's days. Then, in that transaction: the survey row with the hash of its new link, the
tally of its office, the outbox message through the contact's own channel and the audit record.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from caredesk import clock, events
from caredesk.audit import services as audit
from caredesk.directory import refdata
from caredesk.directory.models import Person
from caredesk.events import EventKind
from caredesk.notify import addressing, outbox
from caredesk.stakeholders import selectors as stakeholders
from caredesk.stakeholders.models import ContactChannel
from caredesk.tickets import services as ticket_services
from caredesk.tickets.models import Status, Ticket
from caredesk.timers import services as timers

from .. import policy, tokens
from ..models import SubjectKind, Survey
from .tallies import count_sent

SEND_TICKET = "satisfaction.ticket_survey"
SEND_COMPLAINT = "satisfaction.complaint_survey"
CLOSING_KINDS = (EventKind.CLOSED, EventKind.AUTO_CLOSED)


def delay() -> dt.timedelta:
    return dt.timedelta(hours=settings.SURVEY_DELAY_HOURS)


def survey_url(token: str) -> str:
    return f"{settings.SITE_URL}/s/{token}/"


# ---------------------------------------------------------------- the events that schedule


def on_event(event: events.Event) -> None:
    """Inside the closing verb's transaction: the survey's timer commits with the closure."""
    if event.kind in CLOSING_KINDS:
        ticket = event.ticket or Ticket.objects.get(pk=event.ticket_id)
        if not Survey.objects.filter(ticket_id=ticket.pk, subject_kind=SubjectKind.TICKET).exists():
            timers.schedule(
                kind=SEND_TICKET,
                subject=ticket.pk,
                due_at=ticket.closed_at + delay(),
                payload={"closed_at": ticket.closed_at.isoformat()},
            )
    elif event.kind == EventKind.COMPLAINT_CLOSED:
        data = event.data
        timers.schedule(
            kind=SEND_COMPLAINT,
            subject=f"complaint:{int(data['complaint_id'])}",
            due_at=event.at + delay(),
            payload={
                "complaint_id": int(data["complaint_id"]),
                "complainant_id": data.get("complainant_id"),
                "ticket_ids": [int(t) for t in data.get("ticket_ids") or []],
                "handler_id": data.get("handler_id"),
            },
        )


def register() -> None:
    events.subscribe(on_event)


# ---------------------------------------------------------------- who, and whether


def sampled(key: str) -> bool:
    """Whether a closure is in the sample: a fixed fraction of keys, the same answer each time
    it is asked (a retried timer samples as its first try did)."""
    rate = settings.SURVEY_SAMPLING_RATE
    if rate >= 1:
        return True
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def capped(contact: Person, now: dt.datetime) -> bool:
    """Whether the contact had a survey within the cap's days. Their row is locked first, so
    two closures of one contact's tickets sent at once make one survey, not two."""
    Person.objects.select_for_update().filter(pk=contact.pk).values_list("pk").first()
    since = now - dt.timedelta(days=settings.SURVEY_CAP_DAYS)
    return Survey.objects.filter(contact_id=contact.pk, sent_at__gt=since).exists()


def contact_channel(contact: Person, ticket: Ticket | None) -> str:
    """The contact's own channel: what their stakeholder-map entry covering the ticket names
    (a WeCom, DingTalk or Feishu group gets the link posted there), else email."""
    if ticket is None:
        return ContactChannel.EMAIL
    covering = stakeholders.covering(
        customer_org=ticket.customer_org,
        product_id=ticket.product_id,
        region_id=ticket.region_id,
        site=ticket.site,
    )
    own = next((s for s in covering if s.person_id == contact.pk), None)
    # SMS gateways send approved templates only, never a free link: those contacts get mail.
    if own is None or own.channel == ContactChannel.SMS:
        return ContactChannel.EMAIL
    return own.channel


# ---------------------------------------------------------------- the timers


def _issue(
    *,
    kind: str,
    contact: Person,
    ticket: Ticket | None,
    complaint_id: int | None,
    office_id: int,
    engineer_id: int | None,
    now: dt.datetime,
) -> Survey:
    channel = contact_channel(contact, ticket)
    token = tokens.new_token()
    survey = Survey.objects.create(
        subject_kind=kind,
        ticket=ticket,
        complaint_id=complaint_id,
        contact=contact,
        customer_org_id=contact.organisation_id,
        office_id=office_id,
        engineer_id=engineer_id,
        channel=channel,
        token_hash=tokens.hash_token(token),
        sent_at=now,
        expires_at=now + dt.timedelta(days=settings.SURVEY_LINK_DAYS),
    )
    count_sent(survey)
    where = addressing.resolve(contact, channel)
    topic = f"ticket:{ticket.pk}" if ticket is not None else f"complaint:{complaint_id}"
    message = outbox.prepare(
        channel=where.channel,
        where=where,
        recipient=contact,
        template="survey_invite",
        key=f"survey:{survey.pk}:invite:{where.key}",
        context={
            "about": kind,
            "number": ticket.number if ticket is not None else "",
            "title": ticket.title if ticket is not None else "",
            "url": survey_url(token),
            "expires": timezone.localtime(survey.expires_at).strftime("%Y-%m-%d"),
        },
        language=contact.language,
        topic=topic,
    )
    outbox.enqueue_many([message])
    audit.record(
        actor=None,
        action="survey.send",
        obj=survey,
        after={
            "about": kind,
            "ticket": survey.ticket_id,
            "complaint": complaint_id,
            "contact": contact.pk,
            "channel": where.channel,
            "expires_at": survey.expires_at,
        },
    )
    return survey


@timers.handler(SEND_TICKET)
@transaction.atomic
def send_ticket_survey(action) -> str:
    """The delay after closure has passed: survey the requester if the ticket is still closed
    (since the same moment), has no survey yet, and the requester is to be asked now."""
    ticket = ticket_services.lock_ticket(int(action.subject))
    closed = ticket.closed_at.isoformat() if ticket.closed_at else None
    if ticket.status != Status.CLOSED or closed != action.payload.get("closed_at"):
        return "skipped:reopened"
    if Survey.objects.filter(ticket_id=ticket.pk, subject_kind=SubjectKind.TICKET).exists():
        return "skipped:sent"
    contact = Person.objects.filter(pk=ticket.requester_id).first()
    if why := policy.excluded(contact):
        return f"skipped:{why}"
    if not sampled(f"ticket:{ticket.pk}"):
        return "skipped:sample"
    now = clock.now()
    if capped(contact, now):
        return "skipped:capped"
    _issue(
        kind=SubjectKind.TICKET,
        contact=contact,
        ticket=ticket,
        complaint_id=None,
        office_id=ticket.office_id,
        engineer_id=ticket.owner_id,
        now=now,
    )
    return "fired"


@timers.handler(SEND_COMPLAINT)
@transaction.atomic
def send_complaint_survey(action) -> str:
    """After a complaint closed: ask the complainant about how the complaint was handled (the
    process itself, ISO 10002). Not sampled — every closed complaint is asked about — but the
    cap applies, as to every survey."""
    data = action.payload
    complaint_id = int(data["complaint_id"])
    if Survey.objects.filter(
        complaint_id=complaint_id, subject_kind=SubjectKind.COMPLAINT
    ).exists():
        return "skipped:sent"
    contact = Person.objects.filter(pk=data.get("complainant_id")).first()
    if why := policy.excluded(contact):
        return f"skipped:{why}"
    ticket = Ticket.objects.select_related("customer_org").filter(pk__in=data["ticket_ids"])
    ticket = ticket.order_by("pk").first()
    handler = Person.objects.filter(pk=data.get("handler_id")).first()
    office_id = ticket.office_id if ticket is not None else _office_of(handler)
    if office_id is None:
        return "skipped:no_office"
    now = clock.now()
    if capped(contact, now):
        return "skipped:capped"
    _issue(
        kind=SubjectKind.COMPLAINT,
        contact=contact,
        ticket=ticket,
        complaint_id=complaint_id,
        office_id=office_id,
        engineer_id=handler.pk if handler else None,
        now=now,
    )
    return "fired"


def _office_of(person: Person | None) -> int | None:
    if person is None or person.organisation_id is None:
        return None
    org = refdata.organisation(person.organisation_id)
    return org.pk if org is not None and org.kind == "vendor_office" else None
