"""Verify stored file versions and keep the reports (audited); verify incoming PDFs at
registration through a Celery task queued when the registration commits.

`document_file_verify` is the write service; `verify_document_file_task` runs it in the
worker (in-process in the embedded, eager mode); `verify_on_registration` is the
`edoc.signals.document_created` receiver connected in SigningConfig.ready(). During a bulk
import (`edoc.batch`) the batch's files are verified together when it ends (`verify_batch`):
one transaction for their reports, not one per file. A file without any signature (most
incoming PDFs) is not read by pyHanko at all (`edoc.pdfcheck.pdf_signature_count`).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from celery import shared_task
from django.db import transaction

from edoc.batch import batching
from edoc.models import Document, DocumentFile, User
from edoc.services.audit import AuditRecord, audit_record, audit_record_many
from edoc.services.files import FileIntegrityError, file_verified_copy
from signing.models import VerificationReport
from signing.validation.options import VerificationOptions, verification_options
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
    (row,) = document_files_verify(document_files=[document_file], trigger=trigger, user=user)
    return row


def document_files_verify(
    *,
    document_files: list[DocumentFile],
    trigger: str = VerificationReport.Trigger.MANUAL,
    user: User | None = None,
) -> list[VerificationReport]:
    """`document_file_verify` for several file versions (a batch of a bulk import): each is
    verified outside any transaction, then all the reports and their audit entries are
    written in one transaction."""
    options = verification_options() if document_files else None
    verified = [_verify_stored(document_file, options) for document_file in document_files]
    with transaction.atomic():
        rows = VerificationReport.objects.bulk_create(
            VerificationReport(
                document_file=document_file,
                signature_count=report["signature_count"],
                all_valid=bool(report["ok"]),
                summary=str(report["summary"])[:255],
                report=report,
                etsi_report=etsi_xml,
                trigger=trigger,
                requested_by=user if getattr(user, "pk", None) else None,
            )
            for document_file, (report, etsi_xml) in zip(document_files, verified, strict=True)
        )
        audit_record_many(
            [
                AuditRecord(
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
                for document_file, row in zip(document_files, rows, strict=True)
            ]
        )
    return rows


def _verify_stored(
    document_file: DocumentFile, options: VerificationOptions
) -> tuple[dict[str, Any], str]:
    """The report (and ETSI XML) of one stored file version; never raises for a bad file."""
    try:
        with file_verified_copy(document_file) as content:  # a large file: its path
            try:
                verification: Verification = pdf_verify(content, options)
            except PdfUnreadable as error:
                return unreadable_report(content, error), ""
    except FileIntegrityError:
        return unreadable_report(b"", PdfUnreadable("integrity")), ""
    return verification.report, verification.etsi_xml


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


@shared_task(name="signing.verify_document_files", ignore_result=True)
def verify_document_files_task(
    document_file_ids: list[int], trigger: str = VerificationReport.Trigger.REGISTRATION
) -> int:
    """Verify the files of a bulk import's batch, their reports written together; files whose
    registration rolled back are not there any more and are passed over."""
    files = list(
        DocumentFile.objects.select_related("document", "uploaded_by")
        .filter(pk__in=document_file_ids)
        .order_by("pk")
    )
    by_user: dict[int | None, list[DocumentFile]] = {}
    for document_file in files:
        by_user.setdefault(document_file.uploaded_by_id, []).append(document_file)
    for group in by_user.values():
        try:
            document_files_verify(document_files=group, trigger=trigger, user=group[0].uploaded_by)
        except Exception:
            logger.exception("verification of document files %s failed", [f.pk for f in group])
    return len(files)


_batch = threading.local()


def verify_on_registration(sender: Any, document: Document, user: User, **kwargs: Any) -> None:
    """document_created receiver: verify an incoming document's file once registration
    has committed (an outgoing draft has nothing signed to check yet). During a bulk import
    (`edoc.batch`) the files are verified when their batch ends, their reports written in one
    transaction (`verify_batch`)."""
    if document.direction != Document.Direction.INCOMING:
        return
    document_file = document.files.order_by("-version").first()
    if document_file is None:
        return
    file_id, user_id = document_file.pk, getattr(user, "pk", None)
    if batching():
        if not hasattr(_batch, "ids"):
            _batch.ids = []
        _batch.ids.append(file_id)
        return
    transaction.on_commit(
        lambda: verify_document_file_task.delay(
            file_id, VerificationReport.Trigger.REGISTRATION, user_id
        )
    )


def verify_batch(sender: Any, **kwargs: Any) -> None:
    """edoc `document_batch_done` receiver: verify the files the batch registered."""
    ids, _batch.ids = getattr(_batch, "ids", []), []
    if ids:
        verify_document_files_task.delay(ids)
