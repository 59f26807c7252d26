"""Names, certificates, chains and timestamps as the verification report shows them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from asn1crypto import x509
from django.utils import timezone


def iso_time(value: datetime | None) -> str | None:
    """ISO 8601 text of a time (a naive one read in the default time zone), or None."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.isoformat()


DN_LABELS = {
    "common_name": "CN",
    "surname": "SN",
    "given_name": "GN",
    "serial_number": "SERIALNUMBER",
    "title": "T",
    "organizational_unit_name": "OU",
    "organization_name": "O",
    "organization_identifier": "organizationIdentifier",
    "locality_name": "L",
    "state_or_province_name": "ST",
    "country_name": "C",
    "email_address": "E",
    "user_id": "UID",
    "domain_component": "DC",
}


def distinguished_name(name: x509.Name) -> str:
    """A name as RFC 4514 reads it, most specific first: "CN=Trần Văn Hùng, O=…, C=VN"."""
    parts = []
    for rdn in reversed(list(name.chosen)):
        for attribute in rdn:
            key = attribute["type"].native
            label = DN_LABELS.get(key, key)  # unknown types show their OID
            value = attribute["value"].native
            value = str(value).replace("\\", "\\\\").replace(",", "\\,")
            parts.append(f"{label}={value}")
    return ", ".join(parts)


def _name_part(name: x509.Name, key: str) -> str:
    value = name.native.get(key)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value) if value else ""


def _cert_summary(cert: x509.Certificate) -> dict[str, Any]:
    validity = cert["tbs_certificate"]["validity"]
    return {
        "subject": distinguished_name(cert.subject),
        "issuer": distinguished_name(cert.issuer),
        "sha256": cert.sha256.hex(),
        "not_before": iso_time(validity["not_before"].native),
        "not_after": iso_time(validity["not_after"].native),
    }


def signer_summary(cert: x509.Certificate) -> dict[str, Any]:
    """The report's "signer" object of a certificate."""
    summary = _cert_summary(cert)
    key_usage = cert.key_usage_value
    summary.update(
        {
            "common_name": _name_part(cert.subject, "common_name"),
            "organization": _name_part(cert.subject, "organization_name"),
            "serial": format(cert.serial_number, "x"),
            "key_usage": sorted(key_usage.native) if key_usage is not None else [],
        }
    )
    return summary


def _chain_from_certs(
    leaf: x509.Certificate, pool: Iterable[x509.Certificate], roots: Iterable[x509.Certificate]
) -> list[x509.Certificate]:
    """Walk issuer links from the leaf through the embedded certificates (and trust roots)."""
    candidates = {c.sha256: c for c in [*pool, *roots]}
    chain = [leaf]
    current = leaf
    for _step in range(10):
        if current.self_signed in ("yes", "maybe") and current.issuer == current.subject:
            break
        issuer = next(
            (
                c
                for c in candidates.values()
                if c.subject == current.issuer and c.sha256 not in {x.sha256 for x in chain}
            ),
            None,
        )
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def chain_report(status, embedded_sig, roots: tuple[x509.Certificate, ...]) -> list[dict[str, Any]]:
    """The report's "chain": the validation path, else the embedded certificates, leaf first."""
    root_hashes = {r.sha256 for r in roots}
    path = getattr(status, "validation_path", None) if status is not None else None
    if path is not None:
        certs = list(path.iter_certs(include_root=True))
        certs.reverse()  # leaf first
    else:
        certs = _chain_from_certs(embedded_sig.signer_cert, embedded_sig.other_embedded_certs, ())
    return [{**_cert_summary(c), "is_trust_root": c.sha256 in root_hashes} for c in certs]


def timestamp_report(ts_status) -> dict[str, Any] | None:
    """The report's "timestamp" object of a timestamp's status, or None."""
    if ts_status is None:
        return None
    return {
        "time": iso_time(ts_status.timestamp),
        "tsa": distinguished_name(ts_status.signing_cert.subject),
        "intact": bool(ts_status.intact),
        "valid": bool(ts_status.valid),
        "trusted": bool(ts_status.trusted),
    }
