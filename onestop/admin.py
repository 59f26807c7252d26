"""Admin: the procedure catalogue (with its papers) is edited here; dossiers are read-only
(they change only through the services, which keep their history and audit entries)."""

from django.contrib import admin

from onestop.models import Dossier, DossierEvent, Procedure, ProcedurePaper


class ProcedurePaperInline(admin.TabularInline):
    model = ProcedurePaper
    extra = 1
    fields = ("order", "name", "mandatory", "extensions", "max_size_mb")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "online_level",
        "processing_days",
        "fee",
        "handling_unit",
        "active",
    )
    list_filter = ("active", "online_level", "field", "handling_unit")
    search_fields = ("code", "name")
    autocomplete_fields = ()
    inlines = [ProcedurePaperInline]


class DossierEventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_status", "to_status", "actor", "public_message", "internal_note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ("code", "procedure", "applicant_name", "channel", "status", "due_at")
    list_filter = ("status", "channel", "procedure")
    search_fields = ("code", "applicant_name", "applicant_phone")
    inlines = [DossierEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
