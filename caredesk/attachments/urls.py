from django.urls import path

from . import views

app_name = "attachments"

urlpatterns = [
    path("files/<slug:owner_kind>/<int:owner_id>/upload/", views.upload, name="upload"),
    path("files/<int:attachment_id>/", views.download, name="download"),
    path("files/<int:attachment_id>/preview/", views.preview, name="preview"),
]
