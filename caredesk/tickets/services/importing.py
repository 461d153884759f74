"""Recording a ticket from the system an office used before (an import of last year's tickets).

An imported ticket is history, not a new request: it keeps its own number and times, starts no
SLA clock or escalation, sends nothing and asks for no survey. So no domain event is published
(the floors above react to events only); the timeline entry, the search document and the audit
record are written here, in the caller's transaction, as every verb does. import_tickets does
the same for a chunk of rows, the new tickets' rows written together.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory import policy as directory_policy
from caredesk.directory import refdata
from caredesk.directory.models import Organisation, OrgKind, Person, Product, Region
from caredesk.errors import PermissionDenied
from caredesk.errors import ValidationFailed as Invalid
from caredesk.inputs import moment_problem, text_problem

from .. import search
from ..models import EntryKind, Severity, Status, Ticket, TicketSequence, TimelineEntry
from ..rules import Limits
from ._base import add_entry, snapshot

# A number of CareDesk's own form: the year's counter must move past it, or the next ticket
# opened would be given the same number.
_OWN_NUMBER = re.compile(r"^CD-(\d{4})-(\d{6})$")
_NUMBER_LENGTH = Ticket._meta.get_field("number").max_length


@dataclass(frozen=True)
class PastTicket:
    """What an import knows of a ticket of the old system."""

    number: str
    customer_org: Organisation
    product: Product
    region: Region
    severity: str
    status: str
    owner: Person
    title: str
    customer_voice: str
    opened_at: dt.datetime
    channel: str
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    site: str = ""
    resolution_note: str = ""


def _problems(past: PastTicket) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not past.number or len(past.number) > _NUMBER_LENGTH:
        errors["number"] = str(_("A number of 1 to %(n)d characters.") % {"n": _NUMBER_LENGTH})
    if past.customer_org.kind != OrgKind.CUSTOMER:
        errors["customer_org"] = str(_("Choose a customer organisation."))
    if past.severity not in Severity.values:
        errors["severity"] = str(_("Choose a severity from P1 to P4."))
    if past.status not in Status.values:
        errors["status"] = str(_("Unknown status."))
    for field, value, limit in (
        ("title", past.title, Limits.TITLE),
        ("customer_voice", past.customer_voice, Limits.TEXT),
        ("site", past.site, Limits.SITE),
        ("resolution_note", past.resolution_note, Limits.TEXT),
    ):
        if problem := text_problem(value, required=field == "title", max_length=limit):
            errors[field] = problem
    for field in ("opened_at", "resolved_at", "closed_at"):
        moment = getattr(past, field)
        if moment is None:
            continue
        if problem := moment_problem(moment):
            errors[field] = problem
        elif moment > clock.now():
            errors[field] = str(_("An imported ticket's times are in the past."))
        elif field != "opened_at" and moment < past.opened_at:
            errors[field] = str(_("This comes before the ticket was opened."))
    if past.status == Status.CLOSED and past.closed_at is None:
        errors["closed_at"] = str(_("A closed ticket needs the time it was closed."))
    if past.status == Status.RESOLVED and past.resolved_at is None:
        errors["resolved_at"] = str(_("A resolved ticket needs the time it was resolved."))
    return errors


def _fields(past: PastTicket) -> dict:
    cell = refdata.cell(past.product.pk, past.region.pk)
    closed = past.status == Status.CLOSED
    return {
        "customer_org_id": past.customer_org.pk,
        "office_id": past.region.office_id,
        "product_id": past.product.pk,
        "region_id": past.region.pk,
        "team_id": cell.team_id if cell else None,
        "severity": past.severity,
        "status": past.status,
        "owner_id": past.owner.pk,
        "title": past.title.strip(),
        "customer_voice": past.customer_voice,
        "channel": past.channel,
        "site": past.site.strip(),
        "resolution_note": past.resolution_note.strip(),
        "created_at": past.opened_at,
        "owner_since": past.opened_at,
        "resolved_at": past.resolved_at or (past.closed_at if closed else None),
        "closed_at": past.closed_at if closed else None,
    }


def _advance_sequence(number: str) -> None:
    own = _OWN_NUMBER.match(number)
    if own is None:
        return
    year, last = int(own.group(1)), int(own.group(2))
    TicketSequence.objects.get_or_create(year=year)
    TicketSequence.objects.filter(year=year, last__lt=last).update(last=last)


@transaction.atomic
def import_ticket(*, actor: Person, past: PastTicket) -> tuple[Ticket, str]:
    """Record (or bring up to date) a ticket of the old system under its own number; returns
    it and "created", "updated" or "unchanged". Administrators only. A ticket CareDesk opened
    itself under that number is never overwritten."""
    if not directory_policy.can_write_reference_data(actor):
        raise PermissionDenied(_("Only administrators import tickets."))
    if errors := _problems(past):
        raise Invalid(fields=errors)
    fields = _fields(past)
    # Most rows of an import are new: a bare key lookup finds that out for a fraction of what
    # the whole locked row costs to ask for (about a fifth of a row's time); only a ticket that
    # is there is loaded, and locked, whole.
    found = Ticket.objects.filter(number=past.number).values_list("pk", flat=True)[:1]
    existing = Ticket.objects.select_for_update().get(pk=found[0]) if found else None
    now = clock.now()
    if existing is None:
        ticket = Ticket.objects.create(
            number=past.number, created_by=actor, updated_at=now, **fields
        )
        ticket.owner = past.owner  # loaded already: the search document names the owner
        _advance_sequence(past.number)
        # The opening entry carries the old system's time; `imported` marks it as history.
        add_entry(
            ticket,
            EntryKind.OPENED,
            actor,
            body=ticket.customer_voice,
            at=past.opened_at,
            data={"owner": ticket.owner_id, "owner_name": past.owner.name, "imported": True},
        )
        search.index_ticket(ticket.pk, with_comments=False, ticket=ticket)
        audit.record(actor=actor, action="ticket.import", obj=ticket, after=snapshot(ticket))
        return ticket, "created"
    if not existing.timeline.filter(kind=EntryKind.OPENED, data__imported=True).exists():
        raise Invalid(
            fields={"number": str(_("A ticket opened in CareDesk already has this number."))}
        )
    changed = {k: v for k, v in fields.items() if getattr(existing, k) != v}
    if not changed:
        return existing, "unchanged"
    before = snapshot(existing)
    for name, value in changed.items():
        setattr(existing, name, value)
    existing.version += 1
    existing.updated_at = now
    existing.save(update_fields=[*changed, "version", "updated_at"])
    add_entry(
        existing,
        EntryKind.EDITED,
        actor,
        public=False,
        data={"changes": sorted(changed), "imported": True},
    )
    search.index_ticket(existing.pk, ticket=existing)
    audit.record(
        actor=actor,
        action="ticket.import_update",
        obj=existing,
        before=before,
        after=snapshot(existing),
    )
    return existing, "updated"


# ------------------------------------------------------------------ many at once
@transaction.atomic
def import_tickets(*, actor: Person, pasts: list[PastTicket]) -> list[str | Invalid]:
    """import_ticket for a chunk of an import, in order: for each past ticket its outcome
    ("created", "updated", "unchanged") or the Invalid it was refused with.

    The tickets new to CareDesk — most of any import — are written together: one INSERT each
    for their rows, their opening entries, their search documents and their audit records,
    exactly the rows import_ticket would write. A number already there (or met earlier in the
    same chunk) goes through import_ticket itself, after them. A refused ticket writes nothing.
    A failure of the database undoes the whole chunk (the caller may then try it one by one)."""
    if not directory_policy.can_write_reference_data(actor):
        raise PermissionDenied(_("Only administrators import tickets."))
    outcomes: list[str | Invalid | None] = [None] * len(pasts)
    there = set(
        Ticket.objects.filter(number__in={p.number for p in pasts}).values_list("number", flat=True)
    )
    fresh: list[int] = []
    again: list[int] = []
    for i, past in enumerate(pasts):
        if errors := _problems(past):
            outcomes[i] = Invalid(fields=errors)
        elif past.number in there:
            again.append(i)
        else:
            there.add(past.number)
            fresh.append(i)
    if fresh:
        _create_all(actor, [pasts[i] for i in fresh])
        for i in fresh:
            outcomes[i] = "created"
    for i in again:
        try:
            outcomes[i] = import_ticket(actor=actor, past=pasts[i])[1]
        except Invalid as exc:
            outcomes[i] = exc
    return outcomes  # type: ignore[return-value]


def _create_all(actor: Person, pasts: list[PastTicket]) -> None:
    now = clock.now()
    made = Ticket.objects.bulk_create(
        [Ticket(number=p.number, created_by=actor, updated_at=now, **_fields(p)) for p in pasts]
    )
    entries, documents = [], []
    for ticket, past in zip(made, pasts, strict=True):
        ticket.owner = past.owner  # loaded already: the search document names the owner
        entries.append(
            TimelineEntry(
                ticket=ticket,
                kind=EntryKind.OPENED,
                actor=actor,
                body=ticket.customer_voice,
                public=True,
                data={"owner": ticket.owner_id, "owner_name": past.owner.name, "imported": True},
                at=past.opened_at,
            )
        )
        documents.append(search.document_for(ticket.pk, with_comments=False, ticket=ticket))
    TimelineEntry.objects.bulk_create(entries)
    search.save_documents(documents)
    last_of_year: dict[int, int] = {}
    for past in pasts:
        if own := _OWN_NUMBER.match(past.number):
            year, last = int(own.group(1)), int(own.group(2))
            last_of_year[year] = max(last, last_of_year.get(year, 0))
    for year, last in last_of_year.items():
        _advance_sequence(f"CD-{year}-{last:06d}")
    audit.record_many(
        actor=actor,
        action="ticket.import",
        changes=[(ticket, None, snapshot(ticket)) for ticket in made],
    )
