from django.urls import path

from . import views

app_name = "stakeholders"

urlpatterns = [
    path("customers/", views.customers, name="customers"),
    path("customers/<int:org_id>/stakeholders/", views.stakeholder_map, name="stakeholders"),
    path("customers/<int:org_id>/stakeholders/add/", views.stakeholder_add, name="stakeholder_add"),
    path("stakeholders/<int:entry_id>/edit/", views.stakeholder_edit, name="stakeholder_edit"),
    path(
        "stakeholders/<int:entry_id>/remove/", views.stakeholder_remove, name="stakeholder_remove"
    ),
]
