"""Writes on what the agency trusts: trust roots and the signing settings (audited)."""

from __future__ import annotations

import datetime
from typing import Any

from asn1crypto import pem, x509
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edoc.services.audit import audit_record
from signing.models import SigningSettings, TrustRoot
from signing.selectors import certificates_load
from signing.validation.chain import distinguished_name


def trust_root_certificate_parse(data: bytes) -> x509.Certificate:
    """The one CA certificate in a PEM or DER file; ValidationError with a clear message."""
    try:
        certificates = certificates_load(data)
    except ValueError:
        raise ValidationError(
            _("The file is not a PEM or DER X.509 certificate."), code="not_certificate"
        )
    if len(certificates) != 1:
        raise ValidationError(
            _("The file holds %(count)d certificates; upload one trust root per entry.")
            % {"count": len(certificates)},
            code="several",
        )
    certificate = certificates[0]
    if not certificate.ca:
        raise ValidationError(
            _(
                "This is not a certification authority (CA) certificate; trust roots must be "
                "CA certificates, such as the national root CA."
            ),
            code="not_ca",
        )
    return certificate


def _fill(trust_root: TrustRoot, certificate: x509.Certificate) -> None:
    trust_root.certificate_pem = pem.armor("CERTIFICATE", certificate.dump()).decode()
    trust_root.sha256_fingerprint = certificate.sha256.hex()
    trust_root.subject = distinguished_name(certificate.subject)[:500]
    not_after = certificate["tbs_certificate"]["validity"]["not_after"].native
    trust_root.not_after = not_after if isinstance(not_after, datetime.datetime) else None


def _details(trust_root: TrustRoot) -> dict[str, Any]:
    return {
        "name": trust_root.name,
        "sha256": trust_root.sha256_fingerprint,
        "subject": trust_root.subject,
        "not_after": trust_root.not_after,
        "is_active": trust_root.is_active,
    }


@transaction.atomic
def trust_root_save(
    *, actor: Any, trust_root: TrustRoot, certificate: x509.Certificate | None = None
) -> TrustRoot:
    """Create or change a trust root; a new certificate replaces the stored one."""
    created = trust_root.pk is None
    if certificate is not None:
        _fill(trust_root, certificate)
    if not trust_root.certificate_pem:
        raise ValidationError(_("Upload the root certificate."), code="required")
    duplicate = TrustRoot.objects.filter(sha256_fingerprint=trust_root.sha256_fingerprint)
    if trust_root.pk:
        duplicate = duplicate.exclude(pk=trust_root.pk)
    if duplicate.exists():
        raise ValidationError(_("This certificate is already a trust root."), code="duplicate")
    if created and getattr(actor, "pk", None):
        trust_root.added_by = actor
    trust_root.save()
    audit_record(
        actor=actor,
        action="trust_root.create" if created else "trust_root.update",
        target=trust_root,
        details=_details(trust_root),
    )
    return trust_root


@transaction.atomic
def trust_root_delete(*, actor: Any, trust_root: TrustRoot) -> None:
    details = _details(trust_root)
    audit_record(actor=actor, action="trust_root.delete", target=trust_root, details=details)
    trust_root.delete()


SETTINGS_FIELDS = ("tsa_url", "fetch_revocation", "embed_validation_info")


@transaction.atomic
def signing_settings_save(*, actor: Any, settings_row: SigningSettings) -> SigningSettings:
    """Save the single settings row (pk=1)."""
    settings_row.pk = 1
    settings_row.save()
    audit_record(
        actor=actor,
        action="signing_settings.update",
        target=settings_row,
        details={name: getattr(settings_row, name) for name in SETTINGS_FIELDS},
    )
    return settings_row
