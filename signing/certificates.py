"""Checks on a signer's certificate before it signs: validity period, key usage, chain to the
agency's trust roots, revocation (OCSP/CRL, fetched when the settings allow it), and that it is
registered to the signing user's account (`require_registered`)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from asn1crypto import pem, x509
from django.utils import formats
from django.utils.translation import gettext as _
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InvalidCertificateError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

from signing.errors import SigningRefused

SIGNING_USAGES = {"digital_signature", "non_repudiation"}


def load_pem_certificates(text: str | bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM (or DER) blob."""
    data = text.encode() if isinstance(text, str) else text
    if pem.detect(data):
        return [x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, True)]
    return [x509.Certificate.load(data)]


def active_trust_roots() -> list[x509.Certificate]:
    """The certificates the agency trusts (admin-managed TrustRoot rows)."""
    from signing.models import TrustRoot

    roots: list[x509.Certificate] = []
    for root in TrustRoot.objects.filter(is_active=True).only("certificate_pem"):
        try:
            roots.extend(load_pem_certificates(root.certificate_pem))
        except ValueError:
            continue
    return roots


def name_attribute(cert: x509.Certificate, key: str) -> str:
    """One attribute of the certificate's subject ("common_name", "title",
    "organization_name", …) as text ("" when absent; several values joined)."""
    value = cert.subject.native.get(key, "")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def holder_name(cert: x509.Certificate) -> str:
    """The certificate holder's name: its common name, else the whole subject."""
    return name_attribute(cert, "common_name") or cert.subject.human_friendly


def require_registered(cert: x509.Certificate, registrations: Mapping[str, str]) -> None:
    """Refuse a certificate that is not registered and approved for the signing user.

    `registrations` maps the SHA-256 fingerprints of the user's registered certificates to
    the status of their registration (signing.selectors.signer_certificate_statuses); the
    fingerprint identifies the certificate exactly (issuer and serial number included).
    """
    fingerprint = cert.sha256.hex()
    status = registrations.get(fingerprint)
    if status == "approved":
        return
    values = {"holder": holder_name(cert), "serial": format(cert.serial_number, "X")}
    if status == "pending":
        message = _(
            "Your certificate (%(holder)s, serial %(serial)s) is still awaiting an "
            "administrator's approval; it cannot sign yet."
        )
        code = "certificate_pending"
    elif status in ("rejected", "withdrawn"):
        message = _(
            "The certificate of %(holder)s (serial %(serial)s) was rejected or withdrawn for "
            "your account; it cannot sign."
        )
        code = "certificate_withdrawn"
    else:
        message = _(
            "The key belongs to %(holder)s (certificate serial %(serial)s), which is not a "
            "certificate registered to your account. Sign with your own certificate, "
            "registered and approved under “Signing certificates”."
        )
        code = "certificate_not_registered"
    raise SigningRefused(
        message % values,
        code,
        details={
            "certificate_sha256": fingerprint,
            "certificate": cert.subject.human_friendly,
            "issuer": cert.issuer.human_friendly,
            "serial": values["serial"],
        },
    )


@dataclass
class CertificateCheck:
    """What the check found: whether the chain reached a configured trust root, whether
    revocation data was obtained (then B-LT is possible) and the context that holds it."""

    trusted: bool
    revocation_data: bool
    validation_context: ValidationContext | None


def _date(moment: datetime.datetime) -> str:
    return formats.date_format(moment, "SHORT_DATE_FORMAT")


def check_usage_and_dates(cert: x509.Certificate, now: datetime.datetime) -> None:
    """Refuse an expired, not yet valid, or non-signing certificate."""
    validity = cert["tbs_certificate"]["validity"]
    not_before = validity["not_before"].native
    not_after = validity["not_after"].native
    name = cert.subject.human_friendly
    if now > not_after:
        raise SigningRefused(
            _("The certificate of %(name)s expired on %(date)s; it can no longer sign.")
            % {"name": name, "date": _date(not_after)},
            "certificate_expired",
        )
    if now < not_before:
        raise SigningRefused(
            _("The certificate of %(name)s is only valid from %(date)s.")
            % {"name": name, "date": _date(not_before)},
            "certificate_not_yet_valid",
        )
    usage = cert.key_usage_value
    if usage is not None and not (set(usage.native) & SIGNING_USAGES):
        raise SigningRefused(
            _(
                "The certificate of %(name)s is not meant for signing (its key usage lacks "
                "digital signature and non-repudiation)."
            )
            % {"name": name},
            "key_usage",
        )


async def check_certificate(
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    *,
    trust_roots: list[x509.Certificate],
    fetch_revocation: bool,
    now: datetime.datetime,
) -> CertificateCheck:
    """Dates and key usage, then the chain and revocation status.

    With configured trust roots the chain must reach one of them. Without any (a fresh
    installation), the self-signed root of the supplied chain stands in so that revocation is
    still checked; the result then says it is not trusted.
    """
    check_usage_and_dates(cert, now)
    roots = trust_roots or [c for c in chain if c.self_signed != "no"]
    if not roots:
        return CertificateCheck(trusted=False, revocation_data=False, validation_context=None)
    context = ValidationContext(
        trust_roots=roots,
        other_certs=chain,
        allow_fetching=fetch_revocation,
        revocation_mode="soft-fail",
    )
    validator = CertificateValidator(cert, intermediate_certs=chain, validation_context=context)
    name = cert.subject.human_friendly
    try:
        await validator.async_validate_usage(set())
    except RevokedError as error:
        await context.aclose()
        raise SigningRefused(
            _("The certificate of %(name)s has been revoked (%(reason)s).")
            % {"name": name, "reason": str(error)},
            "certificate_revoked",
        )
    except PathBuildingError:
        await context.aclose()
        if not trust_roots:
            return CertificateCheck(trusted=False, revocation_data=False, validation_context=None)
        raise SigningRefused(
            _(
                "The certificate of %(name)s was not issued by a certification authority this "
                "agency trusts."
            )
            % {"name": name},
            "untrusted",
        )
    except (PathValidationError, InvalidCertificateError) as error:
        await context.aclose()
        raise SigningRefused(
            _("The certificate of %(name)s is not valid: %(error)s")
            % {"name": name, "error": str(error)},
            "certificate_invalid",
        )
    found = bool(context.ocsps or context.crls)
    return CertificateCheck(
        trusted=bool(trust_roots), revocation_data=found, validation_context=context
    )
