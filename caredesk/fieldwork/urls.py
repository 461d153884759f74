from django.urls import path, re_path

from .views import changes, masks, visits
from .views.changes import ACTIONS as CHANGE_ACTIONS

app_name = "fieldwork"

urlpatterns = [
    path("t/<str:number>/visits/plan/", visits.plan_visit, name="visit_plan"),
    path("visits/<int:visit_id>/", visits.visit_page, name="visit_page"),
    path("visits/<int:visit_id>/<slug:action>/", visits.visit_action, name="visit_action"),
    # ---- change requests ----
    path("changes/", changes.change_list, name="change_list"),
    path("changes/new/", changes.change_new, name="change_new"),
    path("changes/<int:change_id>/", changes.change_page, name="change_page"),
    # Only the workflow's own actions: other paths under a change are free for other pages.
    re_path(
        r"^changes/(?P<change_id>[0-9]+)/(?P<action>{})/$".format("|".join(CHANGE_ACTIONS)),
        changes.change_action,
        name="change_action",
    ),
    # masks
    path("masks/", masks.mask_list, name="masks"),
    path("masks/export.<slug:fmt>", masks.mask_export, name="mask_export"),
    path("masks/upload/", masks.mask_upload, name="mask_upload"),
    path("masks/<int:mask_id>/", masks.mask_page, name="mask_page"),
    path("masks/<int:mask_id>/remove/", masks.mask_remove, name="mask_remove"),
]
