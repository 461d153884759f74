"""The ticket's pages: recording a call, the ticket page (staff and customer), its actions and
the hand-off answers. Thin: parse a form, call a verb, show the result; a refused verb comes
back as a form error on the same page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caredesk import clock, pagekit
from caredesk.attachments import views as attachment_views
from caredesk.complaints import views as complaint_views
from caredesk.errors import DomainError, NotFound
from caredesk.escalation import clocks, ticket_notices
from caredesk.escalation import selectors as escalation_selectors
from caredesk.fieldwork.views import change_forms, visit_forms
from caredesk.insights.risk import views as risk_views
from caredesk.tickets import forms, policy, selectors, services
from caredesk.tickets.services import closing


def _staff_only(request):
    return None if not request.user.is_customer else redirect("tickets:portal")


@login_required
def record_call(request):
    if blocked := _staff_only(request):
        return blocked
    form = forms.RecordCallForm(request.POST or None, person=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.open_ticket(actor=request.user, **data)
        except DomainError as exc:
            pagekit.add_errors(request, form, exc)
            status = pagekit.error_status(exc)
        else:
            messages.success(request, _("Ticket %(n)s opened; you own it.") % {"n": ticket.number})
            return redirect("tickets:ticket", number=ticket.number)
    elif request.method == "POST":
        status = 422
    return render(request, "tickets/record_call.html", {"form": form}, status=status)


# ---------------------------------------------------------------- the ticket page


def _nearest_clock(views: list) -> object | None:
    """The unfinished clock with the least time left, as the queue's row shows it
    (clocks.nearest_for): the header's clock."""
    unfinished = [c for c in views if c.state != "stopped"]
    return min(unfinished, key=lambda c: c.remaining_seconds, default=None)


def _ticket_context(request, ticket, **forms_in_error):
    person = request.user
    pending = selectors.pending_handoff(ticket)
    conclusions = list(selectors.conclusions_of(ticket))
    clock_views = clocks.clocks_of(ticket)
    ctx = {
        "ticket": ticket,
        "clocks": clock_views,
        "nearest_clock": _nearest_clock(clock_views),
        "timeline": list(selectors.timeline_for(person, ticket)),
        "pending": pending,
        "conclusion": conclusions[0] if conclusions else None,
        "conclusion_history": conclusions[1:],
        "contacts": escalation_selectors.contacts_card(ticket),
        "is_owner": ticket.owner_id == person.pk,
        "can_manage": ticket.owner_id == person.pk or policy.is_manager_of(person, ticket),
        "is_customer": person.is_customer,
        "visits": visit_forms.ticket_card(person, ticket, forms_in_error.get("visit_plan")),
        # complaints: the banner of the complaints about this ticket
        "complaints": complaint_views.ticket_banner(person, ticket),
        # ---- change requests: the changes linked to the ticket ----
        "changes": change_forms.ticket_card(person, ticket),
        # attachments: the ticket's files (uploaded, or from its mails)
        "attachments": attachment_views.card("ticket", ticket.pk, reader=request.user),
    }
    if person.is_customer:
        until = closing.reopen_allowed_until(ticket)
        ctx.update(
            reopen_until=until,
            can_reopen=until is None or clock.now() <= until,
            comment_form=forms_in_error.get("comment") or forms.CommentForm(),
            confirm_form=forms_in_error.get("confirm") or forms.ConfirmForm(),
            reopen_form=forms_in_error.get("reopen") or forms.ReopenForm(),
        )
        return ctx
    ctx.update(
        notices=ticket_notices.notifications_card(ticket, person),
        risk=risk_views.ticket_card(person, ticket),  # early warning: staff only
        matrix_owner=selectors.matrix_owner_elsewhere(ticket),
        comment_form=forms_in_error.get("comment") or forms.ReplyForm(),
        call_form=forms_in_error.get("call") or forms.CallForm(),
        handoff_form=forms_in_error.get("handoff"),  # otherwise fetched when opened
        decline_form=forms_in_error.get("decline") or forms.DeclineForm(),
        conclusion_form=forms_in_error.get("conclusion")
        or forms.ConclusionForm(initial={"text": conclusions[0].text if conclusions else ""}),
        resolve_form=forms_in_error.get("resolve") or forms.ResolveForm(),
        status_form=forms_in_error.get("status")
        or forms.StatusForm(initial={"version": ticket.version}),
    )
    return ctx


def _render_ticket(request, ticket, *, http_status=200, **forms_in_error):
    """The ticket page, also as the answer to a refused form: then the address bar (and the
    language switch) must keep pointing at the page, not at the POST-only action URL.

    `forms_in_error` is keyed by action name, and one action is called "status": hence
    `http_status` for the answer's code."""
    template = "tickets/portal_ticket.html" if request.user.is_customer else "tickets/ticket.html"
    page_url = reverse("tickets:ticket", args=[ticket.number])
    context = {**_ticket_context(request, ticket, **forms_in_error), "page_url": page_url}
    response = render(request, template, context, status=http_status)
    if request.path != page_url:
        response["HX-Replace-Url"] = page_url
    return response


def _visible_ticket(request, number: str):
    """The ticket if the signed-in person may see it, else None (answered as not found)."""
    try:
        return selectors.ticket_for(request.user, number=number)
    except NotFound:
        return None


@login_required
def ticket_page(request, number):
    ticket = _visible_ticket(request, number)
    if ticket is None:
        return render(request, "web/not_found.html", status=404)
    return _render_ticket(request, ticket)


@login_required
def handoff_form(request, number):
    """The hand-off form alone (HTMX), with the matrix owner chosen when that is not the owner."""
    ticket = _visible_ticket(request, number)
    if ticket is None or request.user.is_customer:  # customers never hand off
        return render(request, "web/not_found.html", status=404)
    matrix = selectors.matrix_owner_elsewhere(ticket)
    form = forms.HandoffForm(
        candidates=selectors.handoff_candidates(ticket),
        initial={"to_person": matrix.pk if matrix else None},
    )
    context = {"ticket": ticket, "handoff_form": form}
    return render(request, "tickets/_handoff_form.html", context)


def _comment_form(request, ticket):
    return (forms.CommentForm if request.user.is_customer else forms.ReplyForm)(request.POST)


def _comment(request, ticket, form):
    public = request.user.is_customer or form.public
    return services.add_comment(
        actor=request.user, ticket=ticket, body=form.cleaned_data["body"], public=public
    )


def _call(request, ticket, form):
    return services.log_call(actor=request.user, ticket=ticket, **form.cleaned_data)


def _handoff(request, ticket, form):
    return services.propose_handoff(
        actor=request.user,
        ticket=ticket,
        to_person=form.cleaned_data["to_person"],
        reason=form.cleaned_data["reason"],
    )


def _conclusion(request, ticket, form):
    return services.set_conclusion(actor=request.user, ticket=ticket, **form.cleaned_data)


def _resolve(request, ticket, form):
    return services.resolve(actor=request.user, ticket=ticket, note=form.cleaned_data["note"])


def _status(request, ticket, form):
    return services.edit_ticket(
        actor=request.user,
        ticket=ticket,
        version=form.cleaned_data["version"],
        changes={"status": form.cleaned_data["status"]},
    )


def _confirm(request, ticket, form):
    return services.confirm_closure(actor=request.user, ticket=ticket, **form.cleaned_data)


def _reopen(request, ticket, form):
    return services.reopen(actor=request.user, ticket=ticket, reason=form.cleaned_data["reason"])


ACTIONS = {
    "comment": (_comment_form, _comment, gettext_lazy("Comment added.")),
    "call": (lambda r, t: forms.CallForm(r.POST), _call, gettext_lazy("Call logged.")),
    "handoff": (
        lambda r, t: forms.HandoffForm(r.POST, candidates=selectors.handoff_candidates(t)),
        _handoff,
        gettext_lazy("Hand-off proposed. You stay the owner until it is accepted."),
    ),
    "conclusion": (
        lambda r, t: forms.ConclusionForm(r.POST),
        _conclusion,
        gettext_lazy("Technical conclusion recorded."),
    ),
    "resolve": (lambda r, t: forms.ResolveForm(r.POST), _resolve, gettext_lazy("Ticket resolved.")),
    "status": (lambda r, t: forms.StatusForm(r.POST), _status, gettext_lazy("Status changed.")),
    "confirm": (
        lambda r, t: forms.ConfirmForm(r.POST),
        _confirm,
        gettext_lazy("Thank you — closed."),
    ),
    "reopen": (lambda r, t: forms.ReopenForm(r.POST), _reopen, gettext_lazy("Reopened.")),
}


@login_required
def ticket_action(request, number, action):
    if request.method != "POST":
        # The `next` of a sign-in after the session ran out mid-form: back to the ticket, not
        # an empty 405.
        return redirect("tickets:ticket", number=number)
    ticket = _visible_ticket(request, number)
    if ticket is None:
        return render(request, "web/not_found.html", status=404)
    if action == "acknowledge":
        try:
            services.acknowledge(actor=request.user, ticket=ticket)
            messages.success(request, _("Acknowledged."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("tickets:ticket", number=number)
    if action not in ACTIONS:
        return render(request, "web/not_found.html", status=404)
    make_form, verb, done = ACTIONS[action]
    form = make_form(request, ticket)
    if form.is_valid():
        try:
            verb(request, ticket, form)
        except DomainError as exc:
            pagekit.add_errors(request, form, exc)
            ticket.refresh_from_db()
            return _render_ticket(
                request, ticket, http_status=pagekit.error_status(exc), **{action: form}
            )
        messages.success(request, done)
        return redirect(reverse("tickets:ticket", args=[number]) + f"#{action}")
    return _render_ticket(request, ticket, http_status=422, **{action: form})


@login_required
@require_POST
def handoff_action(request, handoff_id, action):
    try:
        handoff = selectors.handoff_for(request.user, handoff_id)
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    ticket = handoff.ticket
    try:
        if action == "accept":
            services.accept_handoff(actor=request.user, handoff=handoff)
            messages.success(request, _("You now own %(n)s.") % {"n": ticket.number})
        elif action == "cancel":
            services.cancel_handoff(actor=request.user, handoff=handoff)
            messages.success(request, _("Hand-off cancelled."))
        elif action == "decline":
            form = forms.DeclineForm(request.POST)
            if not form.is_valid():
                return _render_ticket(request, ticket, http_status=422, decline=form)
            services.decline_handoff(
                actor=request.user, handoff=handoff, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Hand-off declined; the owner keeps the ticket."))
        else:
            return render(request, "web/not_found.html", status=404)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    if not policy.can_view(request.user, ticket):
        return redirect("tickets:queue")
    return redirect("tickets:ticket", number=ticket.number)
