"""A signed (or numbered) file as a new version of the document's file.

Each signature is a new `DocumentFile` version (content-addressed, like uploads) and a
`SignatureRecord`, audited as "signing.sign" with a "signing.key_use" entry. Refusals (wrong
passphrase, revoked certificate, someone else's certificate, TSA down, not your step …) leave
the document unchanged, raise `SigningRefused` and are audited as "signing.refused".
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from edoc.models import Document, DocumentEvent, DocumentFile, User
from edoc.selectors.access import Actor
from edoc.services.audit import audit_record
from edoc.services.files import FileIntegrityError, StoredBlob, ValidatedPdf, file_read_verified
from edoc.services.text import file_text_copy
from signing.audit import refusal_record
from signing.errors import SigningRefused
from signing.models import SignatureRecord
from signing.services.pdf import SignedPdf


def store_version(
    *,
    document: Document,
    source: DocumentFile,
    content: bytes,
    user: User,
    comment: str,
) -> DocumentFile:
    """A system-produced version of the document's file: content-addressed like uploads, same
    pages and text as its source. Call inside the transaction that records it."""
    sha256 = hashlib.sha256(content).hexdigest()
    pdf = ValidatedPdf(
        content=content, name=source.original_name, sha256=sha256, page_count=source.page_count or 0
    )
    with StoredBlob(pdf) as blob:
        Document.objects.select_for_update().filter(pk=document.pk).first()
        last = document.files.order_by("-version").values_list("version", flat=True).first() or 0
        version = DocumentFile(
            document=document,
            version=last + 1,
            original_name=source.original_name,
            size=len(content),
            sha256=sha256,
            page_count=source.page_count,
            active_content=source.active_content,
            comment=comment[:255],
            uploaded_by=user,
        )
        version.file.name = blob.name
        version.save()
        file_text_copy(source, version)
    return version


def source_file(document: Document) -> tuple[DocumentFile, bytes]:
    """The document's latest file and its verified bytes; SigningRefused otherwise."""
    source = document.latest_file()
    if source is None:
        raise SigningRefused(_("The document has no file to sign."), "no_file")
    try:
        return source, file_read_verified(source)
    except FileIntegrityError:
        raise SigningRefused(
            _("The stored file no longer matches its recorded checksum; it will not be signed."),
            "integrity",
        )


def record_signature(
    *,
    user: User,
    document: Document,
    source: DocumentFile,
    signed: SignedPdf,
    kind: str,
    key_source: str,
    field_name: str,
    signed_at: datetime.datetime,
    actor: Actor,
    comment: str,
) -> SignatureRecord:
    """The signed file as a new version, its SignatureRecord, event and audit entries."""
    with transaction.atomic():
        version = store_version(
            document=document, source=source, content=signed.content, user=user, comment=comment
        )
        record = SignatureRecord.objects.create(
            document=document,
            source_file=source,
            signed_file=version,
            signer=user,
            kind=kind,
            key_source=key_source,
            field_name=field_name,
            level=signed.level,
            certificate_subject=signed.certificate.subject.human_friendly[:500],
            certificate_sha256=hashlib.sha256(signed.certificate.dump()).hexdigest(),
            signed_at=signed_at,
        )
        DocumentEvent.objects.create(
            document=document,
            action=DocumentEvent.Action.FILE_ADDED,
            actor=actor.user,
            on_behalf_of=actor.on_behalf_of,
            comment=f"v{version.version}: {comment}",
        )
        audit_record(
            actor=user,
            on_behalf_of=actor.on_behalf_of,
            action="signing.key_use",
            target=document,
            details={
                **signed.key_details,
                "certificate_sha256": record.certificate_sha256,
                "purpose": kind,
            },
        )
        audit_record(
            actor=user,
            on_behalf_of=actor.on_behalf_of,
            action="signing.sign",
            target=document,
            details={
                "kind": kind,
                "key_source": key_source,
                "field": field_name,
                "level": signed.level,
                "certified": signed.certified,
                "certificate": record.certificate_subject,
                "certificate_sha256": record.certificate_sha256,
                "source_version": source.version,
                "version": version.version,
                "sha256": version.sha256,
            },
        )
    return record


def record_refusal(user: User, document: Document, error: SigningRefused, **details: Any) -> None:
    """Audit a refusal as "signing.refused", with its message and whether the key was used."""
    refusal_record(
        actor=user,
        target=document,
        code=error.refusal_code,
        details={"message": error.text, "key_used": error.key_used, **error.details, **details},
    )
