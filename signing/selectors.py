"""Reads of the signing app: trust roots, settings, stored verification reports and the
signing certificates registered to users."""

from __future__ import annotations

from collections.abc import Iterable

from asn1crypto import pem, x509
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from signing.models import SignerCertificate, SigningSettings, TrustRoot, VerificationReport


def certificate_load(data: bytes) -> x509.Certificate:
    """One X.509 certificate from PEM or DER bytes; ValueError when it is neither."""
    data = data.strip()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    certificate = x509.Certificate.load(data)
    certificate.native  # noqa: B018 (parses the whole structure: raises ValueError if broken)
    return certificate


def certificates_load(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the single DER certificate."""
    data = data.strip()
    if pem.detect(data):
        found = [
            certificate_load(der)
            for kind, _, der in pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"
        ]
        if not found:
            raise ValueError("no CERTIFICATE block in the PEM data")
        return found
    return [certificate_load(data)]


def trust_root_certificates(extra: Iterable[x509.Certificate] = ()) -> list[x509.Certificate]:
    """The active, admin-managed trust roots (unreadable rows are skipped), plus `extra`."""
    roots: list[x509.Certificate] = []
    seen: set[bytes] = set()
    stored = TrustRoot.objects.filter(is_active=True).order_by("pk")
    for row in stored.values_list("certificate_pem", flat=True):
        try:
            certificate = certificate_load(row.encode())
        except ValueError:
            continue
        if certificate.sha256 not in seen:
            seen.add(certificate.sha256)
            roots.append(certificate)
    for certificate in extra:
        if certificate.sha256 not in seen:
            seen.add(certificate.sha256)
            roots.append(certificate)
    return roots


def signing_settings_get() -> SigningSettings:
    """The settings row (pk=1); unsaved defaults when the admin has not saved any yet."""
    return SigningSettings.objects.filter(pk=1).first() or SigningSettings(pk=1)


def verification_report_latest(document_file_id: int) -> VerificationReport | None:
    """The newest stored report of one file version."""
    return (
        VerificationReport.objects.filter(document_file_id=document_file_id)
        .order_by("-verified_at", "-pk")
        .first()
    )


def verification_reports_latest(document_file_ids: Iterable[int]) -> dict[int, VerificationReport]:
    """The newest report of each given file version, in one query (files without one are
    missing from the result)."""
    latest: dict[int, VerificationReport] = {}
    reports = (
        VerificationReport.objects.filter(document_file_id__in=list(document_file_ids))
        .defer("etsi_report")
        .annotate(has_etsi=ExpressionWrapper(~Q(etsi_report=""), output_field=BooleanField()))
        .order_by("document_file_id", "-verified_at", "-pk")
    )
    for report in reports:
        latest.setdefault(report.document_file_id, report)
    return latest


def signer_certificates_of(user) -> QuerySet[SignerCertificate]:
    """Every registration of `user`'s certificates, newest first."""
    return SignerCertificate.objects.filter(user=user).select_related("decided_by")


def signer_certificate_statuses(user) -> dict[str, str]:
    """The state of each certificate registered to `user`: SHA-256 fingerprint → status of
    its latest registration ("approved" ones may sign)."""
    statuses: dict[str, str] = {}
    rows = SignerCertificate.objects.filter(user=user).order_by("requested_at", "pk")
    for sha256, status in rows.values_list("sha256", "status"):
        statuses[sha256] = status
    return statuses


def holds_signing_key(user) -> bool:
    """Whether `user` may sign or seal: a signing certificate registered to them (pending or
    approved: only those sign their "sign" steps), or, when the organisation's seal token is
    configured, the agency's clerks who issue (the seal is applied at issuance). Identity's
    second-factor policy asks these users for a second factor."""
    from edoc.selectors.access import is_agency_clerk
    from signing.conf import pkcs11_settings

    if SignerCertificate.objects.filter(user=user, status__in=SignerCertificate.HOLDING).exists():
        return True
    return pkcs11_settings().configured and is_agency_clerk(user)
