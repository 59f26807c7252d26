"""Admin: extraction results and the external-index queue, read-only (for operators)."""

from __future__ import annotations

from django.contrib import admin

from .models import FileText, IndexQueueEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FileText)
class FileTextAdmin(ReadOnlyAdmin):
    list_display = (
        "file",
        "state",
        "pages",
        "ocr_pages",
        "text_seconds",
        "ocr_seconds",
        "updated_at",
    )
    list_filter = ("state",)
    search_fields = ("file__original_name", "error")
    raw_id_fields = ("file",)


@admin.register(IndexQueueEntry)
class IndexQueueEntryAdmin(ReadOnlyAdmin):
    list_display = ("document_id", "op", "attempts", "created_at", "last_error")
    list_filter = ("op",)
