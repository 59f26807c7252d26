"""Verify the digital signatures of any PDF (being split into modules)."""

from signing.validation.report import (  # noqa: F401
    SCHEMA,
    PdfUnreadable,
    ReportVerdict,
    SignatureVerdict,
    Verification,
    VerificationOptions,
    changes_after_signing,
    distinguished_name,
    document_summary,
    etsi_xml_merge,
    modification_text,
    pdf_verify,
    report_verdict,
    run_coroutine,
    signature_summary,
    signature_verdict,
    trust_problem_text,
    unreadable_report,
    verification_options,
)
