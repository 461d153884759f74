from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from caredesk.audit import services as audit

from .models import Organisation, Person, Product, Region, Responsibility, Team

# django-otp's own admin page for devices would show every secret (and its QR code) and change
# devices past the audit: authenticators change only through caredesk/directory/totp.py (the
# Two-step verification page, `manage.py totp_reset`).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class AuditedAdmin(admin.ModelAdmin):
    """Reference data edited in the admin is audited like any other change."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = {k: v for k, v in model_to_dict(obj).items() if k != "password"}
            name = type(obj).__name__.lower()
            audit.record(
                actor=request.user,
                action=f"{name}.{'update' if change else 'create'}",
                obj=obj,
                after={k: str(v) for k, v in after.items()},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(actor=request.user, action=f"{type(obj).__name__.lower()}.delete", obj=obj)
            super().delete_model(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Person)
class PersonAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "phone", "is_active")
    list_filter = ("role", "organisation", "is_active")
    search_fields = ("username", "display_name", "phone", "email")
    fieldsets = UserAdmin.fieldsets + (
        (
            _("CareDesk"),
            {"fields": ("organisation", "role", "display_name", "phone", "language", "time_zone")},
        ),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        (_("CareDesk"), {"fields": ("organisation", "role", "display_name", "phone")}),
    )


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en")


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "office", "service_manager")


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "office")
    filter_horizontal = ("members",)


@admin.register(Responsibility)
class ResponsibilityAdmin(AuditedAdmin):
    list_display = ("product", "region", "primary", "backup", "team")
    list_filter = ("product", "region")
