from django.contrib import admin
from django.db import transaction

from caredesk.audit import services as audit

from .models import Endpoint, Message


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """Robots and gateways are configuration: administrators add and edit them here."""

    list_display = ("name", "kind", "organisation", "rate_per_minute", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        # Endpoints are edited here, but like every change they leave an audit record
        # (the secret itself never enters the audit chain).
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="endpoint.update" if change else "endpoint.create",
                obj=obj,
                after={
                    "name": obj.name,
                    "kind": obj.kind,
                    "organisation": obj.organisation_id,
                    "url": obj.url.split("?")[0],
                    "secret_set": bool(obj.secret),
                    "rate_per_minute": obj.rate_per_minute,
                    "active": obj.active,
                },
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(actor=request.user, action="endpoint.delete", obj=obj)
            super().delete_model(request, obj)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: the dead-letter page is where failed messages are inspected and retried."""

    list_display = ("id", "template", "channel", "recipient", "state", "attempt", "created_at")
    list_filter = ("state", "channel")
    search_fields = ("topic", "idempotency_key", "address")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
