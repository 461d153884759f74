"""The customer portal: the customer's requests and a new request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from caredesk import pagekit
from caredesk.errors import DomainError
from caredesk.tickets import forms, selectors, services
from caredesk.tickets.models import Status


@login_required
def portal(request):
    """The customer's requests. Resolved ones waiting for their decision come first, on the
    open list, each with Confirm and Reopen: the portal never hides a decision."""
    person = request.user
    show = request.GET.get("show", "open")
    cursor = request.GET.get("cursor")
    filters = selectors.TicketFilters(status="open" if show == "open" else None)
    visible = selectors.tickets_visible_to(person, filters)
    (rows, next_cursor), status_code = pagekit.list_page(
        request, lambda cursor: selectors.page_of(visible, cursor, pagekit.PAGE_SIZE)
    )
    waiting = selectors.tickets_visible_to(person, selectors.TicketFilters(status=Status.RESOLVED))
    awaiting = []
    if show == "open" and not cursor:
        awaiting = selectors.attach_reference(list(waiting[: pagekit.PAGE_SIZE]))
    return render(
        request,
        "tickets/portal.html",
        {
            "rows": rows,
            "awaiting": awaiting,
            "next_cursor": next_cursor,
            "show": show,
            "waiting_confirmation": waiting.count(),
        },
        status=status_code,
    )


@login_required
def portal_new(request):
    person = request.user
    if not person.is_customer:
        return redirect("tickets:record_call")
    form = forms.NewRequestForm(request.POST or None, person=person)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.open_ticket(actor=person, channel="portal", **form.cleaned_data)
        except DomainError as exc:
            pagekit.add_errors(request, form, exc)
            status = pagekit.error_status(exc)
        else:
            messages.success(
                request,
                _("Request %(n)s received. %(owner)s owns it and will contact you.")
                % {"n": ticket.number, "owner": ticket.owner.name},
            )
            return redirect("tickets:ticket", number=ticket.number)
    elif request.method == "POST":
        status = 422
    return render(request, "tickets/portal_new.html", {"form": form}, status=status)
