from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("roles/", views.role_assignments, name="role_assignments"),
    path("roles/add/", views.add_assignment, name="add_assignment"),
    path("roles/<int:assignment_id>/remove/", views.remove_assignment, name="remove_assignment"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_api_token, name="revoke_api_token"),
]
