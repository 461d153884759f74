from django.urls import path

from .views import masks, visits

app_name = "fieldwork"

urlpatterns = [
    path("t/<str:number>/visits/plan/", visits.plan_visit, name="visit_plan"),
    path("visits/<int:visit_id>/", visits.visit_page, name="visit_page"),
    path("visits/<int:visit_id>/<slug:action>/", visits.visit_action, name="visit_action"),
    # masks
    path("masks/", masks.mask_list, name="masks"),
    path("masks/upload/", masks.mask_upload, name="mask_upload"),
    path("masks/<int:mask_id>/", masks.mask_page, name="mask_page"),
    path("masks/<int:mask_id>/remove/", masks.mask_remove, name="mask_remove"),
]
