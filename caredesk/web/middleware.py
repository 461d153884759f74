"""Per-request middleware of the shell: show times in the viewer's own zone, and keep no copy
of a signed-in person's pages in any cache."""

import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.cache import add_never_cache_headers


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
