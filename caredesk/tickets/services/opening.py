"""Opening a ticket: routed by the responsibility matrix or owned by the first contact."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import (
    OWNER_ROLES,
    Organisation,
    OrgKind,
    Person,
    Product,
    Region,
    Responsibility,
    Role,
    Team,
)
from caredesk.errors import Conflict, PermissionDenied
from caredesk.errors import ValidationFailed as Invalid

from .. import policy
from ..models import (
    Channel,
    EntryKind,
    Severity,
    Ticket,
    TicketSequence,
)
from ._base import add_entry, emit, snapshot


class NoOwnerAvailable(Conflict):
    code = "no_owner_available"
    default_message = _(
        "Nobody is responsible for this product in this region. "
        "Ask an administrator to complete the responsibility matrix."
    )


def _next_number(year: int) -> str:
    TicketSequence.objects.get_or_create(year=year)
    TicketSequence.objects.filter(year=year).update(last=F("last") + 1)
    last = TicketSequence.objects.get(year=year).last
    return f"CD-{year}-{last:06d}"


def route(product: Product, region: Region) -> tuple[Person, Team | None]:
    """The owner the responsibility matrix names: primary, else backup, else the region's
    service manager. Never nobody: with no one available, opening the ticket fails."""
    cell = (
        Responsibility.objects.select_related("primary", "backup", "team")
        .filter(product=product, region=region)
        .first()
    )
    candidates = [cell.primary, cell.backup] if cell else []
    candidates.append(region.service_manager)
    for person in candidates:
        if person is not None and person.can_own_tickets:
            return person, cell.team if cell else None
    raise NoOwnerAvailable()


@transaction.atomic
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
    if not title:
        errors["title"] = str(_("This field is required."))
    elif len(title) > 200:
        errors["title"] = str(_("At most %(n)d characters.") % {"n": 200})
    # The customer's words are kept verbatim: only emptiness is checked, nothing is trimmed.
    if not (customer_voice or "").strip():
        errors["customer_voice"] = str(_("Write down what the customer said."))
    if len(site or "") > 200:
        errors["site"] = str(_("At most %(n)d characters.") % {"n": 200})
    if actor.is_customer:
        requester = requester or actor
    if requester is not None and (
        requester.role != Role.CUSTOMER_CONTACT
        or requester.organisation_id not in customer_org.lineage_ids()
    ):
        errors["requester"] = str(_("The requester must be a contact of this customer."))
    if errors:
        raise Invalid(fields=errors)

    cell_owner, team = route(product, region)
    owner = actor if actor.role in OWNER_ROLES else cell_owner
    now = clock.now()
    ticket = Ticket.objects.create(
        number=_next_number(now.year),
        customer_org=customer_org,
        office=region.office,
        requester=requester,
        product=product,
        region=region,
        team=team,
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
    add_entry(
        ticket,
        EntryKind.OPENED,
        actor,
        body=customer_voice,
        at=now,
        data={
            "owner": owner.pk,
            "owner_name": owner.name,
            "channel": channel,
            "routed": "first_contact" if owner == actor else "matrix",
        },
    )
    emit("ticket.opened", ticket, actor, severity=ticket.severity, owner=ticket.owner_id)
    audit.record(actor=actor, action="ticket.open", obj=ticket, after=snapshot(ticket))
    return ticket
