from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView

from caredesk.api import api
from caredesk.web.views import LoginView


def openapi_document(request):
    """The OpenAPI document also at /api/openapi.json, beside /api/v1/openapi.json."""
    return JsonResponse(api.get_openapi_schema(path_prefix="/api/v1/"))


urlpatterns = [
    path("api/openapi.json", openapi_document, name="openapi"),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("api/v1/", api.urls),
    # The Django admin signs in through CareDesk's own page: the same lock-out and the same
    # code step, so the admin is no way round either.
    path("admin/login/", LoginView.as_view()),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("directory/", include("caredesk.directory.urls")),
    path("", include("caredesk.web.urls")),
    path("", include("caredesk.runtime.urls")),
    path("", include("caredesk.tickets.urls")),
    path("", include("caredesk.escalation.urls")),
    path("", include("caredesk.stakeholders.urls")),
    path("", include("caredesk.notify.urls")),
    path("", include("caredesk.fieldwork.urls")),
    path("", include("caredesk.insights.handover.urls")),  # handover
    path("", include("caredesk.complaints.urls")),
    path("", include("caredesk.satisfaction.urls")),
    path("", include("caredesk.insights.cases.urls")),  # learning cases
    path("", include("caredesk.insights.analytics.urls")),
    path("", include("caredesk.insights.risk.urls")),  # early warning
    path("", include("caredesk.attachments.urls")),
]
