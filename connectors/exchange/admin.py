"""Admin of the exchange routes: the secrets are write-only (never shown back)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from connectors.models import Arrival, ExchangeRoute, OutboxMessage

SECRET_FIELDS = ("our_secret", "partner_secret")


class ExchangeRouteForm(forms.ModelForm):
    """A secret field shows nothing; left empty it keeps the stored secret."""

    class Meta:
        model = ExchangeRoute
        fields = [
            "organization",
            "transport",
            "base_url",
            "our_key_id",
            "our_secret",
            "partner_key_id",
            "partner_secret",
            "allowed_ips",
            "enabled",
        ]
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRET_FIELDS}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            if self.instance.pk:
                self.fields[name].required = False
                self.fields[name].help_text = _("Leave empty to keep the stored secret.")

    def clean(self):
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if self.instance.pk and not cleaned.get(name):
                cleaned[name] = getattr(
                    ExchangeRoute.objects.only(name).get(pk=self.instance.pk), name
                )
                setattr(self.instance, name, cleaned[name])
        return cleaned


@admin.register(ExchangeRoute)
class ExchangeRouteAdmin(admin.ModelAdmin):
    form = ExchangeRouteForm
    list_display = ("organization", "transport", "base_url", "enabled")
    list_filter = ("transport", "enabled")
    autocomplete_fields = ("organization",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("kind", "document_key", "business_type", "recipient_code", "state", "attempts")
    list_filter = ("state", "kind")
    search_fields = ("document_key", "recipient_code")
    exclude = ("payload",)
    readonly_fields = [
        field.name for field in OutboxMessage._meta.fields if field.name not in ("payload",)
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Arrival)
class ArrivalAdmin(admin.ModelAdmin):
    list_display = ("document_key", "sender_code", "agency", "state", "received_at")
    list_filter = ("state",)
    search_fields = ("document_key", "subject")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
