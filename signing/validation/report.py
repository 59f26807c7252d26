"""The JSON report of a verification: one entry per signature, built from pyHanko's results,
judged by `signing.validation.verdict`; and the report of a file that could not be read.

JSON report (schema "edoc.signature-verification/1"; keys are stable, values in English
codes except the Vietnamese summaries):

    schema            "edoc.signature-verification/1"
    verified_at       ISO 8601 time of the verification
    file              {"sha256", "size"}
    ok                true when there is at least one signature and every signature is ok
    signature_count   number of signatures (document timestamps not counted)
    summary           plain Vietnamese summary of the whole file; summary_en the same in English
    certification     {"field", "permission"} of the certification signature (DocMDP) or null
    trust_roots       [{"subject", "sha256"}] the roots this verification trusted
    fetch_revocation  whether OCSP/CRL could be fetched online
    document_timestamps  [{"field", "time", "tsa", "intact", "valid", "trusted"}]
    signatures        one object per signature, in file order:
      index           1, 2, …
      field           signature field name
      kind            "approval" | "certification"
      subfilter       e.g. "ETSI.CAdES.detached"
      signer          {"subject", "common_name", "organization", "issuer", "serial",
                       "sha256", "not_before", "not_after", "key_usage"}; subject and issuer
                      are RFC 4514 names ("CN=…, O=…, C=VN"), serial in hex, sha256 of the DER
      chain           certificates from the signer up to the trust root (or as far as the
                      file's certificates go): [{"subject", "issuer", "sha256", "not_before",
                      "not_after", "is_trust_root"}]
      signing_time    time claimed by the signer (not proof), or null
      timestamp       {"time", "tsa", "intact", "valid", "trusted"} of the RFC 3161 signature
                      timestamp, or null
      intact          the signed bytes are unchanged (digest matches)
      valid           the cryptographic signature is correct
      trusted         the certificate chains to a trust root, is valid, allowed to sign and
                      not revoked
      revoked         the signer's (or a CA's) certificate is revoked
      revocation      {"date", "reason"} when revoked, else null
      trust_problem   ETSI sub-indication of the trust failure (e.g.
                      "NO_CERTIFICATE_CHAIN_FOUND"), or null
      coverage        "ENTIRE_FILE" | "ENTIRE_REVISION" | "CONTIGUOUS_BLOCK_FROM_START" | "UNCLEAR"
      modified_after_signing  the file has revisions after this signature
      modification_level  "NONE" | "LTA_UPDATES" | "FORM_FILLING" | "ANNOTATIONS" | "OTHER" | null
      modifications_allowed  the later changes are allowed by the DocMDP policy (null: unknown)
      modification_note  why later changes were judged suspicious, or null
      docmdp_permission  "NO_CHANGES" | "FILL_FORMS" | "ANNOTATE" of a certification signature
      ltv             {"validation_info_embedded", "validatable_offline"}
      pades_level     "B-B" | "B-T" | "B-LT" | "B-LTA" (a guess from what the file contains)
      ades            {"indication": "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE",
                       "subindication", "process": "Basic" | "LTVM" | "LTA"}
      ok              intact, valid, trusted, timestamp (if any) good and only allowed changes
      problems        codes of what is wrong: "not_intact", "invalid", "revoked",
                      "untrusted", "timestamp", "modified"
      summary         plain Vietnamese summary of this signature; summary_en in English
    error             null, or {"code", "message"} when the signatures could not be read
"""

from __future__ import annotations

from typing import Any

from asn1crypto import x509
from django.utils import timezone, translation

from edoc.pdfcheck import pdf_digest
from edoc.pdfium import PdfSource
from signing.validation.chain import chain_report, iso_time, signer_summary, timestamp_report
from signing.validation.reading import PdfUnreadable
from signing.validation.verdict import report_verdict, signature_problems

SCHEMA = "edoc.signature-verification/1"


def _modification_note(status) -> str | None:
    from pyhanko.sign.diff_analysis import DiffResult

    diff = getattr(status, "diff_result", None)
    if diff is None or isinstance(diff, DiffResult):
        return None
    return str(diff)[:500] or type(diff).__name__


def judge(report: dict[str, Any]) -> None:
    """Fill the verdicts of the report (ok, problems) and its Vietnamese and English
    summaries, all from `report_verdict`."""
    for language, key in (("en", "summary_en"), ("vi", "summary")):
        with translation.override(language):
            verdict = report_verdict(report)
            for entry, signature in zip(report["signatures"], verdict.signatures, strict=True):
                entry["problems"], entry["ok"] = list(signature.problems), signature.ok
                entry[key] = signature.summary
            report["ok"], report[key] = verdict.ok, verdict.summary


def signature_entry(
    index: int,
    embedded_sig,
    result,
    process: str,
    revinfo_embedded: bool,
    offline: bool,
    later_doc_ts: bool,
    has_ts: bool,
    roots: tuple[x509.Certificate, ...],
) -> dict[str, Any]:
    """The report entry of one signature from its AdES result and embedded-data facts."""
    status = result.api_status
    docmdp = embedded_sig.docmdp_level
    level = status.modification_level.name if status.modification_level is not None else None
    revocation = None
    if status.revocation_details is not None:
        details = status.revocation_details
        revocation = {
            "date": iso_time(details.revocation_date),
            "reason": details.revocation_reason.native,
            "ca_revoked": bool(details.ca_revoked),
        }
    trust_problem = status.trust_problem_indic
    ades_status = result.ades_subindic.status.name
    if has_ts:
        pades = "B-LTA" if later_doc_ts else ("B-LT" if revinfo_embedded else "B-T")
    else:
        pades = "B-B"
    entry: dict[str, Any] = {
        "index": index,
        "field": embedded_sig.field_name,
        "kind": "certification" if docmdp is not None else "approval",
        "subfilter": str(embedded_sig.sig_object.get("/SubFilter", ""))[1:],
        "signer": signer_summary(embedded_sig.signer_cert),
        "chain": chain_report(status, embedded_sig, roots),
        "signing_time": iso_time(embedded_sig.self_reported_timestamp),
        "timestamp": timestamp_report(status.timestamp_validity) if has_ts else None,
        "intact": bool(status.intact),
        "valid": bool(status.valid),
        "trusted": bool(status.trusted),
        "revoked": bool(status.revoked),
        "revocation": revocation,
        "trust_problem": trust_problem.name if trust_problem is not None else None,
        "coverage": status.coverage.name if status.coverage is not None else "UNCLEAR",
        "modified_after_signing": status.coverage is None or status.coverage.name != "ENTIRE_FILE",
        "modification_level": level,
        "modifications_allowed": status.docmdp_ok,
        "modification_note": _modification_note(status),
        "docmdp_permission": docmdp.name if docmdp is not None else None,
        "ltv": {"validation_info_embedded": revinfo_embedded, "validatable_offline": offline},
        "pades_level": pades,
        "ades": {
            "indication": {"PASSED": "TOTAL_PASSED", "FAILED": "TOTAL_FAILED"}.get(
                ades_status, ades_status
            ),
            "subindication": result.ades_subindic.name,
            "process": process,
        },
    }
    if has_ts and entry["timestamp"] is None:
        entry["timestamp"] = {
            "time": None,
            "tsa": "",
            "intact": False,
            "valid": False,
            "trusted": False,
        }
    entry["problems"] = signature_problems(entry)
    entry["ok"] = not entry["problems"]
    return entry


def broken_signature_entry(index: int, embedded_sig, exc: Exception) -> dict[str, Any]:
    """A signature pyHanko could not evaluate at all: reported as not intact."""
    try:
        signer = signer_summary(embedded_sig.signer_cert)
    except Exception:
        signer = None
    entry: dict[str, Any] = {
        "index": index,
        "field": getattr(embedded_sig, "field_name", ""),
        "kind": "approval",
        "subfilter": "",
        "signer": signer,
        "chain": [],
        "signing_time": None,
        "timestamp": None,
        "intact": False,
        "valid": False,
        "trusted": False,
        "revoked": False,
        "revocation": None,
        "trust_problem": None,
        "coverage": "UNCLEAR",
        "modified_after_signing": True,
        "modification_level": None,
        "modifications_allowed": None,
        "modification_note": f"{type(exc).__name__}: {exc}"[:500],
        "docmdp_permission": None,
        "ltv": {"validation_info_embedded": False, "validatable_offline": False},
        "pades_level": None,
        "ades": {"indication": "TOTAL_FAILED", "subindication": "FORMAT_FAILURE", "process": ""},
    }
    entry["problems"] = ["not_intact", "invalid"]
    entry["ok"] = False
    return entry


def unreadable_report(content: PdfSource, error: PdfUnreadable) -> dict[str, Any]:
    """The JSON report of a file (its bytes or path) that could not be read as a PDF."""
    sha256, size = pdf_digest(content)
    summaries = {}
    for language in ("vi", "en"):
        with translation.override(language):
            summaries[language] = error.message
    return {
        "schema": SCHEMA,
        "verified_at": timezone.now().isoformat(),
        "file": {"sha256": sha256, "size": size},
        "ok": False,
        "signature_count": 0,
        "summary": summaries["vi"],
        "summary_en": summaries["en"],
        "certification": None,
        "trust_roots": [],
        "fetch_revocation": False,
        "document_timestamps": [],
        "signatures": [],
        "error": {"code": error.code, "message": summaries["en"], "detail": error.detail},
    }
