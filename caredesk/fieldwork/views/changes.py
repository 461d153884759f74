"""The change request's pages: the list, a new request, and the change page with the action of
its current state (submit, approve or reject, start, verify, complete or roll back, cancel).
Thin: parse a form, call a verb; a refused verb comes back as a form error on the same page,
under its own 4xx status — and a partner sees why he may not start (not approved, outside
the window) before he tries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caredesk import clock, pagekit
from caredesk.attachments import views as attachment_views
from caredesk.errors import DomainError, NotFound, ValidationFailed
from caredesk.inputs import parse_id

from ..changes import policy, selectors, services
from ..changes.rules import RISK_QUESTIONS
from ..models import ChangeModel, ChangeStatus
from . import change_forms as forms


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


@login_required
def change_list(request):
    """The changes the reader may see, newest first; ?status= (or active) and ?customer=."""
    status = request.GET.get("status") or None
    if status not in (None, "active", *ChangeStatus.values):
        status = None
    filters = selectors.ChangeFilters(
        customer_org=parse_id(request.GET.get("customer")), status=status
    )
    (rows, next_cursor), code = pagekit.list_page(
        request,
        lambda cursor: selectors.change_page(request.user, filters, cursor, pagekit.PAGE_SIZE),
    )
    context = {
        "rows": rows,
        "next_cursor": next_cursor,
        "status": status or "",
        "statuses": ChangeStatus.choices,
        "can_request": policy.can_request(request.user),
    }
    return render(request, "fieldwork/change_list.html", context, status=code)


@login_required
def change_new(request):
    if request.user.is_customer:
        return _not_found(request)
    if not policy.can_request(request.user):
        return render(request, "fieldwork/change_refused.html", status=403)
    form = forms.ChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                change = services.create_change(actor=request.user, **form.verb_arguments())
            except DomainError as exc:
                pagekit.add_errors(request, form, exc)
                status = pagekit.error_status(exc)
            else:
                messages.success(request, _("Change request saved as a draft: submit it."))
                return redirect("fieldwork:change_page", change_id=change.pk)
    return render(request, "fieldwork/change_new.html", {"form": form}, status=status)


def _why_not_start(person, change) -> str:
    """What stops the executor starting now, in words (empty: nothing)."""
    if not policy.is_executor(person, change) or change.status not in services.FROM["start"]:
        return ""
    emergency_by_staff = change.model == ChangeModel.EMERGENCY and not policy.is_partner(person)
    if not change.is_authorised and not emergency_by_staff:
        return _("Not approved yet: it cannot be started.")
    now = clock.now()
    if now < change.window_start:
        return _("Its window has not opened yet.")
    if now > change.window_end:
        return _("Its window has closed.")
    return ""


def _context(request, change, **forms_in_error) -> dict:
    person = request.user
    version = {"version": change.version}
    status = change.status
    can_manage = policy.can_manage(person, change)
    executor = policy.is_executor(person, change)
    approvable = status in services.AUTHORISABLE[change.model] and not (
        change.customer_approved_at
        if policy.is_customer_approver(person, change)
        else change.vendor_approved_at
    )
    why_not = _why_not_start(person, change)

    def form(key, cls):
        return forms_in_error.get(key) or cls(initial=version)

    return {
        "change": change,
        "sees_internal": policy.sees_internal(person),
        "questions": [
            (str(q), change.risk_assessment.get(key, False))
            for key, (q, _w) in RISK_QUESTIONS.items()
        ],
        "approvers": selectors.approvers_for(change),
        "can_submit": can_manage and status in services.FROM["submit"],
        "can_cancel": can_manage and status in services.FROM["cancel"],
        "can_approve": approvable and policy.can_approve(person, change),
        "can_reject": status in services.FROM["reject"] and policy.can_approve(person, change),
        "can_start": executor and status in services.FROM["start"] and not why_not,
        "why_not_start": why_not,
        "can_verify": executor and status in services.FROM["verify"],
        "can_complete": executor and status in services.FROM["failed"],
        "can_roll_back": policy.can_roll_back(person, change)
        and status in services.FROM["rollback"],
        "submit_form": form("submit", forms.SubmitForm),
        "approve_form": form("approve", forms.ApproveForm),
        "reject_form": form("reject", forms.ReasonForm),
        "start_form": form("start", forms.VersionForm),
        "verify_form": form("verify", forms.VerifyForm),
        "complete_form": form("complete", forms.CompleteForm),
        "rollback_form": form("rollback", forms.RollbackForm),
        "cancel_form": form("cancel", forms.ReasonForm),
        "attachments": attachment_views.card("change", change.pk, reader=person),
    }


def _render(request, change, *, status=200, **forms_in_error):
    return render(
        request,
        "fieldwork/change_page.html",
        _context(request, change, **forms_in_error),
        status=status,
    )


@login_required
def change_page(request, change_id):
    try:
        change = selectors.change_for(request.user, change_id)
    except NotFound:
        return _not_found(request)
    return _render(request, change)


# action → (form, verb, what the page says when done); the form gives the verb's arguments.
ACTIONS = {
    "submit": (forms.SubmitForm, services.submit_change, gettext_lazy("Submitted for approval.")),
    "approve": (
        forms.ApproveForm,
        services.approve_change,
        gettext_lazy("Your approval is recorded."),
    ),
    "reject": (forms.ReasonForm, services.reject_change, gettext_lazy("Change rejected.")),
    "start": (forms.VersionForm, services.start_change, gettext_lazy("Change started.")),
    "verify": (
        forms.VerifyForm,
        services.verify_change,
        gettext_lazy("Execution and verification recorded."),
    ),
    "complete": (
        forms.CompleteForm,
        services.complete_change,
        gettext_lazy("Outcome recorded; the stakeholders are told."),
    ),
    "rollback": (
        forms.RollbackForm,
        services.roll_back_change,
        gettext_lazy("Rollback recorded; the stakeholders are told."),
    ),
    "cancel": (forms.ReasonForm, services.cancel_change, gettext_lazy("Change cancelled.")),
}


@login_required
def change_action(request, change_id, action):
    if request.method != "POST":
        return redirect("fieldwork:change_page", change_id=change_id)
    try:
        change = selectors.change_for(request.user, change_id)
    except NotFound:
        return _not_found(request)
    if action not in ACTIONS:
        return _not_found(request)
    make_form, verb, done = ACTIONS[action]
    form = make_form(request.POST)
    if not form.is_valid():
        exc = ValidationFailed()
        messages.error(request, str(exc.message))
        return _render(request, change, status=422, **{action: form})
    try:
        verb(actor=request.user, change=change, **form.arguments())
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        change = selectors.change_for(request.user, change_id)
        return _render(request, change, status=pagekit.error_status(exc), **{action: form})
    messages.success(request, done)
    return redirect("fieldwork:change_page", change_id=change_id)
