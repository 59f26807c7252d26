"""Verify stored file versions and keep the reports (audited); verify incoming PDFs at
registration through a Celery task queued when the registration commits.

`document_file_verify` is the write service; `verify_document_file_task` runs it in the
worker (in-process in the embedded, eager mode); `verify_on_registration` is the
`edoc.signals.document_created` receiver connected in SigningConfig.ready().
"""

from __future__ import annotations

import json
import logging
from typing import Any

from celery import shared_task
from django.db import transaction

from edoc.models import Document, DocumentFile, User
from edoc.services.audit import audit_record
from edoc.services.files import FileIntegrityError, file_read_verified
from signing.models import VerificationReport
from signing.validation.options import verification_options
from signing.validation.reading import PdfUnreadable
from signing.validation.report import unreadable_report
from signing.validation.verify import Verification, pdf_verify

logger = logging.getLogger(__name__)


def document_file_verify(
    *,
    document_file: DocumentFile,
    trigger: str = VerificationReport.Trigger.MANUAL,
    user: User | None = None,
) -> VerificationReport:
    """Verify the signatures of one stored file version and store the report.

    The verification (which may fetch OCSP/CRL) runs outside any transaction; the report and
    its audit entry are written together. A stored file that fails its SHA-256 check or is
    not a readable PDF gets a report saying so.
    """
    etsi_xml = ""
    try:
        content = file_read_verified(document_file)
    except FileIntegrityError:
        report = unreadable_report(b"", PdfUnreadable("integrity"))
    else:
        try:
            verification: Verification = pdf_verify(content, verification_options())
            report, etsi_xml = verification.report, verification.etsi_xml
        except PdfUnreadable as error:
            report = unreadable_report(content, error)
    with transaction.atomic():
        row = VerificationReport.objects.create(
            document_file=document_file,
            signature_count=report["signature_count"],
            all_valid=bool(report["ok"]),
            summary=str(report["summary"])[:255],
            report=report,
            etsi_report=etsi_xml,
            trigger=trigger,
            requested_by=user if getattr(user, "pk", None) else None,
        )
        audit_record(
            actor=user,
            action="signature.verify",
            target=document_file.document,
            details={
                "document_file": document_file.pk,
                "version": document_file.version,
                "file_sha256": document_file.sha256,
                "trigger": trigger,
                "signatures": row.signature_count,
                "all_valid": row.all_valid,
                "report": row.pk,
            },
        )
    return row


def verification_report_export(*, user: User, report: VerificationReport, fmt: str) -> str:
    """The stored report as JSON ("json") or ETSI TS 119 102-2 XML ("xml"); the download is
    audited like a file download."""
    if fmt == "json":
        content = json.dumps(report.report, ensure_ascii=False, indent=2)
    elif fmt == "xml":
        content = report.etsi_report
    else:
        raise ValueError(f"unknown report format {fmt!r}")
    audit_record(
        actor=user,
        action="signature.report_download",
        target=report.document_file.document,
        details={"document_file": report.document_file_id, "report": report.pk, "format": fmt},
    )
    return content


@shared_task(name="signing.verify_document_file", ignore_result=True)
def verify_document_file_task(
    document_file_id: int, trigger: str = VerificationReport.Trigger.REGISTRATION, user_id=None
) -> int | None:
    """Verify one file version in the background; never fails the caller (a broken file or
    an unexpected error is logged, not raised into the registration request)."""
    document_file = (
        DocumentFile.objects.select_related("document").filter(pk=document_file_id).first()
    )
    if document_file is None:
        return None
    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        return document_file_verify(document_file=document_file, trigger=trigger, user=user).pk
    except Exception:
        logger.exception("verification of document file %s failed", document_file_id)
        return None


def verify_on_registration(sender: Any, document: Document, user: User, **kwargs: Any) -> None:
    """document_created receiver: verify an incoming document's file once registration
    has committed (an outgoing draft has nothing signed to check yet)."""
    if document.direction != Document.Direction.INCOMING:
        return
    document_file = document.files.order_by("-version").first()
    if document_file is None:
        return
    file_id, user_id = document_file.pk, getattr(user, "pk", None)
    transaction.on_commit(
        lambda: verify_document_file_task.delay(
            file_id, VerificationReport.Trigger.REGISTRATION, user_id
        )
    )
