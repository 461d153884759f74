"""The hotline's registration page (400登记): the caller's phone number (or a ticket number)
finds the contact and their open tickets; one short form registers the complaint, handled by
the customer's service manager — never by the agent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from caredesk import pagekit
from caredesk.directory.models import Role
from caredesk.errors import DomainError
from caredesk.errors import ValidationFailed as Invalid
from caredesk.tickets import policy as ticket_policy
from caredesk.tickets.models import Ticket

from .. import policy, selectors, services
from ..models import Source
from . import forms


def _tickets(person, numbers: list[str]) -> list[Ticket]:
    found = {
        t.number: t
        for t in Ticket.objects.select_related("customer_org", "owner").filter(number__in=numbers)
        if ticket_policy.can_view(person, t)
    }
    missing = [n for n in numbers if n not in found]
    if missing or not numbers:
        raise Invalid(fields={"tickets": _("No such ticket: %(n)s") % {"n": " ".join(missing)}})
    return [found[n] for n in numbers]


@login_required
def register(request):
    person = request.user
    if not policy.can_register(person):
        return render(request, "web/not_found.html", status=404)
    query = request.GET.get("q", "").strip()
    found = selectors.registration_search(person, query) if query else None
    contacts = found["contacts"] if found else []
    initial = {"source": Source.HOTLINE if person.role == Role.HOTLINE_AGENT else Source.TICKET}
    if found and found["tickets"]:
        initial["tickets"] = " ".join(t.number for t in found["tickets"][:1])
    if len(contacts) == 1:
        initial["complainant"] = contacts[0].pk
    status = 200
    if request.method == "POST":
        form = forms.RegisterForm(request.POST, contacts=None)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.open_complaint(
                    actor=person,
                    source=data["source"],
                    tickets=_tickets(person, form.ticket_numbers()),
                    complainant=data["complainant"],
                    complainant_name=data["complainant_name"],
                    complainant_phone=data["complainant_phone"],
                    category=data["category"],
                    subcategory=data["subcategory"],
                    words=data["words"],
                    remedy_sought=data["remedy_sought"],
                    severity=data["severity"],
                    impact=data["impact"],
                    channel=data["channel"],
                )
            except DomainError as exc:
                pagekit.add_errors(request, form, exc)
                status = pagekit.error_status(exc)
            else:
                messages.success(
                    request,
                    _("Complaint %(n)s registered; %(h)s handles it.")
                    % {"n": complaint.number, "h": complaint.handler.name},
                )
                return redirect("complaints:complaint_page", number=complaint.number)
    else:
        form = forms.RegisterForm(initial=initial, contacts=contacts)
    context = {"form": form, "query": query, "found": found}
    return render(request, "complaints/register.html", context, status=status)
