"""What the deploying agency trusts: root certificates and the timestamp authority."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TrustRoot(models.Model):
    """A CA certificate (e.g. the national root CA) that signatures must chain up to."""

    name = models.CharField(_("name"), max_length=200)
    certificate_pem = models.TextField(_("certificate (PEM)"))
    sha256_fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    subject = models.CharField(pgettext_lazy("certificate", "subject"), max_length=500, blank=True)
    not_after = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("trust root")
        verbose_name_plural = _("trust roots")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SigningSettings(models.Model):
    """One row (pk=1): the timestamp authority and revocation behaviour, admin-managed."""

    tsa_url = models.URLField(_("timestamp authority (RFC 3161) URL"), blank=True)
    fetch_revocation = models.BooleanField(
        _("fetch revocation data (OCSP/CRL)"),
        default=True,
        help_text=_("Needed for B-LT signatures and for revocation checks in verification."),
    )
    embed_validation_info = models.BooleanField(
        _("embed validation data (B-LT) when reachable"), default=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("signing settings")
        verbose_name_plural = _("signing settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
