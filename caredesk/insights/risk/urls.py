from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("risk/", views.risk_page, name="risk"),
    path(
        "risk/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="risk_alert_acknowledge",
    ),
]
