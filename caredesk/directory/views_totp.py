"""The Two-step verification page, one's own (like the API tokens page): set up an
authenticator app from a QR code drawn here (no outside service: intranets have no internet) or
its secret in text, confirm it with a code, get recovery codes once, make new ones, turn it
off. Administrators also see who has one and reset a lost phone. The rules are in totp.py.

(A view module beside views.py, so the floors contract does not see it as a face: it takes the
client's address from django-axes, which asks caredesk.web.lockout, rather than importing web.)"""

import base64

import qrcode
from axes.helpers import get_client_ip_address
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from qrcode.image.svg import SvgPathFillImage

from caredesk import pagekit
from caredesk.errors import DomainError, NotFound

from . import policy, totp
from .models import Person


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as an SVG data: address (an <img>, so no markup of it reaches the
    page; the CSP allows data: images)."""
    svg = qrcode.make(text, image_factory=SvgPathFillImage, box_size=10, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


def _page(request, *, form=None, new_codes=None, status=200, open_form=""):
    person = request.user
    state = totp.second_factor_of(person)
    setup = None
    if state.pending is not None:
        setup = {
            "qr": qr_data_uri(totp.provisioning_uri(state.pending)),
            "secret": totp.secret_text(state.pending),
        }
    context = {
        "state": state,
        "setup": setup,
        "form": form or CodeForm(),
        "open_form": open_form,
        "new_codes": new_codes,
        "is_admin": policy.can_write_reference_data(person),
        "people": list(totp.people_with_second_factor(person)[:500]),
    }
    return render(request, "directory/two_step.html", context, status=status)


def _staff(view):
    """Customer contacts have no two-step page: it does not exist for them."""

    def wrapped(request, *args, **kwargs):
        if not policy.may_use_second_factor(request.user):
            return _not_found(request)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


@_staff
def two_step(request):
    return _page(request)


@_staff
@require_POST
def two_step_setup(request):
    try:
        totp.start_setup(actor=request.user, person=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _page(request, status=pagekit.error_status(exc))
    return redirect("directory:two_step")


@_staff
@require_POST
def two_step_confirm(request):
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=422, open_form="confirm")
    try:
        codes = totp.confirm_setup(
            actor=request.user, person=request.user, code=form.cleaned_data["code"]
        )
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        return _page(request, form=form, status=pagekit.error_status(exc), open_form="confirm")
    messages.success(request, _("Two-step verification is on: sign-in asks for a code now."))
    return _page(request, new_codes=codes)


def _with_code(request, action: str, verb):
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=422, open_form=action), None
    try:
        done = verb(
            actor=request.user,
            person=request.user,
            code=form.cleaned_data["code"],
            address=get_client_ip_address(request) or "",
        )
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        return _page(request, form=form, status=pagekit.error_status(exc), open_form=action), None
    return None, done


@_staff
@require_POST
def two_step_recovery_codes(request):
    refused, codes = _with_code(request, "recovery_codes", totp.new_recovery_codes)
    if refused:
        return refused
    messages.success(request, _("New recovery codes made; the old ones no longer work."))
    return _page(request, new_codes=codes)


@_staff
@require_POST
def two_step_turn_off(request):
    refused, _done = _with_code(request, "turn_off", totp.turn_off)
    if refused:
        return refused
    messages.success(
        request, _("Two-step verification is off: sign-in asks for the password only.")
    )
    return redirect("directory:two_step")


@login_required
@require_POST
def two_step_reset(request, person_id: int):
    """An administrator removes someone's authenticator (a lost phone)."""
    if not policy.can_write_reference_data(request.user):
        return _not_found(request)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return _not_found(request)
    try:
        totp.reset(actor=request.user, person=person)
    except NotFound:
        return _not_found(request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _page(request, status=pagekit.error_status(exc))
    messages.success(
        request,
        _("Two-step verification of %(name)s removed: they sign in with the password only.")
        % {"name": person.name},
    )
    return redirect("directory:two_step")
