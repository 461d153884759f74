from django.contrib import admin
from django.db import transaction

from caredesk.audit import services as audit

from .models import MaskingLimit


# masks: how long a customer lets one masking rule last is configuration, set here.
@admin.register(MaskingLimit)
class MaskingLimitAdmin(admin.ModelAdmin):
    list_display = ("customer_org", "max_hours", "note")
    search_fields = ("customer_org__name",)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="masking_limit.update" if change else "masking_limit.create",
                obj=obj,
                after={"customer_org": obj.customer_org_id, "max_hours": obj.max_hours},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action="masking_limit.delete",
                obj=obj,
                before={"customer_org": obj.customer_org_id, "max_hours": obj.max_hours},
            )
            super().delete_model(request, obj)
