from django.contrib import admin

from .models import InboundMail, MailAttachment, Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("name", "host", "username", "folder", "active", "last_polled_at")
    readonly_fields = ("uidvalidity", "last_uid", "last_polled_at", "last_error")


class AttachmentInline(admin.TabularInline):
    model = MailAttachment
    extra = 0
    readonly_fields = ("file", "filename", "content_type", "size")


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """Read-only record of every mail received; the quarantine is the "quarantined" filter."""

    list_display = ("received_at", "from_address", "subject", "outcome", "reason", "ticket")
    list_filter = ("outcome", "mailbox")
    search_fields = ("from_address", "subject", "message_id")
    inlines = [AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
