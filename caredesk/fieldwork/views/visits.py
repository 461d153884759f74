"""The site visit's pages: planning one from the ticket page, the visit page an engineer uses
on site from his phone (big buttons: set off, arrived, left — and the leave form), and the
customer's confirmation of the report from the portal. Thin: parse a form, call a verb; a
refused verb comes back as a form error on the same page, under its own 4xx status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caredesk import pagekit
from caredesk.attachments import views as attachment_views
from caredesk.errors import DomainError, NotFound
from caredesk.tickets import selectors as ticket_selectors
from caredesk.tickets.views.ticket import _render_ticket

from ..visits import policy, selectors, services
from . import visit_forms as forms


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


@login_required
def plan_visit(request, number):
    """GET: the plan form alone (HTMX, when the ticket page's section is opened). POST: plan;
    a refusal shows the ticket page again with the form open."""
    try:
        ticket = ticket_selectors.ticket_for(request.user, number=number)
    except NotFound:
        return _not_found(request)
    if request.user.is_customer:  # the form is not on the customer's page
        return _not_found(request)
    if request.method != "POST":
        if not (ticket.is_open and policy.can_plan(request.user, ticket)):
            return render(request, "fieldwork/_visit_plan_refused.html", status=403)
        context = {"ticket": ticket, "plan_form": forms.plan_form(request.user, ticket)}
        return render(request, "fieldwork/_visit_plan_form.html", context)
    form = forms.plan_form(request.user, ticket, request.POST)
    status = 422
    if form.is_valid():
        try:
            visit = services.plan_visit(actor=request.user, ticket=ticket, **form.cleaned_data)
        except DomainError as exc:
            pagekit.add_errors(request, form, exc)
            status = pagekit.error_status(exc)
            ticket.refresh_from_db()
        else:
            messages.success(request, _("Site visit planned; the customer is told who comes when."))
            return redirect("fieldwork:visit_page", visit_id=visit.pk)
    return _render_ticket(request, ticket, http_status=status, visit_plan=form)


def _visit_context(request, visit, **forms_in_error) -> dict:
    ticket = visit.ticket
    person = request.user
    version = {"version": visit.version}
    # Whether its next step is overdue depends on the ticket's other visits.
    rows = forms.rows_of(list(selectors.visits_of(ticket)))
    return {
        "visit": visit,
        "ticket": ticket,
        "row": next(r for r in rows if r["visit"].pk == visit.pk),
        "can_record": visit.is_active and policy.can_record(person, visit, ticket),
        "can_cancel": visit.status in services.FROM["cancel"]
        and policy.can_cancel(person, visit, ticket),
        "step_form": forms_in_error.get("step") or forms.StepForm(initial=version),
        "leave_form": forms_in_error.get("leave")
        or forms.LeaveForm(ticket=ticket, initial=version),
        "cancel_form": forms_in_error.get("cancel") or forms.CancelForm(initial=version),
        "page_url": reverse("fieldwork:visit_page", args=[visit.pk]),
        "attachments": attachment_views.card("visit", visit.pk, reader=person),
    }


def _render_visit(request, visit, *, status=200, **forms_in_error):
    response = render(
        request,
        "fieldwork/visit_page.html",
        _visit_context(request, visit, **forms_in_error),
        status=status,
    )
    page_url = reverse("fieldwork:visit_page", args=[visit.pk])
    if request.path != page_url:
        response["HX-Replace-Url"] = page_url
    return response


@login_required
def visit_page(request, visit_id):
    try:
        visit = selectors.visit_for(request.user, visit_id)
    except NotFound:
        return _not_found(request)
    if request.user.is_customer:  # customers read the report on their ticket page
        return redirect(reverse("tickets:ticket", args=[visit.ticket.number]) + "#visits")
    return _render_visit(request, visit)


def _step(verb):
    def act(request, visit, form):
        data = form.cleaned_data
        return verb(
            actor=request.user,
            visit=visit,
            at=data["at"],
            reason=data["reason"],
            version=data["version"],
        )

    return act


def _leave(request, visit, form):
    return services.leave_site(actor=request.user, visit=visit, **form.cleaned_data)


def _cancel(request, visit, form):
    return services.cancel_visit(actor=request.user, visit=visit, **form.cleaned_data)


# action → (form key, form, verb, what the page says when done)
ACTIONS = {
    "travel": (
        "step",
        lambda r, v: forms.StepForm(r.POST),
        _step(services.start_travel),
        gettext_lazy("On your way: recorded."),
    ),
    "arrive": (
        "step",
        lambda r, v: forms.StepForm(r.POST),
        _step(services.arrive),
        gettext_lazy("Arrival on site recorded."),
    ),
    "leave": (
        "leave",
        lambda r, v: forms.LeaveForm(r.POST, ticket=v.ticket),
        _leave,
        gettext_lazy("Departure recorded; the customer is sent the visit report."),
    ),
    "cancel": (
        "cancel",
        lambda r, v: forms.CancelForm(r.POST),
        _cancel,
        gettext_lazy("Visit cancelled; the customer is told."),
    ),
}


@login_required
def visit_action(request, visit_id, action):
    if request.method != "POST":
        return redirect("fieldwork:visit_page", visit_id=visit_id)
    try:
        visit = selectors.visit_for(request.user, visit_id)
    except NotFound:
        return _not_found(request)
    if action == "confirm":
        return _confirm(request, visit)
    if request.user.is_customer or action not in ACTIONS:  # customers only confirm
        return _not_found(request)
    key, make_form, verb, done = ACTIONS[action]
    form = make_form(request, visit)
    if not form.is_valid():
        return _render_visit(request, visit, status=422, **{key: form})
    try:
        verb(request, visit, form)
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        visit = selectors.visit_for(request.user, visit_id)
        return _render_visit(request, visit, status=pagekit.error_status(exc), **{key: form})
    messages.success(request, done)
    return redirect("fieldwork:visit_page", visit_id=visit_id)


def _confirm(request, visit):
    """The customer confirms the report from the portal's ticket page."""
    ticket_url = reverse("tickets:ticket", args=[visit.ticket.number]) + "#visits"
    try:
        services.confirm_report(actor=request.user, visit=visit)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        if request.user.is_customer:
            return redirect(ticket_url)
        return _render_visit(request, visit, status=pagekit.error_status(exc))
    messages.success(request, _("Thank you: you confirmed the visit report."))
    return redirect(ticket_url)
