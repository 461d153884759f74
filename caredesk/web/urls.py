from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_oncall

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("lang/", views.set_language, name="set_language"),
    path("queue/", views.queue, name="queue"),
    path("tickets/new/", views.record_call, name="record_call"),
    path("t/<str:number>/", views.ticket_page, name="ticket"),
    path("t/<str:number>/<slug:action>/", views.ticket_action, name="ticket_action"),
    path("handoffs/<int:handoff_id>/<slug:action>/", views.handoff_action, name="handoff_action"),
    path("oncall/", views_oncall.oncall, name="oncall"),
    path("oncall/overrides/", views_oncall.add_override, name="add_override"),
    path(
        "oncall/overrides/<int:override_id>/remove/",
        views_oncall.remove_override,
        name="remove_override",
    ),
    path("oncall/rotations/<int:rotation_id>/", views_oncall.edit_rotation, name="edit_rotation"),
    path("portal/", views.portal, name="portal"),
    path("portal/new/", views.portal_new, name="portal_new"),
]
