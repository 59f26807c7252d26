"""Writes on the signing certificates registered to users' accounts (each audited).

- `signer_certificate_register`: an administrator registers a certificate to a user (approved).
- `signer_certificate_request`: a user sends their own certificate (a PEM/DER/.cer file, or
  their .p12/.pfx key file of which only the certificate is read); it waits for approval.
- `signer_certificate_decide`: an administrator approves or rejects a pending request.
- `signer_certificate_withdraw`: an administrator, or the holder, withdraws a registration
  (a lost key, a certificate replaced); it can no longer sign.

`signer_certificate_read` turns an uploaded file into the certificate, with a clear message
for anything else. A certificate is held by one account at a time (pending or approved).
"""

from __future__ import annotations

import datetime
from typing import Any

from asn1crypto import pem, x509
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.models.organisation import Role
from edoc.services.audit import audit_record
from signing.backends.pkcs12 import MAX_PKCS12_BYTES, pkcs12_certificate
from signing.certificates import check_usage_and_dates, holder_name, name_attribute
from signing.models import SignerCertificate
from signing.selectors import certificates_load
from signing.validation.chain import distinguished_name

Status = SignerCertificate.Status
Source = SignerCertificate.Source
KEY_FILE_SUFFIXES = (".p12", ".pfx")


def signer_certificate_read(
    data: bytes, *, file_name: str = "", passphrase: str = ""
) -> tuple[x509.Certificate, str]:
    """The certificate in an uploaded file and how it came (`Source.CERTIFICATE` for a PEM,
    DER or .cer file, `Source.PKCS12` for a key file, read with `passphrase`; its private key
    is dropped at once). ValidationError with a clear message otherwise."""
    if not data or len(data) > MAX_PKCS12_BYTES:
        raise ValidationError(
            _("Choose your certificate (.cer, .crt, .pem) or your key file (.p12, .pfx)."),
            code="no_certificate",
        )
    key_file = file_name.lower().endswith(KEY_FILE_SUFFIXES)
    if not key_file:
        try:
            certificates = certificates_load(data)
        except ValueError:
            certificates = []
        if len(certificates) > 1:
            raise ValidationError(
                _("The file holds %(count)d certificates; send only your own.")
                % {"count": len(certificates)},
                code="several",
            )
        if certificates:
            return certificates[0], Source.CERTIFICATE
        if pem.detect(data):
            raise ValidationError(_("The file is not a valid certificate."), code="damaged")
    if not passphrase:
        raise ValidationError(
            _(
                "This is not a certificate file (PEM, DER, .cer). For a key file (.p12, .pfx), "
                "enter its passphrase: only its certificate is read, the key is not kept."
            ),
            code="passphrase_needed",
        )
    try:
        return pkcs12_certificate(data, passphrase), Source.PKCS12
    except ValueError:
        raise ValidationError(
            _("The passphrase is wrong, or the file is not a PKCS#12 key file."),
            code="wrong_passphrase",
        )


def _require_admin(actor: Any) -> None:
    if not (getattr(actor, "is_superuser", False) or getattr(actor, "role", "") == Role.ADMIN):
        raise PermissionDenied(_("Only an administrator may do this."))


def signer_certificate_check(certificate: x509.Certificate, user: User | None = None) -> None:
    """Refuse what cannot be registered: a CA certificate, an expired (or not yet valid) or
    non-signing one, and, for `user`, one already held by an account. ValidationError."""
    _check_signing_certificate(certificate)
    if user is not None:
        _held(certificate, user)


def _check_signing_certificate(certificate: x509.Certificate) -> None:
    if certificate.ca:
        raise ValidationError(
            _(
                "This is a certification authority's certificate, not a person's signing "
                "certificate."
            ),
            code="ca_certificate",
        )
    check_usage_and_dates(certificate, timezone.now())


def _held(certificate: x509.Certificate, user: User) -> None:
    """Refuse a certificate already held (pending or approved) by an account."""
    holding = (
        SignerCertificate.objects.filter(
            sha256=certificate.sha256.hex(), status__in=SignerCertificate.HOLDING
        )
        .select_related("user")
        .first()
    )
    if holding is None:
        return
    if holding.user_id == user.pk:
        raise ValidationError(
            _("This certificate is already registered to this account (%(status)s).")
            % {"status": holding.get_status_display()},
            code="duplicate",
        )
    raise ValidationError(
        _("This certificate is already registered to another account."), code="taken"
    )


def _aware(value: Any) -> datetime.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)


def _details(record: SignerCertificate) -> dict[str, Any]:
    return {
        "user": record.user.username,
        "certificate_sha256": record.sha256,
        "subject": record.subject,
        "issuer": record.issuer,
        "serial": record.serial,
        "not_after": record.not_after,
        "status": record.status,
        "source": record.source,
        "note": record.decision_note,
    }


def _create(
    *, user: User, certificate: x509.Certificate, actor: User, source: str, status: str
) -> SignerCertificate:
    signer_certificate_check(certificate, user)
    validity = certificate["tbs_certificate"]["validity"]
    record = SignerCertificate(
        user=user,
        certificate_pem=pem.armor("CERTIFICATE", certificate.dump()).decode(),
        sha256=certificate.sha256.hex(),
        subject=distinguished_name(certificate.subject)[:500],
        common_name=holder_name(certificate)[:200],
        title=name_attribute(certificate, "title")[:200],
        organization=name_attribute(certificate, "organization_name")[:255],
        issuer=distinguished_name(certificate.issuer)[:500],
        serial=format(certificate.serial_number, "X"),
        not_before=_aware(validity["not_before"].native),
        not_after=_aware(validity["not_after"].native),
        status=status,
        source=source,
        requested_by=actor,
    )
    if status == Status.APPROVED:
        record.decided_by, record.decided_at = actor, timezone.now()
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # registered by someone else in the meantime
        raise ValidationError(
            _("This certificate is already registered to another account."), code="taken"
        )
    return record


@transaction.atomic
def signer_certificate_register(
    *, actor: User, user: User, certificate: x509.Certificate
) -> SignerCertificate:
    """An administrator registers `certificate` to `user`'s account: it may sign at once."""
    _require_admin(actor)
    record = _create(
        user=user, certificate=certificate, actor=actor, source=Source.ADMIN, status=Status.APPROVED
    )
    audit_record(
        actor=actor, action="signing.certificate_register", target=record, details=_details(record)
    )
    return record


@transaction.atomic
def signer_certificate_request(
    *, user: User, certificate: x509.Certificate, source: str = Source.CERTIFICATE
) -> SignerCertificate:
    """The holder sends their own certificate; it signs once an administrator approves it."""
    record = _create(
        user=user, certificate=certificate, actor=user, source=source, status=Status.PENDING
    )
    audit_record(
        actor=user, action="signing.certificate_request", target=record, details=_details(record)
    )
    return record


def _locked(record: SignerCertificate) -> SignerCertificate:
    return SignerCertificate.objects.select_for_update().select_related("user").get(pk=record.pk)


@transaction.atomic
def signer_certificate_decide(
    *, actor: User, record: SignerCertificate, approve: bool, note: str = ""
) -> SignerCertificate:
    """An administrator approves or rejects (with a reason) a pending request."""
    _require_admin(actor)
    record = _locked(record)
    if record.status != Status.PENDING:
        raise ValidationError(
            _("This registration was already decided (%(status)s).")
            % {"status": record.get_status_display()},
            code="decided",
        )
    note = note.strip()
    if not approve and not note:
        raise ValidationError(_("Give the reason for the rejection."), code="reason_required")
    if approve:
        _check_signing_certificate(record_certificate(record))
    record.status = Status.APPROVED if approve else Status.REJECTED
    record.decided_by, record.decided_at, record.decision_note = actor, timezone.now(), note[:500]
    record.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="signing.certificate_approve" if approve else "signing.certificate_reject",
        target=record,
        details=_details(record),
    )
    return record


@transaction.atomic
def signer_certificate_withdraw(
    *, actor: User, record: SignerCertificate, note: str = ""
) -> SignerCertificate:
    """Withdraw a pending or approved registration (an administrator, or the holder)."""
    if record.user_id != actor.pk:
        _require_admin(actor)
    record = _locked(record)
    if record.status not in SignerCertificate.HOLDING:
        raise ValidationError(
            _("This registration is no longer in force (%(status)s).")
            % {"status": record.get_status_display()},
            code="not_in_force",
        )
    record.status = Status.WITHDRAWN
    record.decided_by, record.decided_at = actor, timezone.now()
    record.decision_note = note.strip()[:500]
    record.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor, action="signing.certificate_withdraw", target=record, details=_details(record)
    )
    return record


def record_certificate(record: SignerCertificate) -> x509.Certificate:
    """The stored certificate of a registration."""
    return certificates_load(record.certificate_pem.encode())[0]
