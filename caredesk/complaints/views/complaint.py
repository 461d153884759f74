"""The complaint page (投诉详情): the header card, the linked tickets, the complainant's words,
the step list with the current step's action, the timeline; and the POST of each step. Thin:
parse a form, call a verb; a refused verb comes back as a form error on the same page, under
its own 4xx status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caredesk import pagekit
from caredesk.attachments import views as attachment_views
from caredesk.directory import refdata
from caredesk.errors import DomainError, NotFound

from .. import policy, selectors, services
from ..models import Closure, Complaint, CorrectiveAction, Status
from . import forms


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


def current_step(c: Complaint) -> str:
    """The one step whose action the page offers (UI.md: the current step's button only)."""
    if c.status == Status.RECEIVED:
        return "acknowledge"
    if c.status == Status.AWAITING_APPROVAL:
        return "approve"
    if c.status in (Status.CLOSED, Status.WITHDRAWN):
        return "reopen"
    if c.status == Status.RESPONDED:
        last = c.callbacks.filter(after_response=True, reached=True).order_by("-at", "-id").first()
        return "close" if last is not None and last.satisfied else "callback"
    if c.first_callback_at is None:
        return "callback"
    if c.root_cause_id is None:
        return "root_cause"
    if not c.actions.exists():
        return "action"
    if c.response_sent_at is not None:
        return "rejected"  # the complainant did not accept: answer again or close refused
    return "respond"


STEPS = ["acknowledge", "callback", "root_cause", "action", "respond", "result", "end"]


def _context(request, c: Complaint, **in_error) -> dict:
    person = request.user
    staff = policy.sees_internal(person)
    step = current_step(c)
    version = {"version": c.version}
    approver = selectors.approver_for(c) if c.status == Status.AWAITING_APPROVAL else None
    office = refdata.subtree(c.office_id)
    ctx = {
        "c": c,
        "tickets": selectors.tickets_of(c),
        "timeline": list(selectors.timeline_for(person, c)),
        "extensions": list(c.extensions.select_related("asked_by").order_by("asked_at")),
        "callbacks": list(c.callbacks.select_related("by").order_by("at")),
        "actions": list(c.actions.select_related("owner").order_by("due_at")) if staff else [],
        "staff": staff,
        "step": step,
        "can_handle": policy.can_handle(person, c),
        "can_withdraw": c.is_open and policy.can_withdraw(person, c),
        "can_approve": c.status == Status.AWAITING_APPROVAL
        and policy.can_approve(person, c, approver),
        "approver": approver,
        "can_answer": c.status == Status.RESPONDED and policy.can_answer(person, c),
        "page_url": reverse("complaints:complaint_page", args=[c.number]),
        "attachments": attachment_views.card("complaint", c.pk, reader=person),
    }
    ctx.update(
        {
            "ack_form": in_error.get("acknowledge") or forms.VersionForm(initial=version),
            "callback_form": in_error.get("callback") or forms.CallBackForm(initial=version),
            "root_cause_form": in_error.get("root_cause") or forms.RootCauseForm(initial=version),
            "action_form": in_error.get("action") or forms.ActionForm(office_ids=office),
            "verify_form": in_error.get("verify") or forms.VerifyForm(),
            "respond_form": in_error.get("respond")
            or forms.RespondForm(initial={**version, "text": c.response}),
            "approve_form": in_error.get("approve") or forms.VersionForm(initial=version),
            "extend_form": in_error.get("extend") or forms.ExtendForm(initial=version),
            "withdraw_form": in_error.get("withdraw") or forms.WithdrawForm(initial=version),
            "close_form": in_error.get("close")
            or forms.CloseForm(
                initial={
                    **version,
                    "outcome": Closure.REFUSED if step == "rejected" else Closure.CONFIRMED,
                }
            ),
            "reopen_form": in_error.get("reopen") or forms.ReopenForm(initial=version),
            "note_form": in_error.get("note") or forms.NoteForm(),
            "answer_form": in_error.get("answer") or forms.AnswerForm(initial=version),
        }
    )
    return ctx


def _render(request, c: Complaint, *, status=200, **in_error):
    return render(
        request, "complaints/complaint.html", _context(request, c, **in_error), status=status
    )


@login_required
def complaint_page(request, number):
    try:
        c = selectors.complaint_for(request.user, number=number)
    except NotFound:
        return _not_found(request)
    return _render(request, c)


def _version(form) -> int | None:
    return form.cleaned_data.get("version")


# Each action: (form class, the verb call from the cleaned data, the success message).
def _acknowledge(actor, c, d):
    services.acknowledge(actor=actor, complaint=c, version=d.get("version"))
    return _("Acknowledged; the complainant is told who handles it.")


def _callback(actor, c, d):
    services.record_callback(
        actor=actor,
        complaint=c,
        reached=d["reached"],
        satisfied=d.get("satisfied"),
        note=d.get("note", ""),
        version=d.get("version"),
    )
    return _("Call-back recorded.")


def _root_cause(actor, c, d):
    services.record_root_cause(
        actor=actor, complaint=c, cause=d["cause"], note=d["note"], version=d.get("version")
    )
    return _("Root cause recorded.")


def _action(actor, c, d):
    services.add_action(
        actor=actor,
        complaint=c,
        description=d["description"],
        owner=d["owner"],
        due_at=d["due_at"],
    )
    return _("Corrective action added.")


def _respond(actor, c, d):
    c = services.respond(actor=actor, complaint=c, text=d["text"], version=d.get("version"))
    if c.status == Status.AWAITING_APPROVAL:
        return _("The response waits for the handler's manager to approve it.")
    return _("Response sent to the complainant.")


def _approve(actor, c, d):
    services.approve_response(actor=actor, complaint=c, version=d.get("version"))
    return _("Approved; the response is sent to the complainant.")


def _extend(actor, c, d):
    services.extend_deadline(
        actor=actor,
        complaint=c,
        deadline=d["deadline"],
        until=d["until"],
        reason=d["reason"],
        version=d.get("version"),
    )
    return _("Deadline extended; the complainant is told why.")


def _withdraw(actor, c, d):
    services.withdraw(
        actor=actor,
        complaint=c,
        note=d["note"],
        withdrawn_name=d.get("withdrawn_name", ""),
        version=d.get("version"),
    )
    return _("Withdrawal recorded.")


def _close(actor, c, d):
    services.close(
        actor=actor,
        complaint=c,
        outcome=d["outcome"],
        note=d.get("note", ""),
        recourse=d.get("recourse", ""),
        version=d.get("version"),
    )
    return _("Complaint closed.")


def _reopen(actor, c, d):
    services.reopen(actor=actor, complaint=c, reason=d["reason"], version=d.get("version"))
    return _("Complaint reopened.")


def _note(actor, c, d):
    services.add_note(actor=actor, complaint=c, body=d["body"])
    return _("Note added (internal).")


def _answer(actor, c, d):
    services.answer_response(
        actor=actor,
        complaint=c,
        accepted=d["accepted"],
        comment=d.get("comment", ""),
        version=d.get("version"),
    )
    if d["accepted"]:
        return _("Thank you: the complaint is closed.")
    return _("Thank you: your complaint goes back to its handler, who will contact you.")


def _take_step(request, c: Complaint, form, verb, form_name: str, *, refetch: bool = True):
    """A step form's POST: a valid form calls its verb; a refusal lands on the form (its status
    from the error); success redirects to the page with the verb's message."""
    status = 422
    if form.is_valid():
        try:
            said = verb(request.user, c, form.cleaned_data)
        except DomainError as exc:
            pagekit.add_errors(request, form, exc)
            status = pagekit.error_status(exc)
        else:
            messages.success(request, said)
            return redirect("complaints:complaint_page", number=c.number)
    if refetch:
        c = Complaint.objects.select_related(*selectors.RELATED).get(pk=c.pk)
    return _render(request, c, status=status, **{form_name: form})


ACTIONS = {
    "acknowledge": (forms.VersionForm, _acknowledge),
    "callback": (forms.CallBackForm, _callback),
    "root_cause": (forms.RootCauseForm, _root_cause),
    "action": (forms.ActionForm, _action),
    "respond": (forms.RespondForm, _respond),
    "approve": (forms.VersionForm, _approve),
    "extend": (forms.ExtendForm, _extend),
    "withdraw": (forms.WithdrawForm, _withdraw),
    "close": (forms.CloseForm, _close),
    "reopen": (forms.ReopenForm, _reopen),
    "note": (forms.NoteForm, _note),
}


@login_required
@require_POST
def complaint_action(request, number, action):
    """One step's POST. Customers have no step forms (404); staff who may not take the step
    see the refusal on the page (403)."""
    try:
        c = selectors.complaint_for(request.user, number=number)
    except NotFound:
        return _not_found(request)
    if request.user.is_customer or action not in ACTIONS:
        return _not_found(request)
    form_class, verb = ACTIONS[action]
    kwargs = {"office_ids": refdata.subtree(c.office_id)} if action == "action" else {}
    return _take_step(request, c, form_class(request.POST, **kwargs), verb, action)


@login_required
@require_POST
def verify_action(request, number, action_id):
    try:
        c = selectors.complaint_for(request.user, number=number)
    except NotFound:
        return _not_found(request)
    action = CorrectiveAction.objects.filter(pk=action_id, complaint=c).first()
    if request.user.is_customer or action is None:
        return _not_found(request)

    def verify(actor, _c, d):
        services.verify_action(actor=actor, action=action, **d)
        return _("Corrective action verified.")

    return _take_step(request, c, forms.VerifyForm(request.POST), verify, "verify", refetch=False)


@login_required
@require_POST
def answer_response(request, number):
    """The complainant's own answer to the response (the only step a customer takes here)."""
    try:
        c = selectors.complaint_for(request.user, number=number)
    except NotFound:
        return _not_found(request)
    return _take_step(request, c, forms.AnswerForm(request.POST), _answer, "answer")
