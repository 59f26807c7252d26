"""Signatures eDoc applied, and verification reports of stored files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignatureRecord(models.Model):
    """One signature applied through eDoc: who, with which kind of key, into which version."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal signature")
        ORGANISATION = "organisation", _("Organisation seal")
        CERTIFICATION = "certification", _("Certification (first signature)")

    class KeySource(models.TextChoices):
        PKCS12 = "pkcs12", _("PKCS#12 file")
        PKCS11 = "pkcs11", _("Token / HSM (PKCS#11)")
        REMOTE = "remote", _("Remote signing")

    document = models.ForeignKey(
        "edoc.Document", on_delete=models.PROTECT, related_name="signature_records"
    )
    source_file = models.ForeignKey("edoc.DocumentFile", on_delete=models.PROTECT, related_name="+")
    signed_file = models.ForeignKey(
        "edoc.DocumentFile", on_delete=models.PROTECT, related_name="signature_records"
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key_source = models.CharField(_("key"), max_length=10, choices=KeySource.choices)
    field_name = models.CharField(_("signature field"), max_length=100)
    level = models.CharField(_("PAdES level"), max_length=10)
    certificate_subject = models.CharField(_("certificate subject"), max_length=500)
    certificate_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.certificate_subject}"


class VerificationReport(models.Model):
    """The verification of one stored file version (at registration, after signing, on demand).

    `report` is the JSON report of signing.validation.report (keys documented there), `etsi_report`
    the ETSI TS 119 102-2 XML report of the same run ("" when the file has no signature).
    """

    class Trigger(models.TextChoices):
        REGISTRATION = "registration", _("At registration")
        SIGNING = "signing", _("After signing")
        MANUAL = "manual", _("Re-verified")

    document_file = models.ForeignKey(
        "edoc.DocumentFile", on_delete=models.CASCADE, related_name="verification_reports"
    )
    signature_count = models.PositiveSmallIntegerField(default=0)
    all_valid = models.BooleanField(default=False)
    summary = models.CharField(max_length=255, blank=True)
    report = models.JSONField(default=dict)
    etsi_report = models.TextField(_("ETSI TS 119 102-2 report"), blank=True)
    trigger = models.CharField(
        _("verified"), max_length=20, choices=Trigger.choices, default=Trigger.MANUAL
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-verified_at"]
        get_latest_by = "verified_at"

    def __str__(self) -> str:
        return self.summary or f"{self.signature_count} signature(s)"
