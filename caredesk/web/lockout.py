"""The answer to a locked-out sign-in (django-axes' AXES_LOCKOUT_CALLABLE): the sign-in page
again, saying why and until when, in the reader's language — for /login/ and /admin/login/."""

from axes.helpers import get_client_username, get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

from caredesk import clock


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    username = get_client_username(request, credentials) or ""
    lockout = {
        "username": username,
        "minutes": max(1, round(cool_off.total_seconds() / 60)),
        # Every refused try restarts the wait, so it ends one cool-off from now.
        "until": clock.now() + cool_off,
    }
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "lockout": lockout,
    }
    return render(request, "web/login.html", context, status=429)
