from django.urls import path

from . import import_views, views

app_name = "runtime"
urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/<int:run_id>/", import_views.import_run, name="import_run"),
    path("imports/<int:run_id>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:run_id>/run/", import_views.import_confirm, name="import_confirm"),
]
