"""Opening a ticket: routed by the responsibility matrix or owned by the first contact."""

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory import refdata
from caredesk.directory.models import (
    OWNER_ROLES,
    Organisation,
    OrgKind,
    Person,
    Product,
    Region,
    Role,
)
from caredesk.errors import Conflict, PermissionDenied
from caredesk.errors import ValidationFailed as Invalid
from caredesk.events import EventKind
from caredesk.inputs import is_blank, text_problem

from .. import policy
from ..models import (
    Channel,
    EntryKind,
    Severity,
    Ticket,
    TicketSequence,
)
from ..rules import Limits
from ._base import add_entry, emit, snapshot


class NoOwnerAvailable(Conflict):
    code = "no_owner_available"
    default_message = _(
        "Nobody is responsible for this product in this region. "
        "Ask an administrator to complete the responsibility matrix."
    )


def _next_number(year: int) -> str:
    """The year's next number: one statement on the counter row, whose lock is then held until
    the surrounding transaction ends."""
    table = connection.ops.quote_name(TicketSequence._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last", [year])
        row = cur.fetchone()
    if row is None:  # the year's first ticket
        TicketSequence.objects.get_or_create(year=year)
        return _next_number(year)
    return f"CD-{year}-{row[0]:06d}"


def _number_apart() -> bool:
    """On PostgreSQL the number is taken in a short transaction of its own, so concurrent
    openings do not queue behind the counter row for their whole transaction (a request that
    then fails leaves a gap in the numbers, as in most ticket systems). SQLite serialises
    writers anyway: there the number is part of the opening's transaction."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def route(product: Product, region: Region) -> tuple[Person, int | None]:
    """The owner the responsibility matrix names (and the cell's team): primary, else backup,
    else the region's service manager. Never nobody: with no one available, opening the
    ticket fails."""
    order = refdata.matrix_ids(product.pk, region.pk)
    people = Person.objects.in_bulk([pk for pk in order if pk is not None])
    for pk in order:
        person = people.get(pk)
        if person is not None and person.can_own_tickets:
            cell = refdata.cell(product.pk, region.pk)
            return person, cell.team_id if cell else None
    raise NoOwnerAvailable()


def open_ticket(
    *,
    actor: Person,
    customer_org: Organisation,
    product: Product,
    region: Region,
    severity: str,
    title: str,
    customer_voice: str,
    channel: str,
    site: str = "",
    requester: Person | None = None,
) -> Ticket:
    """Open a ticket that has an owner from its first instant.

    Staff recording a call or visit own what they record (first-contact responsibility).
    Requests from customers are routed by the responsibility matrix.
    """
    if not policy.can_open_for(actor, customer_org.pk):
        raise PermissionDenied()
    errors: dict[str, str] = {}
    if customer_org.kind != OrgKind.CUSTOMER:
        errors["customer_org"] = str(_("Choose a customer organisation."))
    if severity not in Severity.values:
        errors["severity"] = str(_("Choose a severity from P1 to P4."))
    if channel not in Channel.values:
        errors["channel"] = str(_("Unknown channel."))
    title = (title or "").strip()
    if problem := text_problem(title, required=True, max_length=Limits.TITLE):
        errors["title"] = problem
    # The customer's words are kept verbatim: only emptiness is checked, nothing is trimmed.
    if is_blank(customer_voice or ""):
        errors["customer_voice"] = str(_("Write down what the customer said."))
    elif problem := text_problem(customer_voice, required=True):
        errors["customer_voice"] = problem
    if problem := text_problem(site, required=False, max_length=Limits.SITE):
        errors["site"] = problem
    if actor.is_customer:
        requester = requester or actor
    if requester is not None and (
        requester.role != Role.CUSTOMER_CONTACT
        or requester.organisation_id not in customer_org.lineage_ids()
    ):
        errors["requester"] = str(_("The requester must be a contact of this customer."))
    if errors:
        raise Invalid(fields=errors)

    if actor.role in OWNER_ROLES:
        owner = actor  # first-contact responsibility; the matrix still names the team
        cell = refdata.cell(product.pk, region.pk)
        team_id = cell.team_id if cell else None
    else:
        owner, team_id = route(product, region)
    number = None
    if _number_apart():
        with transaction.atomic():
            number = _next_number(clock.now().year)
    with transaction.atomic():
        now = clock.now()
        ticket = Ticket.objects.create(
            number=number or _next_number(now.year),
            customer_org=customer_org,
            office_id=region.office_id,
            requester=requester,
            product=product,
            region=region,
            team_id=team_id,
            site=(site or "").strip(),
            severity=severity,
            channel=channel,
            title=title,
            customer_voice=customer_voice,
            owner=owner,
            owner_since=now,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        _record_opening(ticket, actor, owner, now)
    return ticket


def _record_opening(ticket: Ticket, actor: Person, owner: Person, now) -> None:
    """The opening's timeline entry, event and audit record, in its transaction."""
    add_entry(
        ticket,
        EntryKind.OPENED,
        actor,
        body=ticket.customer_voice,
        at=now,
        data={
            "owner": owner.pk,
            "owner_name": owner.name,
            "channel": ticket.channel,
            "routed": "first_contact" if owner == actor else "matrix",
        },
    )
    emit(EventKind.OPENED, ticket, actor, severity=ticket.severity, owner=ticket.owner_id)
    audit.record(actor=actor, action="ticket.open", obj=ticket, after=snapshot(ticket))
