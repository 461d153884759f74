from django.urls import path

from .views import complaint, hotline, queue

app_name = "complaints"

urlpatterns = [
    path("complaints/", queue.complaint_queue, name="complaint_queue"),
    path("complaints/export.<slug:fmt>", queue.complaint_export, name="complaint_export"),
    path("complaints/new/", hotline.register, name="complaint_new"),
    path("complaints/people/<int:person_id>/", queue.complaint_history, name="complaint_history"),
    path("complaints/<str:number>/", complaint.complaint_page, name="complaint_page"),
    path(
        "complaints/<str:number>/actions/<int:action_id>/verify/",
        complaint.verify_action,
        name="complaint_verify",
    ),
    path("complaints/<str:number>/answer/", complaint.answer_response, name="complaint_answer"),
    path(
        "complaints/<str:number>/<slug:action>/",
        complaint.complaint_action,
        name="complaint_action",
    ),
]
