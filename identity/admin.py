"""Admin: API tokens and remembered devices (read-only; an administrator may revoke)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edoc.services.audit import audit_record
from identity.models import ApiToken, RememberedDevice


class _RevocableAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username",)
    actions = ["revoke"]
    audit_action = ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected items"))
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        now = timezone.now()
        for item in queryset.filter(revoked_at__isnull=True):
            item.revoked_at = now
            item.save(update_fields=["revoked_at"])
            audit_record(
                actor=request.user,
                action=self.audit_action,
                target=item,
                details={"by_admin": True, "owner": item.user.username},
            )
        messages.success(request, _("Revoked."))


@admin.register(ApiToken)
class ApiTokenAdmin(_RevocableAdmin):
    list_display = ("name", "prefix", *_RevocableAdmin.list_display)
    exclude = ("key_hash",)
    audit_action = "identity.api_token_revoked"


@admin.register(RememberedDevice)
class RememberedDeviceAdmin(_RevocableAdmin):
    list_display = ("user_agent", "ip_address", *_RevocableAdmin.list_display)
    exclude = ("secret_hash",)
    audit_action = "identity.device_forgotten"
