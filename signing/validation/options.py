"""Verification options: the trust roots and whether OCSP/CRL are fetched online."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import x509


@dataclass(frozen=True)
class VerificationOptions:
    """What to trust and whether to go online."""

    trust_roots: tuple[x509.Certificate, ...] = ()
    fetch_revocation: bool = True


def verification_options(extra_roots: Iterable[x509.Certificate] = ()) -> VerificationOptions:
    """Options from the admin-managed trust roots and signing settings (+ `extra_roots`)."""
    from signing.selectors import signing_settings_get, trust_root_certificates

    settings_row = signing_settings_get()
    return VerificationOptions(
        trust_roots=tuple(trust_root_certificates(extra_roots)),
        fetch_revocation=settings_row.fetch_revocation,
    )
