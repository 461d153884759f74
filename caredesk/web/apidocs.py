"""The API's documentation page, /api/v1/docs: Swagger UI from static/vendor/swagger-ui.

Ninja's default page loads Swagger UI from a CDN, and an operator's intranet often has no
internet: the page was blank there. This one is served like htmx and Bootstrap."""

import json

from django.shortcuts import render
from ninja.openapi.docs import Swagger


class OfflineSwagger(Swagger):
    template = "web/api_docs.html"

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        auth = api.auth if isinstance(api.auth, list | tuple) else []
        context = {
            "api": api,
            "swagger_settings": json.dumps(settings),
            # "Try it out" with the browser's session needs the CSRF token on unsafe methods.
            "add_csrf": any(getattr(a, "csrf", False) for a in auth),
        }
        return render(request, self.template, context)
