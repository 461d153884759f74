"""The taxonomy and the deadline settings are reference data an admin extends here (new
categories and sub-categories, deadlines per severity). Complaints themselves change only
through the verbs: read-only here."""

from django.contrib import admin

from .models import Category, DeadlinePolicy


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "parent", "order", "active")
    list_filter = ("active", "parent")
    search_fields = ("code", "name", "name_en")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = (
        "severity",
        "calendar",
        "acknowledge_minutes",
        "callback_minutes",
        "resolve_minutes",
    )
