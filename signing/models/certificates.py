"""Signing certificates registered to users' accounts: a person signs only with their own.

A certificate is registered by an administrator (approved at once) or requested by its holder
(pending until an administrator approves or rejects it). Only an approved registration lets
the certificate sign for that account; it is matched by the SHA-256 fingerprint of the
certificate (which fixes issuer and serial number too). The private key is never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SignerCertificate(models.Model):
    """One certificate registered to one user's account."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        ADMIN = "admin", _("Registered by an administrator")
        CERTIFICATE = "certificate", _("Certificate file sent by its holder")
        PKCS12 = "pkcs12", _("Taken from the holder's key file (key not kept)")

    #: Registrations that hold the certificate: it cannot be registered again meanwhile.
    HOLDING = (Status.PENDING, Status.APPROVED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
        verbose_name=_("user"),
    )
    certificate_pem = models.TextField(_("certificate (PEM)"))
    sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, db_index=True)
    subject = models.CharField(_("subject"), max_length=500)
    common_name = models.CharField(_("holder"), max_length=200)
    title = models.CharField(_("position (in the certificate)"), max_length=200, blank=True)
    organization = models.CharField(
        _("organisation (in the certificate)"), max_length=255, blank=True
    )
    issuer = models.CharField(_("certificate issuer"), max_length=500)
    serial = models.CharField(_("serial number"), max_length=100)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(_("registered through"), max_length=20, choices=Source.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    requested_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(status__in=["pending", "approved"]),
                name="signing_certificate_held_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.serial}) → {self.user}"
