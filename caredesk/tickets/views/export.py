"""Exports of the staff queue and the portal list (CSV, xlsx): the page's own filters, through
the same selector, every row the reader may see, streamed (caredesk.web.export)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _

from caredesk.directory import refdata
from caredesk.tickets import selectors
from caredesk.web.export import export_response

from .queue import queue_filters

CHUNK = 2000


def export_header() -> list[str]:
    """The columns of a ticket export (the pages' and the API's)."""
    return [
        _("Number"),
        _("Severity"),
        _("Customer"),
        _("Title"),
        _("Owner"),
        _("Status"),
        _("Opened"),
        _("Updated"),
    ]


def ticket_rows(tickets) -> list:
    """One row per ticket, read in chunks (the queryset's iterator)."""
    for t in tickets.iterator(chunk_size=CHUNK):
        yield [
            t.number,
            t.severity,
            refdata.organisation(t.customer_org_id).name,
            t.title,
            t.owner.name if t.owner_id else "",
            t.get_status_display(),
            t.created_at,
            t.updated_at,
        ]


def _queue_tickets(request):
    person = request.user
    tab, _q, _status, _severity, filters = queue_filters(request)
    tickets = selectors.tickets_visible_to(person, filters)
    if tab == "handoffs":
        waiting = selectors.handoffs_waiting_for(person).values("ticket_id")
        tickets = tickets.filter(pk__in=waiting)
    return tickets


@login_required
def queue_export(request, fmt):
    if request.user.is_customer:
        return portal_export(request, fmt)
    tickets = _queue_tickets(request)
    return export_response(
        fmt, name="tickets", header=export_header(), rows=lambda: ticket_rows(tickets)
    )


@login_required
def portal_export(request, fmt):
    show = request.GET.get("show", "open")
    filters = selectors.TicketFilters(status="open" if show == "open" else None)
    tickets = selectors.tickets_visible_to(request.user, filters)
    return export_response(
        fmt, name="requests", header=export_header(), rows=lambda: ticket_rows(tickets)
    )
