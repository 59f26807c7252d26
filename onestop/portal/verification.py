"""The signature check shown next to the result download: the signing app's verification
(`signing.validation.verify.pdf_verify` with the admin-managed trust roots, as on the public
/verify/ page), reduced to what a citizen needs: per signature the signer, the time and
whether it is valid. Results are cached for a few minutes by the file's SHA-256."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.dateparse import parse_datetime

from signing.validation.reading import PdfUnreadable
from signing.validation.report import unreadable_report
from signing.validation.verdict import SignatureVerdict, report_verdict
from signing.validation.verify import pdf_verify

logger = logging.getLogger(__name__)

CACHE_SECONDS = 600


@dataclass(frozen=True)
class SignatureLine:
    signer: str
    organization: str
    time: Any  # datetime or None
    timestamped: bool
    ok: bool
    summary: str


@dataclass(frozen=True)
class ResultVerification:
    ok: bool
    summary: str
    signatures: list[SignatureLine]


def _line(entry: dict[str, Any], verdict: SignatureVerdict) -> SignatureLine:
    signer = entry.get("signer") or {}
    timestamp = entry.get("timestamp") or {}
    when = timestamp.get("time") or entry.get("signing_time")
    return SignatureLine(
        signer=signer.get("common_name") or signer.get("subject") or "",
        organization=signer.get("organization") or "",
        time=parse_datetime(when) if isinstance(when, str) else None,
        timestamped=bool(timestamp),
        ok=verdict.ok,
        summary=verdict.summary,
    )


def result_verification(content: bytes) -> ResultVerification:
    """Verify the signatures of the result PDF; the verdicts come from the report
    (`signing.validation.verdict.report_verdict`, in the active language), as on /verify/."""
    key = f"portal:result-verification:{hashlib.sha256(content).hexdigest()}"
    report = cache.get(key)
    if report is None:
        try:
            report = pdf_verify(content).report
        except PdfUnreadable as error:
            logger.warning("result PDF could not be verified: %s", error)
            report = unreadable_report(content, error)
        cache.set(key, report, CACHE_SECONDS)
    verdict = report_verdict(report)
    return ResultVerification(
        ok=verdict.ok,
        summary=verdict.summary,
        signatures=[
            _line(entry, signature)
            for entry, signature in zip(report["signatures"], verdict.signatures, strict=True)
        ],
    )
