"""Verify the digital signatures of any PDF: a report per signature, as JSON and ETSI XML.

`pdf_verify(content, options)` reads the PDF with pyHanko, validates every signature with the
ETSI EN 319 102-1 processes of `pyhanko.sign.validation.ades` (basic validation for a
signature without timestamp, validation with time for B-T/B-LT, the long-term process when
document timestamps follow) against the given trust roots, and returns a `Verification`:
`report` (the JSON of `signing.validation.report`), `etsi_xml` (ETSI TS 119 102-2, one
SignatureValidationReport per signature) and `ok`. It writes nothing. Revocation data embedded
in the file (DSS, Adobe revocation archival) is always used; OCSP/CRL are fetched online only
when `options.fetch_revocation` is set, and only for certificates on a path to a trust root
(certificates are never fetched from URLs found in the file: the chain must be embedded).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509
from django.utils import timezone

from edoc.pdfcheck import pdf_digest, pdf_head, pdf_signature_count
from edoc.pdfium import PdfSource
from signing.validation.ades import legacy_context, validate_one
from signing.validation.chain import distinguished_name, iso_time
from signing.validation.etsi import etsi_xml_merge, etsi_xml_one
from signing.validation.options import VerificationOptions, verification_options
from signing.validation.reading import open_reader
from signing.validation.report import SCHEMA, broken_signature_entry, judge, signature_entry

logger = logging.getLogger(__name__)


@dataclass
class Verification:
    """The result of one verification run."""

    report: dict[str, Any]
    etsi_xml: str = ""
    signatures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.report.get("ok"))

    @property
    def signature_count(self) -> int:
        return int(self.report.get("signature_count", 0))

    @property
    def summary(self) -> str:
        return str(self.report.get("summary", ""))


async def _document_timestamps(reader, options: VerificationOptions) -> list[dict[str, Any]]:
    from pyhanko.sign.validation import async_validate_pdf_timestamp

    found = []
    for embedded in reader.embedded_timestamp_signatures:
        entry: dict[str, Any] = {"field": embedded.field_name}
        try:
            context = legacy_context(options, embedded.other_embedded_certs)
            status = await async_validate_pdf_timestamp(embedded, validation_context=context)
            entry.update(
                {
                    "time": iso_time(status.timestamp),
                    "tsa": distinguished_name(status.signing_cert.subject),
                    "intact": bool(status.intact),
                    "valid": bool(status.valid),
                    "trusted": bool(status.trusted),
                }
            )
        except Exception as exc:
            logger.info("document timestamp not evaluable: %s", exc)
            entry.update(
                {"time": None, "tsa": "", "intact": False, "valid": False, "trusted": False}
            )
        found.append(entry)
    return found


async def _verify_all(reader, options: VerificationOptions):
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY

    doc_ts_revisions = [ts.signed_revision for ts in reader.embedded_timestamp_signatures]
    entries: list[dict[str, Any]] = []
    xml_parts: list[str] = []
    for index, embedded_sig in enumerate(reader.embedded_regular_signatures, start=1):
        try:
            embedded_sig.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)
            result, process, embedded, offline, later_ts, has_ts = await validate_one(
                embedded_sig, doc_ts_revisions, options
            )
            entries.append(
                signature_entry(
                    index,
                    embedded_sig,
                    result,
                    process,
                    embedded,
                    offline,
                    later_ts,
                    has_ts,
                    options.trust_roots,
                )
            )
        except Exception as exc:
            logger.info("signature %s not evaluable", index, exc_info=True)
            entries.append(broken_signature_entry(index, embedded_sig, exc))
            continue
        xml = etsi_xml_one(embedded_sig, result)
        if xml:
            xml_parts.append(xml)
    timestamps = await _document_timestamps(reader, options)
    return entries, xml_parts, timestamps


def run_coroutine(coroutine):
    """Run a coroutine to completion from synchronous code. asyncio.run() refuses to run
    where an event loop is already running in this thread (an ASGI server, a Playwright
    session in tests): then the coroutine runs on its own loop in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def pdf_verify(
    content: PdfSource,
    options: VerificationOptions | None = None,
    *,
    extra_roots: Iterable[x509.Certificate] = (),
) -> Verification:
    """Verify every signature of a PDF. Raises PdfUnreadable for a file that is not a
    readable PDF; a PDF without signatures gives a report with signature_count 0.

    Without `options`, the admin-managed trust roots (plus `extra_roots`) and settings apply.
    `content` is the file's bytes or its path: a file without signatures (most incoming ones)
    is then never read whole; pyHanko reads a signed one from memory.
    """
    unsigned = pdf_head(content).count(b"%PDF-") and pdf_signature_count(content) == 0
    sha256, size = pdf_digest(content)
    if not unsigned and not isinstance(content, bytes):
        content = Path(content).read_bytes()
    reader = None if unsigned else open_reader(content)  # nothing signed: pyHanko need not read it
    options = options or verification_options(extra_roots)
    if reader is None:
        entries, xml_parts, timestamps = [], [], []
    else:
        entries, xml_parts, timestamps = run_coroutine(_verify_all(reader, options))
    certification = next(
        (
            {"field": e["field"], "permission": e["docmdp_permission"]}
            for e in entries
            if e["kind"] == "certification"
        ),
        None,
    )
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "verified_at": timezone.now().isoformat(),
        "file": {"sha256": sha256, "size": size},
        "ok": False,  # judge
        "signature_count": len(entries),
        "summary": "",
        "summary_en": "",
        "certification": certification,
        "trust_roots": [
            {"subject": distinguished_name(r.subject), "sha256": r.sha256.hex()}
            for r in options.trust_roots
        ],
        "fetch_revocation": options.fetch_revocation,
        "document_timestamps": timestamps,
        "signatures": entries,
        "error": None,
    }
    judge(report)
    return Verification(report=report, etsi_xml=etsi_xml_merge(xml_parts), signatures=entries)
