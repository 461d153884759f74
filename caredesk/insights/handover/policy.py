"""Who may read a shift hand-over report, and what each reader's report holds.

- Vendor-office staff (and HQ, above every office) read the report of a customer whose work
  their office serves — a ticket served by their office or an office below it, or a change
  requested there — or of a region their office serves. Each section holds what they could
  open one by one (tickets, changes, masking rules, visits: their own floors' filters) and the
  silences Alertmanager holds without CareDesk's authorisation.
- A partner engineer reads the report of a customer or region where work is handed to him now
  (a ticket he owns or is asked to take over, a change he executes), and it holds only that
  work: never another's tickets, never the unauthorised silences.
- Customer contacts do not read it (not found): it is the vendor's shift talking to the next —
  owners' names and phones, clocks at risk, silences nobody authorised — and the portal
  already tells the customer about their own requests.
A report one may not read is "not found", so a customer's or region's activity never leaks.
"""

from django.db.models import Q

from caredesk.directory import refdata
from caredesk.directory.models import OFFICE_ROLES, Person, Role
from caredesk.errors import NotFound
from caredesk.fieldwork.changes import policy as change_policy
from caredesk.fieldwork.masks import policy as mask_policy
from caredesk.fieldwork.models import ChangeRequest
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import Ticket


def _signed_in(person: Person) -> bool:
    return person.is_authenticated and person.is_active and person.organisation_id is not None


def may_use(person: Person) -> bool:
    """Whether the hand-over exists for the person at all (the navigation link, the page)."""
    return _signed_in(person) and (
        person.role in OFFICE_ROLES or person.role == Role.PARTNER_ENGINEER
    )


def sees_unauthorised(person: Person) -> bool:
    return mask_policy.can_see_foreign(person)


def ticket_filter(person: Person) -> Q:
    return ticket_policy.visible_filter(person)


def change_filter(person: Person) -> Q:
    return change_policy.visible_filter(person)


def mask_filter(person: Person) -> Q:
    return mask_policy.visible_filter(person)


def check_scope(person: Person, *, customer_org_id: int | None, region_id: int | None) -> None:
    """NotFound unless the person may read the report of this customer (with its branches)
    and/or region: some of its work must be visible to them (two EXISTS queries at most)."""
    if not may_use(person):
        raise NotFound()
    if region_id is not None and customer_org_id is None and person.role in OFFICE_ROLES:
        region = refdata.region(pk=region_id)
        if region is not None and region.office_id in refdata.subtree(person.organisation_id):
            return  # a region the office serves
    tickets = Ticket.objects.filter(ticket_filter(person))
    changes = ChangeRequest.objects.filter(change_filter(person))
    if customer_org_id is not None:
        orgs = refdata.subtree(customer_org_id)
        tickets = tickets.filter(customer_org_id__in=orgs)
        changes = changes.filter(customer_org_id__in=orgs)
    if region_id is not None:
        tickets = tickets.filter(region_id=region_id)
        changes = changes.filter(region_id=region_id)
    if not tickets.exists() and not changes.exists():
        raise NotFound()
