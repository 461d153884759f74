from django.urls import path

from .views import public, staff

app_name = "satisfaction"

urlpatterns = [
    # The public page of a survey link: no sign-in, the token is the credential.
    path("s/<str:token>/", public.survey_page, name="survey_page"),
    path("surveys/", staff.surveys, name="surveys"),
    path("surveys/export.<slug:fmt>", staff.survey_export, name="survey_export"),
    path("surveys/follow-ups/", staff.follow_ups, name="survey_follow_ups"),
    path(
        "surveys/follow-ups/<int:follow_up_id>/<slug:action>/",
        staff.follow_up_action,
        name="survey_follow_up_action",
    ),
]
