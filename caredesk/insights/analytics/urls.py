from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("analytics/", views.dashboard, name="analytics_dashboard"),
    path("analytics/<slug:key>.xlsx", views.download, name="analytics_download"),
]
