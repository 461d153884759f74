from django.urls import path

from .views import visits

app_name = "fieldwork"

urlpatterns = [
    path("t/<str:number>/visits/plan/", visits.plan_visit, name="visit_plan"),
    path("visits/<int:visit_id>/", visits.visit_page, name="visit_page"),
    path("visits/<int:visit_id>/<slug:action>/", visits.visit_action, name="visit_action"),
]
