"""Per-request middleware of the shell: show times in the viewer's own zone, and keep no copy
of a signed-in person's pages in any cache."""

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from caredesk import clock


class PersonTimezoneMiddleware:
    """Times in the viewer's zone (Asia/Shanghai unless they chose another)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz_name = getattr(request.user, "time_zone", None) if hasattr(request, "user") else None
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name)) if tz_name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """A signed-in person's pages carry customers' names and phone numbers: they say
    `Cache-Control: no-store`, so neither the browser nor a proxy keeps them for Back after
    sign-out on a shared computer. (htmx keeps no page copies either: base.html sets
    historyCacheSize 0.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class PermissionsPolicyMiddleware:
    """`Permissions-Policy`: the camera, microphone, location and the like are off for every
    page (Django sends the other security headers itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def start_session_clock(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = clock.now().timestamp()
        request.session[SessionLifetimeMiddleware.KEY] = now
        request.session[SessionLifetimeMiddleware.SEEN] = now


class SessionLifetimeMiddleware:
    """A session ends after SESSION_COOKIE_AGE without a request (idle) and after
    SESSION_MAX_HOURS however busy it is: a browser left signed in on a shared computer in a
    machine room does not stay signed in for days. The idle clock is renewed by saving the
    session at most once a minute, so a busy page costs no session write per request."""

    KEY = "signed_in_at"
    SEEN = "seen_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = clock.now().timestamp()
            started = request.session.get(self.KEY)
            if started is None:
                request.session[self.KEY] = now
            if now - request.session.get(self.SEEN, 0) > 60:
                request.session[self.SEEN] = now  # saved: the cookie's age starts again
            if started is not None and now - started > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(
                        request,
                        _("You were signed out: a session lasts at most %(h)d hours.")
                        % {"h": settings.SESSION_MAX_HOURS},
                    )
                    return redirect_to_login(request.get_full_path())
        return self.get_response(request)
