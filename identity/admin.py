"""Admin: API tokens and remembered devices (read-only; an administrator may revoke), and on
the users' list the action that resets a lost second factor. django-otp's own device pages
are not shown (their keys, step counters and English labels are no business of the admin)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from edoc.models import User
from edoc.services.audit import audit_record
from identity.models import ApiToken, RememberedDevice
from identity.services.twofactor import twofactor_disable

for _otp_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_otp_model):
        admin.site.unregister(_otp_model)


@admin.action(description=_("Reset two-step verification (lost phone and recovery codes)"))
def reset_second_factor(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
    """The users enrol again at their next page (policy) or may sign in with the password."""
    for user in queryset:
        twofactor_disable(user=user, actor=request.user)
    messages.success(request, _("Two-step verification was reset."))


if admin.site.is_registered(User):
    _user_admin = admin.site.get_model_admin(User)
    _user_admin.actions = [*(_user_admin.actions or []), reset_second_factor]


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
