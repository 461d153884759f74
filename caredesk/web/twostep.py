"""The second step of signing in — the code from an authenticator app, or a recovery code — for
people who set one up; and the rule that keeps an administrator without one on the set-up page
when CAREDESK_TOTP_REQUIRED_FOR_ADMINS says so. The rules themselves are in
caredesk/directory/totp.py.

Between the two steps nobody is signed in: the session holds only whose password was right,
and when. So no page, no API call with the session cookie and no Django admin page (its sign-in
is this one, see caredesk/urls.py) opens on the password alone.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caredesk import clock, pagekit
from caredesk.apikit import error_body
from caredesk.directory import totp
from caredesk.directory.models import Person
from caredesk.errors import DomainError

from .lockout import client_address

PENDING = "signin_pending"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def remember_language(response, person: Person):
    """Each person reads CareDesk in the language they chose last."""
    response.set_cookie("django_language", person.language, samesite="Lax", max_age=365 * 86400)
    return response


def begin(request, person: Person, redirect_to: str) -> HttpResponseRedirect:
    """The password was right: remember whose (and the password's own fingerprint, so a
    password changed meanwhile ends it), then ask for the code."""
    request.session[PENDING] = {
        "person": person.pk,
        "backend": person.backend,
        "at": clock.now().timestamp(),
        "hash": person.get_session_auth_hash(),
        "next": redirect_to,
    }
    return redirect("web:login_code")


def _pending(request) -> tuple[Person, dict] | None:
    data = request.session.get(PENDING)
    if not data:
        return None
    person = Person.objects.filter(pk=data["person"], is_active=True).first()
    fresh = clock.now().timestamp() - data["at"] <= settings.TOTP_PENDING_MINUTES * 60
    if (
        person is None
        or not fresh
        or not constant_time_compare(person.get_session_auth_hash(), data["hash"])
    ):
        request.session.pop(PENDING, None)
        return None
    return person, data


def login_code(request):
    """The code step of signing in. Without a password step just done (or after
    CAREDESK_TOTP_PENDING_MINUTES) it sends back to the sign-in page."""
    if request.user.is_authenticated:
        return redirect("web:home")
    found = _pending(request)
    if found is None:
        if request.method == "POST":
            messages.info(request, _("Sign in again: the code was not given in time."))
        return redirect("web:login")
    person, data = found
    form = CodeForm(request.POST or None)
    status = 200
    locked = totp.second_factor_of(person).locked_until
    if locked is None and request.method == "POST":
        if not form.is_valid():
            status = 422
        else:
            try:
                method = totp.check_code(
                    person=person, code=form.cleaned_data["code"], address=client_address(request)
                )
            except totp.CodeStepLocked as exc:
                locked = exc.until
            except totp.WrongCode as exc:
                pagekit.add_field_errors(form, exc)
                status = 422
            except DomainError:
                # The authenticator was removed meanwhile (a reset): start again.
                request.session.pop(PENDING, None)
                return redirect("web:login")
            else:
                return _signed_in(request, person, data, method)
    if locked is not None:
        # Back to the password after the wait: the pending sign-in is over.
        request.session.pop(PENDING, None)
        status = 429
    context = {"form": form, "locked_until": locked, "username": person.username}
    return render(request, "web/login_code.html", context, status=status)


def _signed_in(request, person: Person, data: dict, method: str):
    request.session.pop(PENDING, None)
    login(request, person, backend=data["backend"])
    if method == "recovery_code":
        left = totp.second_factor_of(person).recovery_codes_left
        messages.info(
            request,
            _(
                "You signed in with a recovery code; %(n)d left. If your phone is lost, turn "
                "two-step verification off and set it up again on the new one."
            )
            % {"n": left},
        )
    return remember_language(HttpResponseRedirect(data["next"]), person)


class EnrolmentRequiredMiddleware:
    """With CAREDESK_TOTP_REQUIRED_FOR_ADMINS, an administrator signed in without an
    authenticator (just after the setting was turned on, or after a reset) reaches only the
    two-step set-up pages, sign-out and the language switch: every other page sends them to
    the set-up, and the API refuses their session cookie (403). API tokens are their own
    credential and keep working."""

    OPEN = frozenset(
        {
            "directory:two_step",
            "directory:two_step_setup",
            "directory:two_step_confirm",
            "web:logout",
            "web:set_language",
            "web:healthz",
            "runtime:readyz",
            "runtime:metrics",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not settings.TOTP_REQUIRED_FOR_ADMINS or user is None or not user.is_authenticated:
            return None
        if request.resolver_match.view_name in self.OPEN or not totp.must_set_up(user):
            return None
        if request.path.startswith("/api/"):
            if "HTTP_AUTHORIZATION" in request.META:
                # A token call: the token decides. The session must not stand in for a
                # token that fails.
                request.user = AnonymousUser()
                return None
            body = error_body(
                "two_step_required",
                _("Set up two-step verification first (Two-step verification page)."),
            )
            return JsonResponse(body, status=403, json_dumps_params={"ensure_ascii": False})
        return redirect("directory:two_step")
