from django.contrib import admin

from onestop.portal.models import NotificationAttempt


@admin.register(NotificationAttempt)
class NotificationAttemptAdmin(admin.ModelAdmin):
    """Read-only delivery log of the citizens' e-mail and SMS notifications."""

    list_display = ("at", "dossier", "channel", "recipient", "attempt", "ok", "error")
    list_filter = ("channel", "ok")
    search_fields = ("dossier__code",)
    readonly_fields = [field.name for field in NotificationAttempt._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
