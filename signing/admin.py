"""Django admin: trust roots (upload a PEM/DER certificate; fingerprint, subject and expiry
are computed), the signing settings singleton, and the signing certificates registered to users
(register one for a user; approve, reject or withdraw a user's request). Every save and delete
goes through the audited services of signing.trust_services and signing.signer_certificates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from signing import trust_services
from signing.forms import CertificateRequestForm
from signing.models import SignerCertificate, SigningSettings, TrustRoot
from signing.signer_certificates import (
    record_certificate,
    signer_certificate_check,
    signer_certificate_decide,
    signer_certificate_register,
    signer_certificate_withdraw,
)


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


class SignerCertificateAddForm(CertificateRequestForm, forms.ModelForm):
    """Register a certificate to a user (the certificate file, or their key file and its
    passphrase: only the certificate is kept)."""

    class Meta:
        model = SignerCertificate
        fields = ("user",)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("certificate") is not None and cleaned.get("user") is not None:
            signer_certificate_check(cleaned["certificate"], cleaned["user"])
        return cleaned


DECISIONS = {
    SignerCertificate.Status.PENDING: [
        ("", _("Decide later")),
        ("approve", _("Approve: the user may sign with it")),
        ("reject", _("Reject (give the reason)")),
    ],
    SignerCertificate.Status.APPROVED: [("", _("Keep")), ("withdraw", _("Withdraw"))],
}


class SignerCertificateDecisionForm(forms.ModelForm):
    """Approve, reject or withdraw a registration, with a note."""

    decision = forms.ChoiceField(label=_("decision"), required=False, choices=[])
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=500,
        help_text=_("Required when rejecting; the user sees it."),
    )

    class Meta:
        model = SignerCertificate
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = DECISIONS.get(self.instance.status, [("", _("No decision possible"))])
        self.fields["decision"].choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == "reject" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Give the reason for the rejection."))
        if decision == "approve":
            signer_certificate_check(record_certificate(self.instance))
        return cleaned


@admin.register(SignerCertificate)
class SignerCertificateAdmin(admin.ModelAdmin):
    list_display = (
        "common_name",
        "user",
        "status",
        "serial",
        "not_after",
        "source",
        "requested_at",
    )
    list_filter = ("status", "source")
    search_fields = ("common_name", "user__username", "serial", "sha256", "subject")
    list_select_related = ("user",)
    actions = ("approve_selected",)
    readonly_fields = (
        "user",
        "status",
        "common_name",
        "title",
        "organization",
        "subject",
        "issuer",
        "serial",
        "sha256",
        "not_before",
        "not_after",
        "source",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_note",
    )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        kwargs["form"] = SignerCertificateDecisionForm if obj else SignerCertificateAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return ((None, {"fields": ("user", "certificate_file", "passphrase")}),)
        return (
            (None, {"fields": ("decision", "note")}),
            (_("Certificate"), {"fields": self.readonly_fields}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return self.readonly_fields if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a registration's history stays; withdraw it instead

    def save_model(self, request: HttpRequest, obj: SignerCertificate, form, change: bool) -> None:
        if not change:
            record = signer_certificate_register(
                actor=request.user,
                user=form.cleaned_data["user"],
                certificate=form.cleaned_data["certificate"],
            )
            obj.pk, obj._state.adding = record.pk, False
            return
        decision, note = form.cleaned_data.get("decision"), form.cleaned_data.get("note", "")
        if decision in ("approve", "reject"):
            signer_certificate_decide(
                actor=request.user, record=obj, approve=decision == "approve", note=note
            )
        elif decision == "withdraw":
            signer_certificate_withdraw(actor=request.user, record=obj, note=note)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        return None  # no related objects; the services saved everything

    @admin.action(description=_("Approve the selected requests"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[SignerCertificate]):
        approved = 0
        for record in queryset.filter(status=SignerCertificate.Status.PENDING):
            try:
                signer_certificate_decide(actor=request.user, record=record, approve=True)
            except ValidationError as error:
                self.message_user(
                    request, f"{record}: {' '.join(error.messages)}", level=messages.ERROR
                )
            else:
                approved += 1
        self.message_user(
            request, _("%(count)d request(s) approved.") % {"count": approved}, messages.SUCCESS
        )
