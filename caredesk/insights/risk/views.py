"""The early warning's pages: the at-risk tickets (highest score first, reasons, the
acknowledge form) and the score card on the staff ticket page. Thin: a selector to read, a
verb to act; a refused acknowledgement comes back on the page under its own 4xx status."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caredesk import pagekit
from caredesk.errors import DomainError, NotFound

from . import config, policy, selectors, services


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=services.ACTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _page(request, *, failed=None, form=None, status=200):
    rows = selectors.at_risk(request.user)
    return render(
        request,
        "risk/at_risk.html",
        {
            "rows": rows,
            "threshold": config.threshold(),
            "failed": failed,
            "failed_form": form,
            "suggestion": {r.ticket.pk: services.suggestion(r.ticket) for r in rows if r.above},
        },
        status=status,
    )


@login_required
def risk_page(request):
    if not policy.may_use(request.user):
        return render(request, "web/not_found.html", status=404)
    return _page(request)


@login_required
def alert_acknowledge(request, alert_id):
    if request.method != "POST":
        return redirect("risk:risk")
    try:
        alert = selectors.alert_for(request.user, alert_id)
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return _page(request, failed=alert.pk, form=form, status=422)
    try:
        services.acknowledge(
            actor=request.user,
            alert=alert,
            action_taken=form.cleaned_data["action_taken"],
            version=form.cleaned_data["version"],
        )
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        return _page(request, failed=alert.pk, form=form, status=pagekit.error_status(exc))
    messages.success(request, _("Alert acknowledged."))
    return redirect("risk:risk")


def ticket_card(person, ticket):
    """The ticket page's score card (staff only; None for a customer)."""
    return selectors.card_for(person, ticket)
