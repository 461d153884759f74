from django.urls import path

from .views import export, portal, queue, ticket

app_name = "tickets"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("queue/export.<slug:fmt>", export.queue_export, name="queue_export"),
    path("portal/export.<slug:fmt>", export.portal_export, name="portal_export"),
    path("tickets/new/", ticket.record_call, name="record_call"),
    path("t/<str:number>/", ticket.ticket_page, name="ticket"),
    path("t/<str:number>/handoff-form/", ticket.handoff_form, name="handoff_form"),
    path("t/<str:number>/<slug:action>/", ticket.ticket_action, name="ticket_action"),
    path("handoffs/<int:handoff_id>/<slug:action>/", ticket.handoff_action, name="handoff_action"),
    path("portal/", portal.portal, name="portal"),
    path("portal/new/", portal.portal_new, name="portal_new"),
]
