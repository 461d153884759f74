from django.urls import path

from . import views

app_name = "handover"

urlpatterns = [
    path("handover/", views.handover_page, name="handover"),
    path("handover/print/", views.handover_print, name="handover_print"),
    path("handover/schedules/", views.schedules_page, name="handover_schedules"),
    path("handover/notices/<int:notice_id>/", views.notice_page, name="handover_notice"),
    path(
        "handover/notices/<int:notice_id>/acknowledge/",
        views.notice_acknowledge,
        name="handover_notice_acknowledge",
    ),
]
