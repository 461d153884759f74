from django.urls import path

from . import views, views_notify, views_oncall, views_queue, views_stakeholders

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("lang/", views.set_language, name="set_language"),
    path("queue/", views_queue.queue, name="queue"),
    path("tickets/new/", views.record_call, name="record_call"),
    path("t/<str:number>/", views.ticket_page, name="ticket"),
    path("t/<str:number>/handoff-form/", views.handoff_form, name="handoff_form"),
    path("t/<str:number>/<slug:action>/", views.ticket_action, name="ticket_action"),
    path("handoffs/<int:handoff_id>/<slug:action>/", views.handoff_action, name="handoff_action"),
    path("oncall/", views_oncall.oncall, name="oncall"),
    path("oncall/overrides/", views_oncall.add_override, name="add_override"),
    path(
        "oncall/overrides/<int:override_id>/remove/",
        views_oncall.remove_override,
        name="remove_override",
    ),
    path("oncall/rotations/<int:rotation_id>/", views_oncall.edit_rotation, name="edit_rotation"),
    path("portal/", views.portal, name="portal"),
    path("portal/new/", views.portal_new, name="portal_new"),
    path("notify/dead/", views_notify.dead_letters, name="notify_dead"),
    path("notify/dead/retry/", views_notify.retry_selected, name="notify_retry_selected"),
    path("notify/messages/<int:message_id>/", views_notify.message_detail, name="notify_message"),
    path("notify/messages/<int:message_id>/retry/", views_notify.retry, name="notify_retry"),
    path("customers/", views_stakeholders.customers, name="customers"),
    path(
        "customers/<int:org_id>/stakeholders/",
        views_stakeholders.stakeholder_map,
        name="stakeholders",
    ),
    path(
        "customers/<int:org_id>/stakeholders/add/",
        views_stakeholders.stakeholder_add,
        name="stakeholder_add",
    ),
    path(
        "stakeholders/<int:entry_id>/edit/",
        views_stakeholders.stakeholder_edit,
        name="stakeholder_edit",
    ),
    path(
        "stakeholders/<int:entry_id>/remove/",
        views_stakeholders.stakeholder_remove,
        name="stakeholder_remove",
    ),
]
