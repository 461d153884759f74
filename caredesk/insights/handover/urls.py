from django.urls import path

from . import views

app_name = "handover"

urlpatterns = [
    path("handover/", views.handover_page, name="report"),
    path("handover/print/", views.handover_print, name="print"),
    path("handover/schedules/", views.schedules_page, name="schedules"),
    path("handover/notices/<int:notice_id>/", views.notice_page, name="notice"),
    path(
        "handover/notices/<int:notice_id>/acknowledge/",
        views.notice_acknowledge,
        name="notice_acknowledge",
    ),
]
