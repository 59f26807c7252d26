"""Administrators register the OpenID Connect provider's client applications in /admin/:
DOT's Application (name, redirect URIs, confidential or public, skip_authorization for the
agency's own apps) with the scopes each may request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.admin import ApplicationAdmin
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from edoc.models import User
from edoc.services.audit import audit_record
from identity.models import (
    ApiToken,
    ClientApplication,
    ClientPolicy,
    ExternalAccount,
    RememberedDevice,
    SignInProfile,
    UserSession,
)
from identity.models.oidc import DEFAULT_ALLOWED_SCOPES
from identity.services.twofactor import twofactor_disable
from identity.sessions import device_label, session_end


def _scope_choices() -> list[tuple[str, str]]:
    return [
        (name, f"{name} — {label}") for name, label in settings.OAUTH2_PROVIDER["SCOPES"].items()
    ]


class ClientPolicyForm(forms.ModelForm):
    allowed_scopes = forms.MultipleChoiceField(
        label=_("allowed scopes"),
        choices=_scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The scopes this application may request; others are refused."),
    )

    class Meta:
        model = ClientPolicy
        fields = ["allowed_scopes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.allowed_scopes if self.instance.pk else DEFAULT_ALLOWED_SCOPES
        self.initial["allowed_scopes"] = current.split()

    def clean_allowed_scopes(self) -> str:
        scopes = self.cleaned_data["allowed_scopes"]
        if "openid" not in scopes:
            raise forms.ValidationError(_("An OpenID Connect client needs the openid scope."))
        return " ".join(name for name, _label in _scope_choices() if name in scopes)

    def has_changed(self) -> bool:
        return True  # a new application gets its policy even when the defaults are kept


class ClientPolicyInline(admin.StackedInline):
    model = ClientPolicy
    form = ClientPolicyForm
    can_delete = False
    min_num = 1
    max_num = 1


class EdocApplicationAdmin(ApplicationAdmin):
    inlines = [ClientPolicyInline]
    list_display = ("name", "client_id", "client_type", "skip_authorization")
    readonly_fields = ("registration_source",)
    exclude = ("cimd_expires_at",)  # client ID metadata documents are not enabled

    def get_changeform_initial_data(self, request: Any) -> dict[str, Any]:
        """A new client starts as an OpenID Connect one: confidential, code flow, RS256."""
        return {
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "algorithm": Application.RS256_ALGORITHM,
            **super().get_changeform_initial_data(request),
        }


Application = get_application_model()
# Clients are managed here; DOT's own sections (applications, and the live credentials: codes,
# access, refresh and ID tokens) are not shown. Deleting a client application revokes its
# tokens; users end theirs by logging out through the application (RP-initiated logout).
for _model in (
    Application,
    get_access_token_model(),
    get_refresh_token_model(),
    get_grant_model(),
    get_id_token_model(),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
admin.site.register(ClientApplication, EdocApplicationAdmin)


# Admin: signed-in sessions an administrator can end (lockouts: axes' "Access attempts").
@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Who is signed in where; deleting a row (or the action) signs that session out."""

    list_display = ("user", "device", "ip_address", "created_at", "last_seen_at")
    list_filter = ("last_seen_at",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "ip_address")
    readonly_fields = ("user", "device", "ip_address", "created_at", "last_seen_at")
    exclude = ("session_key", "user_agent")
    actions = ["end_sessions"]

    @admin.display(description=_("Device"))
    def device(self, obj: UserSession) -> str:
        return device_label(obj.user_agent)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: UserSession | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: UserSession) -> None:
        session_end(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for row in queryset:
            session_end(row, actor=request.user)

    @admin.action(description=_("End the selected sessions"), permissions=["delete"])
    def end_sessions(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for row in queryset:
            session_end(row, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d session was ended.", "%(count)d sessions were ended.", count)
            % {"count": count},
            messages.SUCCESS,
        )


# Admin: API tokens and remembered devices (read-only; an administrator may revoke), and on
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


@admin.register(SignInProfile)
class SignInProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "citizen_id", "password_disabled"]
    list_filter = ["password_disabled"]
    search_fields = ["user__username", "user__last_name", "citizen_id"]
    autocomplete_fields = ["user"]


@admin.register(ExternalAccount)
class ExternalAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "linked_by", "linked_at", "last_used_at"]
    list_filter = ["issuer", "linked_by"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["issuer", "subject", "linked_by", "linked_at", "last_used_at"]
    autocomplete_fields = ["user"]
