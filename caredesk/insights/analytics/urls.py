from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("analytics/", views.dashboard, name="analytics_dashboard"),
    path("analytics/<slug:key>.xlsx", views.download, name="analytics_download"),
    path("analytics/reports/", views.report_runs, name="analytics_reports"),
    path("analytics/reports/<int:run_id>/", views.report_run, name="analytics_report"),
    path(
        "analytics/reports/<int:run_id>/progress/",
        views.report_progress,
        name="analytics_report_progress",
    ),
    path(
        "analytics/reports/<int:run_id>/<slug:kind>/",
        views.report_file,
        name="analytics_report_file",
    ),
]
