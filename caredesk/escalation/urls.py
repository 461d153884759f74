from django.urls import path

from . import views

app_name = "escalation"

urlpatterns = [
    path("oncall/", views.oncall, name="oncall"),
    path("oncall/overrides/", views.add_override, name="add_override"),
    path(
        "oncall/overrides/<int:override_id>/remove/", views.remove_override, name="remove_override"
    ),
    path("oncall/rotations/<int:rotation_id>/", views.edit_rotation, name="edit_rotation"),
]
