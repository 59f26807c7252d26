"""Admin of the portal and Egov syncs: the outbox (read-only), portal dossiers, licensing
procedures, and licences with their suspend / reinstate / revoke actions (with a reason)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from connectors.models import Licence, LicenceProcedure, PortalDossierLink, SyncMessage
from connectors.portal.licences import licence_change_status


@admin.register(SyncMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["target", "key", "status_code", "created_at", "attempts", "delivered_at"]
    list_filter = ["target", ("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["key"]
    readonly_fields = [field.name for field in SyncMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PortalDossierLink)
class PortalDossierLinkAdmin(admin.ModelAdmin):
    list_display = ["ma_ho_so", "dossier", "pulled_at"]
    search_fields = ["ma_ho_so", "dossier__code"]
    readonly_fields = ["ma_ho_so", "dossier", "pulled_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LicenceProcedure)
class LicenceProcedureAdmin(admin.ModelAdmin):
    list_display = ["procedure", "licence_type"]
    autocomplete_fields = ["procedure"]


class LicenceActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


def _change(action: str, label: str):
    def run(modeladmin: LicenceAdmin, request, queryset) -> None:
        for licence in queryset:
            try:
                licence_change_status(
                    user=request.user,
                    licence=licence,
                    action=action,
                    reason=request.POST.get("reason", ""),
                )
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(getattr(error, "messages", [str(error)]))
                modeladmin.message_user(request, f"{licence.number}: {text}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{licence.number}: {label}", messages.SUCCESS)

    run.__name__ = f"licence_{action}"
    run.short_description = label
    return run


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["number", "licence_type", "holder_name", "issued_on", "status"]
    list_filter = ["status", "licence_type"]
    search_fields = ["number", "holder_name", "citizen_id"]
    readonly_fields = [field.name for field in Licence._meta.fields]
    action_form = LicenceActionForm
    actions = [
        _change("suspended", _("Suspend (give the reason)")),
        _change("reinstated", _("Reinstate (give the reason)")),
        _change("revoked", _("Revoke (give the reason)")),
    ]

    def has_add_permission(self, request) -> bool:
        return False
