"""Django admin: trust roots (upload a PEM/DER certificate; fingerprint, subject and expiry
are computed) and the signing settings singleton. Every save and delete goes through the
audited services of signing.trust_services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from signing import trust_services
from signing.models import SigningSettings, TrustRoot


class TrustRootForm(forms.ModelForm):
    certificate_file = forms.FileField(
        label=_("certificate file"),
        required=False,
        help_text=_("The root CA certificate, PEM (.pem, .crt) or DER (.cer, .der)."),
    )
    certificate_text = forms.CharField(
        label=_("or paste the PEM text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
    )

    class Meta:
        model = TrustRoot
        fields = ("name", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("certificate_file")
        text = (cleaned.get("certificate_text") or "").strip()
        self.certificate = None
        if upload is not None:
            data = upload.read(1024 * 1024 + 1)
            if len(data) > 1024 * 1024:
                raise ValidationError(_("The certificate file is too large."))
        elif text:
            data = text.encode()
        elif self.instance.pk is None:
            raise ValidationError(_("Upload the root certificate."))
        else:
            return cleaned  # keep the stored certificate
        self.certificate = trust_services.trust_root_certificate_parse(data)
        duplicate = TrustRoot.objects.filter(sha256_fingerprint=self.certificate.sha256.hex())
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise ValidationError(_("This certificate is already a trust root."))
        return cleaned


@admin.register(TrustRoot)
class TrustRootAdmin(admin.ModelAdmin):
    form = TrustRootForm
    list_display = ("name", "subject", "not_after", "is_active", "short_fingerprint", "added_at")
    list_filter = ("is_active",)
    search_fields = ("name", "subject", "sha256_fingerprint")
    readonly_fields = ("subject", "sha256_fingerprint", "not_after", "added_by", "added_at")
    fieldsets = (
        (None, {"fields": ("name", "is_active", "certificate_file", "certificate_text")}),
        (
            _("Computed from the certificate"),
            {"fields": ("subject", "sha256_fingerprint", "not_after", "added_by", "added_at")},
        ),
    )

    @admin.display(description=_("SHA-256 fingerprint"))
    def short_fingerprint(self, obj: TrustRoot) -> str:
        return f"{obj.sha256_fingerprint[:16]}…"

    def save_model(self, request: HttpRequest, obj: TrustRoot, form: Any, change: bool) -> None:
        trust_services.trust_root_save(
            actor=request.user, trust_root=obj, certificate=getattr(form, "certificate", None)
        )

    def delete_model(self, request: HttpRequest, obj: TrustRoot) -> None:
        trust_services.trust_root_delete(actor=request.user, trust_root=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TrustRoot]) -> None:
        for trust_root in queryset:
            trust_services.trust_root_delete(actor=request.user, trust_root=trust_root)


@admin.register(SigningSettings)
class SigningSettingsAdmin(admin.ModelAdmin):
    """One row: the list goes straight to its form."""

    fields = ("tsa_url", "fetch_revocation", "embed_validation_info", "updated_at")
    readonly_fields = ("updated_at",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        SigningSettings.objects.get_or_create(pk=1)
        return HttpResponseRedirect(reverse("admin:signing_signingsettings_change", args=[1]))

    def save_model(
        self, request: HttpRequest, obj: SigningSettings, form: Any, change: bool
    ) -> None:
        trust_services.signing_settings_save(actor=request.user, settings_row=obj)
