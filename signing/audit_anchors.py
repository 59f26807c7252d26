"""The signing app's notaries for edoc's audit anchors (edoc.services.audit_anchors), registered
in SigningConfig.ready():

- `TimestampNotary` ("timestamp"): an RFC 3161 timestamp of the anchor message's SHA-256 from
  the timestamp authority of the signing settings;
- `SealNotary` ("seal"): a detached CMS signature of the anchor message with the organisation's
  key on its PKCS#11 token (EDOC_PKCS11_*).

Both keys live outside the database. Checking a proof verifies the signature over the message
and that its certificate chains to the anchor trust roots: the PEM file named by
`EDOC_AUDIT_ANCHOR_ROOTS` when set (out of reach of whoever can write to the database), else the
admin-managed trust roots.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import aiohttp
from asn1crypto import cms, tsp, x509
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.generic_cms import (
    async_validate_detached_cms,
    validate_tst_signed_data,
)
from pyhanko_certvalidator import ValidationContext

from edoc.services.audit_anchors import AnchorFailed, AuditNotary, ProofCheck
from signing.backends.pkcs11 import Pkcs11Key
from signing.conf import audit_anchor_roots_path, pkcs11_settings
from signing.errors import SigningRefused
from signing.selectors import certificates_load, signing_settings_get, trust_root_certificates
from signing.validation.chain import distinguished_name
from signing.validation.verify import run_coroutine

DIGEST = "sha256"
TSA_TIMEOUT_SECONDS = 10


def anchor_trust_roots() -> list[x509.Certificate]:
    """The roots anchor proofs must chain to (see the module docstring)."""
    path = audit_anchor_roots_path()
    if path:
        return certificates_load(Path(path).read_bytes())
    return trust_root_certificates()


def _context() -> ValidationContext:
    return ValidationContext(
        trust_roots=anchor_trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )


def _encode(content_info: cms.ContentInfo) -> str:
    return base64.b64encode(content_info.dump()).decode()


def _signed_data(proof: dict[str, Any]) -> cms.SignedData:
    content_info = cms.ContentInfo.load(base64.b64decode(proof["token"], validate=True))
    return content_info["content"]


def _verdict(intact: bool, valid: bool, trust_problem: Any) -> ProofCheck:
    if not intact:
        return ProofCheck(False, "it covers another chain head")
    if not valid:
        return ProofCheck(False, "its signature is not correct")
    if trust_problem is not None:
        return ProofCheck(False, f"its signer is not trusted ({trust_problem})")
    return ProofCheck(True)


class TimestampNotary(AuditNotary):
    kind = "timestamp"

    def available(self) -> bool:
        return bool(signing_settings_get().tsa_url)

    def attest(self, message: bytes) -> dict[str, Any]:
        url = signing_settings_get().tsa_url
        stamper = HTTPTimeStamper(url, timeout=TSA_TIMEOUT_SECONDS)
        digest = hashlib.new(DIGEST, message).digest()
        try:
            token = run_coroutine(stamper.async_timestamp(digest, DIGEST))
        except (TimestampRequestError, aiohttp.ClientError, OSError, TimeoutError) as error:
            raise AnchorFailed(
                f"the timestamp authority {url} did not answer ({type(error).__name__})"
            )
        info: tsp.TSTInfo = token["content"]["encap_content_info"]["content"].parsed
        signer = (
            token["content"]["certificates"][0].chosen if token["content"]["certificates"] else None
        )
        return {
            "token": _encode(token),
            "tsa_url": url,
            "time": info["gen_time"].native.isoformat(),
            "serial": str(info["serial_number"].native),
            "tsa": distinguished_name(signer.subject)
            if isinstance(signer, x509.Certificate)
            else "",
        }

    def check(self, message: bytes, proof: dict[str, Any]) -> ProofCheck:
        try:
            signed_data = _signed_data(proof)
            status = run_coroutine(
                validate_tst_signed_data(
                    signed_data,
                    _context(),
                    lambda algorithm: hashlib.new(algorithm, message).digest(),
                )
            )
        except Exception as error:  # a damaged or forged token: any parse/validation error
            reason = f"{type(error).__name__}: {str(error)[:200]}".rstrip(": ")
            return ProofCheck(False, f"unreadable token ({reason})")
        return _verdict(status["intact"], status["valid"], status["trust_problem_indic"])


class SealNotary(AuditNotary):
    kind = "seal"

    def available(self) -> bool:
        return pkcs11_settings().configured

    def attest(self, message: bytes) -> dict[str, Any]:
        async def sign() -> tuple[cms.ContentInfo, x509.Certificate]:
            async with Pkcs11Key().open() as opened:
                signature = await opened.signer.async_sign_general_data(message, DIGEST)
                return signature, opened.certificate

        try:
            signature, certificate = run_coroutine(sign())
        except (SigningRefused, SigningError) as error:
            text = error.text if isinstance(error, SigningRefused) else str(error)
            raise AnchorFailed(f"the organisation's token could not sign ({text})")
        return {
            "token": _encode(signature),
            "signer": distinguished_name(certificate.subject),
            "certificate_sha256": certificate.sha256.hex(),
        }

    def check(self, message: bytes, proof: dict[str, Any]) -> ProofCheck:
        try:
            status = run_coroutine(
                async_validate_detached_cms(
                    message, _signed_data(proof), signer_validation_context=_context()
                )
            )
        except Exception as error:  # a damaged or forged signature: any parse/validation error
            return ProofCheck(False, f"unreadable signature ({type(error).__name__})")
        return _verdict(status.intact, status.valid, status.trust_problem_indic)
