"""Checks on a signer's certificate before it signs: validity period, key usage, chain to the
agency's trust roots, revocation (OCSP/CRL, fetched when the settings allow it)."""

from __future__ import annotations

import datetime
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
