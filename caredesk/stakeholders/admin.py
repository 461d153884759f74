from django.contrib import admin

from .models import Stakeholder


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    """Read-only here: maps change on the stakeholder page and the API, which audit each edit."""

    list_display = ("organisation", "person", "channel", "include_branches")
    list_filter = ("channel", "organisation")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
