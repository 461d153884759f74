"""The sign-in lock-out's two hooks into django-axes: whose address a try comes from
(AXES_CLIENT_IP_CALLABLE) and the answer to a locked-out try (AXES_LOCKOUT_CALLABLE) — the
sign-in page again, saying why and until when, for /login/ and /admin/login/ alike."""

import ipaddress

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

from caredesk import clock


def client_address(request) -> str:
    """The address a sign-in comes from. Behind CAREDESK_TRUSTED_PROXIES reverse proxies, each
    appending the address it saw to X-Forwarded-For, it is the one the outermost proxy saw:
    without this every person would share the proxy's address, and guessing a colleague's
    password from anywhere would lock them out. Entries further left are the client's own
    claims and never trusted."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    try:  # axes stores it in an address column (inet on PostgreSQL): garbage would be a 500
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


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
