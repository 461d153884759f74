from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("notify/dead/", views.dead_letters, name="notify_dead"),
    path("notify/dead/retry/", views.retry_selected, name="notify_retry_selected"),
    path("notify/messages/<int:message_id>/", views.message_detail, name="notify_message"),
    path("notify/messages/<int:message_id>/retry/", views.retry, name="notify_retry"),
]
