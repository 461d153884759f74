from django.urls import path

from . import views, views_totp

app_name = "directory"

urlpatterns = [
    path("roles/", views.role_assignments, name="role_assignments"),
    path("roles/add/", views.add_assignment, name="add_assignment"),
    path("roles/<int:assignment_id>/remove/", views.remove_assignment, name="remove_assignment"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_api_token, name="revoke_api_token"),
    path("two-step/", views_totp.two_step, name="two_step"),
    path("two-step/setup/", views_totp.two_step_setup, name="two_step_setup"),
    path("two-step/confirm/", views_totp.two_step_confirm, name="two_step_confirm"),
    path(
        "two-step/recovery-codes/",
        views_totp.two_step_recovery_codes,
        name="two_step_recovery_codes",
    ),
    path("two-step/turn-off/", views_totp.two_step_turn_off, name="two_step_turn_off"),
    path("two-step/reset/<int:person_id>/", views_totp.two_step_reset, name="two_step_reset"),
]
