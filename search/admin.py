"""Admin: the external-index queue, read-only (for operators). Extracted texts: edoc's admin."""

from __future__ import annotations

from django.contrib import admin

from .models import IndexQueueEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IndexQueueEntry)
class IndexQueueEntryAdmin(ReadOnlyAdmin):
    list_display = ("document_id", "op", "attempts", "created_at", "last_error")
    list_filter = ("op",)
