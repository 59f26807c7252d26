"""Django admin: catalogs and organisation are admin-editable; the audit log is read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from edoc import models

# Django's own titles read "Django administration" (in Vietnamese, "Trang quản trị cho Django").
admin.site.site_header = _("eDoc administration")
admin.site.site_title = _("eDoc administration")
admin.site.index_title = _("Administration")


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "code", "place_name")


@admin.register(models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "parent", "code", "is_active")
    list_filter = ("kind", "is_active", "agency")
    search_fields = ("name", "short_name", "code")
    autocomplete_fields = ("parent",)


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("unit", "role", "position")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("first_name", "last_name", "unit", "role", "position")}),
    )
    list_display = ("username", "full_name", "unit", "role", "position", "is_active")
    list_filter = ("role", "is_active", "unit__kind")
    autocomplete_fields = ("unit",)

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, obj: models.User) -> str:
        return obj.get_full_name()


@admin.register(models.Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("delegator", "delegate", "start_date", "end_date", "revoked_at")


@admin.register(models.DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "abbreviation", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")


@admin.register(models.Urgency, models.Confidentiality)
class RankedCatalogAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level")


@admin.register(models.Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_active")


@admin.register(models.ExternalOrganization)
class ExternalOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "code", "email", "is_active")
    search_fields = ("name", "short_name", "code")


@admin.register(models.RegisterBook)
class RegisterBookAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "kind", "unit", "is_confidential", "last_number", "is_closed")
    list_filter = ("kind", "year", "is_confidential")
    readonly_fields = ("last_number",)


@admin.register(models.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "ip_address",
    )
    list_filter = ("action",)
    search_fields = ("actor_username", "object_id", "object_repr")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.AuditAnchor)
class AuditAnchorAdmin(AuditEntryAdmin):
    """The anchors of the audit chain (read-only; `manage.py verify_audit` checks them)."""

    list_display = ("id", "created_at", "sequence", "entry_id", "proof_kinds")
    list_filter = ()
    search_fields = ("head_hash",)

    @admin.display(description=_("proofs"))
    def proof_kinds(self, obj: models.AuditAnchor) -> str:
        return ", ".join(sorted(obj.proofs))


@admin.register(models.FileText)
class FileTextAdmin(admin.ModelAdmin):
    """The extracted text of each file version (read-only, for operators)."""

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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("document_type", "years", "transfer_after_years", "basis")
    list_editable = ("years", "transfer_after_years")
    search_fields = ("document_type__name", "basis")


@admin.register(models.DestructionRequest)
class DestructionRequestAdmin(admin.ModelAdmin):
    """Read-only: requests move only through the staff pages (approval, execution, audit)."""

    list_display = (
        "__str__",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "executed_at",
    )
    list_filter = ("status",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
