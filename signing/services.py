"""Signing outgoing documents: personal signatures, the organisation seal, numbering after
signing.

- `sign_document` adds one person's PAdES signature to the document's latest file: only the
  assignee of the document's open "sign" step may (or their delegate), and only with a
  certificate registered to their own account and approved (signing.signer_certificates);
  the visible stamp names the certificate's holder, title and organisation. The first signature
  places the number, date and every signature field and certifies the document with DocMDP
  "fill forms" (so the clerk can number it later), the next ones sign their prepared field
  in an incremental update that keeps the earlier signatures valid.
- `fill_number_fields` writes the number and issue date into the prepared fields (only form
  filling: the signatures stay valid); `seal_document` applies the agency's organisation
  signature with the key on the PKCS#11 token. `issue_receiver` does both when the clerk issues
  the document (edoc's `document_action` signal, action "issue").

Levels: B-B without a timestamp authority, B-T (RFC 3161 signature timestamp) when
`SigningSettings.tsa_url` is set, B-LT when revocation data of the signer's chain was obtained
and `embed_validation_info` is on (OCSP responses and CRLs go into the DSS), B-LTA with
`EDOC_SIGNING_LTA=1` (a document timestamp follows).

Each signature is a new `DocumentFile` version (content-addressed, like uploads) and a
`SignatureRecord`, audited as "signing.sign" with a "signing.key_use" entry. Refusals (wrong
passphrase, revoked certificate, someone else's certificate, TSA down, not your step …) leave
the document unchanged, raise `SigningRefused` and are audited as "signing.refused". Secrets
(passphrase, PIN, key bytes) never reach the database or the log.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import io
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from asn1crypto import x509
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.pdf_embedded import read_certification_data
from pyhanko.stamp import BaseStampStyle
from pyhanko_certvalidator import ValidationContext

from edoc.models import Document, DocumentEvent, DocumentFile, User
from edoc.pdfcheck import pdf_has_trailer
from edoc.selectors.access import Actor
from edoc.services.audit import audit_record
from edoc.services.files import FileIntegrityError, StoredBlob, ValidatedPdf, file_read_verified
from edoc.services.text import file_text_copy
from signing import fields as pdf_fields
from signing.audit import refusal_record
from signing.backends.base import KeyBackend, OpenedKey, PdfSigningRequest
from signing.certificates import active_trust_roots, check_certificate, require_registered
from signing.conf import lta_enabled, pkcs11_settings
from signing.errors import SigningRefused
from signing.models import SignatureRecord, SigningSettings
from signing.selectors import signer_certificate_statuses
from signing.stamps import PersonalStamp, SealStamp

Stamp = PersonalStamp | SealStamp

logger = logging.getLogger(__name__)

Kind = SignatureRecord.Kind
TSA_TIMEOUT_SECONDS = 10
DIGEST = "sha256"
SIGN_ACTION = "sign"


@dataclass(frozen=True)
class SigningPolicy:
    """What the admin configured, read once before signing (no database access afterwards)."""

    tsa_url: str
    fetch_revocation: bool
    embed_validation_info: bool
    lta: bool
    trust_roots: list[x509.Certificate] = field(default_factory=list)

    @classmethod
    def load(cls) -> SigningPolicy:
        row = SigningSettings.objects.filter(pk=1).first()
        return cls(
            tsa_url=row.tsa_url if row else "",
            fetch_revocation=row.fetch_revocation if row else True,
            embed_validation_info=row.embed_validation_info if row else True,
            lta=lta_enabled(),
            trust_roots=active_trust_roots(),
        )


@dataclass
class SignedPdf:
    content: bytes
    level: str
    certificate: x509.Certificate
    key_details: dict[str, str]
    certified: bool


# --- The PDF part (no database access: it runs in an event loop).


def _open_writer(content: bytes) -> IncrementalPdfFileWriter:
    if not pdf_has_trailer(content):  # pyHanko would search for it for seconds, then fail
        raise SigningRefused(
            _("The PDF is damaged and cannot be signed (%(error)s).")
            % {"error": _("no end-of-file marker at its end")},
            "damaged",
        )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise SigningRefused(
            _("The PDF is damaged and cannot be signed (%(error)s).")
            % {"error": type(error).__name__},
            "damaged",
        )
    if writer.prev.encrypted or writer.security_handler is not None:
        raise SigningRefused(
            _("The PDF is encrypted or password-protected; it cannot be signed."), "encrypted"
        )
    return writer


def _filled_signature_fields(writer: IncrementalPdfFileWriter) -> list[str]:
    from pyhanko.sign.fields import enumerate_sig_fields

    return [name for name, value, _ref in enumerate_sig_fields(writer.prev) if value is not None]


def _prepare_field(
    writer: IncrementalPdfFileWriter, field_name: str, plan: pdf_fields.FieldPlan, content: bytes
) -> bool:
    """Make sure the target field is there and empty. Returns True when this signature is the
    first one and certifies the document."""
    certification = read_certification_data(writer.prev)
    if certification is not None and certification.permission == MDPPerm.NO_CHANGES:
        raise SigningRefused(
            _(
                "The document was certified by its author with no changes allowed; it cannot be "
                "signed again."
            ),
            "certified_no_changes",
        )
    existing = pdf_fields.field_names(writer.prev)
    signed = _filled_signature_fields(writer)
    if field_name in existing and existing[field_name]:
        raise SigningRefused(
            _("This signature has already been applied to the document."), "already_signed"
        )
    if not signed:
        pdf_fields.add_fields(writer, plan, hints=pdf_fields.detect_layout(content))
        return certification is None
    if field_name not in existing:
        if certification is not None:
            raise SigningRefused(
                _(
                    "The document's certification does not allow adding this signature: its "
                    "field was not prepared before the first signature."
                ),
                "no_prepared_field",
            )
        pdf_fields.add_fields(writer, plan, only={field_name})
    return False


async def sign_pdf_bytes(
    content: bytes,
    key: KeyBackend,
    *,
    field_name: str,
    plan: pdf_fields.FieldPlan,
    stamp: Stamp | Callable[[x509.Certificate], Stamp] | None,
    policy: SigningPolicy,
    now: datetime.datetime,
    reason: str = "",
    location: str = "",
    registrations: Mapping[str, str] | None = None,
) -> SignedPdf:
    """Sign one field of a PDF with the key (opened once). Raises SigningRefused.

    `stamp` is the visible stamp, or a function making it from the key's certificate.
    With `registrations` (the signing user's registered certificates, fingerprint → status)
    the key's certificate must be one of them, approved."""
    writer = _open_writer(content)
    certify = _prepare_field(writer, field_name, plan, content)
    context: ValidationContext | None = None
    try:
        async with key.open() as opened:
            check = await check_certificate(
                opened.certificate,
                opened.chain,
                trust_roots=policy.trust_roots,
                fetch_revocation=policy.fetch_revocation,
                now=now,
            )
            context = check.validation_context
            if registrations is not None:
                require_registered(opened.certificate, registrations)
            timestamper = (
                HTTPTimeStamper(policy.tsa_url, timeout=TSA_TIMEOUT_SECONDS)
                if policy.tsa_url
                else None
            )
            long_term = bool(timestamper and policy.embed_validation_info and check.revocation_data)
            archive = bool(long_term and policy.lta)
            meta = PdfSignatureMetadata(
                field_name=field_name,
                md_algorithm=DIGEST,
                subfilter=SigSeedSubFilter.PADES,
                certify=certify,
                docmdp_permissions=MDPPerm.FILL_FORMS,
                embed_validation_info=long_term,
                use_pades_lta=archive,
                validation_context=context if long_term else None,
                signer_key_usage=set(),
                reason=reason or None,
                location=location or None,
            )
            output = io.BytesIO()
            style = None
            if callable(stamp):
                stamp = stamp(opened.certificate)
            if stamp is not None:
                width = pdf_fields.field_width(writer, field_name) or 210
                style = stamp.style(width, main=field_name == plan.main_field)
            await _sign_with(opened, writer, meta, timestamper, style, output, policy.tsa_url)
            level = "B-LTA" if archive else "B-LT" if long_term else "B-T" if timestamper else "B-B"
            return SignedPdf(
                content=output.getvalue(),
                level=level,
                certificate=opened.certificate,
                key_details=opened.describe(),
                certified=certify,
            )
    finally:
        if context is not None:
            await context.aclose()


async def _sign_with(
    opened: OpenedKey,
    writer: IncrementalPdfFileWriter,
    meta: PdfSignatureMetadata,
    timestamper: HTTPTimeStamper | None,
    stamp_style: BaseStampStyle | None,
    output: io.BytesIO,
    tsa_url: str,
) -> None:
    request = PdfSigningRequest(
        writer=writer,
        meta=meta,
        timestamper=timestamper,
        stamp_style=stamp_style,
        output=output,
    )
    try:
        await opened.sign_pdf(request)
    except TimestampRequestError:
        raise SigningRefused(
            _("The timestamp authority (%(url)s) did not answer; nothing was signed.")
            % {"url": tsa_url},
            "tsa_unavailable",
            key_used=True,
        )
    except SigningError as error:
        message = str(error)
        if "timestamp" in message.lower() or "TSA" in message:
            raise SigningRefused(
                _("The timestamp authority (%(url)s) did not answer; nothing was signed.")
                % {"url": tsa_url},
                "tsa_unavailable",
                key_used=True,
            )
        raise SigningRefused(
            _("The document could not be signed: %(error)s") % {"error": message},
            "signing_failed",
            key_used=True,
        )


def run(coroutine):
    """Run one signing operation's coroutine (a sync Django request has no event loop)."""
    return asyncio.run(coroutine)


# --- Who may sign.


def _open_sign_items(document: Document):
    from workflows.models import WorkItem

    return WorkItem.objects.filter(
        document=document, status=WorkItem.Status.OPEN, action=SIGN_ACTION
    ).order_by("pk")


def sign_step_for(user: User, document: Document, work_item=None):
    """The open "sign" work item `user` may complete for `document` and the actor (the user,
    maybe on behalf of the assignee), or (None, None)."""
    from workflows.services.processes import work_item_actor

    items = [work_item] if work_item is not None else list(_open_sign_items(document))
    for item in items:
        if (
            item is None
            or item.document_id != document.pk
            or item.action != SIGN_ACTION
            or item.status != item.Status.OPEN
        ):
            continue
        actor = work_item_actor(user, item)
        if actor is not None:
            return item, actor
    return None, None


def signature_plan(work_item) -> tuple[pdf_fields.FieldPlan, str]:
    """The document's signature fields, from the process definition: one per "sign" step in
    the order the graph reaches them (the last one is the main signer), and the slot of
    `work_item`'s step."""
    from workflows.engine import graph_of

    graph = graph_of(work_item.run.process)
    steps = graph.by_id
    ordered: list[str] = []
    seen: set[str] = set()
    queue = [graph.start] if graph.start else []
    while queue:
        step_id = queue.pop(0)
        if step_id in seen or step_id not in steps:
            continue
        seen.add(step_id)
        step = steps[step_id]
        if step.action == SIGN_ACTION:
            ordered.append(step_id)
        queue.extend(
            target
            for target in [step.next, *(b.get("next") for b in step.branches), step.default]
            if target
        )
    if work_item.step_id not in ordered:
        ordered.append(work_item.step_id)
    return pdf_fields.FieldPlan(slots=tuple(ordered)), work_item.step_id


# --- Versions.


def _store_version(
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


def _source_file(document: Document) -> tuple[DocumentFile, bytes]:
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


def _record(
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
    with transaction.atomic():
        version = _store_version(
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


def _refuse(user: User, document: Document, error: SigningRefused, **details: Any) -> None:
    refusal_record(
        actor=user,
        target=document,
        code=error.refusal_code,
        details={"message": error.text, "key_used": error.key_used, **error.details, **details},
    )


# --- Services.


def sign_document(
    *,
    user: User,
    document: Document,
    key: KeyBackend,
    work_item=None,
    signature_image: bytes | None = None,
    reason: str = "",
) -> SignatureRecord:
    """Sign the document's latest file as the assignee of its open "sign" step, with a
    certificate registered to `user` and approved; the stamp comes from that certificate."""
    item, actor = sign_step_for(user, document, work_item)
    if item is None:
        refusal_record(
            actor=user,
            target=document,
            code="not_your_step",
            details={"key_source": key.source},
        )
        raise PermissionDenied(
            _("Only the person whose signing step it is may sign this document.")
        )
    document = Document.objects.select_related("agency").get(pk=document.pk)
    try:
        if document.direction != Document.Direction.OUTGOING or document.status not in (
            Document.Status.IN_REVIEW,
            Document.Status.READY,
        ):
            raise SigningRefused(
                _("Only an outgoing document under review or awaiting issuance can be signed."),
                "wrong_status",
            )
        plan, slot = signature_plan(item)
        field_name = pdf_fields.signature_field_name(slot)
        source, content = _source_file(document)
        policy = SigningPolicy.load()
        registrations = signer_certificate_statuses(actor.user)
        now = timezone.now()
        signed = run(
            sign_pdf_bytes(
                content,
                key,
                field_name=field_name,
                plan=plan,
                stamp=partial(PersonalStamp.for_certificate, signed_at=now, image=signature_image),
                policy=policy,
                now=now,
                reason=reason or _("Approved for issuance"),
                location=document.agency.place_name,
                registrations=registrations,
            )
        )
    except SigningRefused as error:
        _refuse(user, document, error, key_source=key.source)
        raise
    return _record(
        user=user,
        document=document,
        source=source,
        signed=signed,
        kind=Kind.CERTIFICATION if signed.certified else Kind.PERSONAL,
        key_source=key.source,
        field_name=field_name,
        signed_at=now,
        actor=actor,
        comment=_("digitally signed by %(name)s (%(level)s)")
        % {"name": signed.certificate.subject.native.get("common_name", ""), "level": signed.level},
    )


def date_line(place: str, day: datetime.date) -> str:
    """ "Đồng Nai, ngày 05 tháng 3 năm 2026": days below 10 and months 1-2 take a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _has_empty_number_fields(content: bytes) -> bool:
    if not pdf_has_trailer(content):
        return False
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    except (PdfReadError, ValueError, KeyError, TypeError):
        return False
    names = pdf_fields.field_names(writer.prev)
    return names.get(pdf_fields.NUMBER_FIELD) is False and names.get(pdf_fields.DATE_FIELD) is False


def fill_number_fields(
    document: Document, number_text: str, date_text: str, *, user: User | None = None
) -> DocumentFile | None:
    """Write the number and the issue date into the prepared fields of the document's latest
    file, as a new version (form filling only: the signatures stay valid). None when the file
    has no such empty fields (not prepared for signing, or already numbered)."""
    user = user or document.issued_by
    source, content = _source_file(document)
    if not _has_empty_number_fields(content):
        return None
    writer = _open_writer(content)
    pdf_fields.fill_text_fields(
        writer, {pdf_fields.NUMBER_FIELD: number_text, pdf_fields.DATE_FIELD: date_text}
    )
    output = io.BytesIO()
    writer.write(output)
    with transaction.atomic():
        version = _store_version(
            document=document,
            source=source,
            content=output.getvalue(),
            user=user,
            comment=_("number and issue date filled in: %(number)s") % {"number": number_text},
        )
        DocumentEvent.objects.create(
            document=document,
            action=DocumentEvent.Action.FILE_ADDED,
            actor=user,
            comment=f"v{version.version}: {number_text}",
        )
        audit_record(
            actor=user,
            action="signing.number_fill",
            target=document,
            details={
                "number": number_text,
                "date": date_text,
                "source_version": source.version,
                "version": version.version,
                "sha256": version.sha256,
            },
        )
    return version


def seal_document(
    *, user: User, document: Document, key: KeyBackend | None = None
) -> SignatureRecord:
    """Apply the agency's organisation signature (seal) to an issued document, with the key on
    the PKCS#11 token unless another backend is given. Only its issuing clerk triggers it."""
    from signing.backends.pkcs11 import Pkcs11Key

    document = Document.objects.select_related("agency").get(pk=document.pk)
    key = key or Pkcs11Key()
    try:
        if document.status != Document.Status.ISSUED or document.issued_by_id != user.pk:
            raise SigningRefused(
                _("Only the clerk who issues the document applies the organisation seal."),
                "not_issuer",
            )
        source, content = _source_file(document)
        policy = SigningPolicy.load()
        now = timezone.now()
        agency = document.agency
        signed = run(
            sign_pdf_bytes(
                content,
                key,
                field_name=pdf_fields.SEAL_FIELD,
                plan=pdf_fields.FieldPlan(),
                stamp=SealStamp(
                    agency_name=agency.name, parent_name=agency.parent_name, signed_at=now
                ),
                policy=policy,
                now=now,
                reason=_("Issued: %(symbol)s") % {"symbol": document.symbol},
                location=agency.place_name,
            )
        )
    except SigningRefused as error:
        _refuse(user, document, error, key_source=key.source, kind=Kind.ORGANISATION)
        raise
    return _record(
        user=user,
        document=document,
        source=source,
        signed=signed,
        kind=Kind.ORGANISATION,
        key_source=key.source,
        field_name=pdf_fields.SEAL_FIELD,
        signed_at=now,
        actor=Actor(user),
        comment=_("organisation seal of %(agency)s (%(level)s)")
        % {"agency": agency.name, "level": signed.level},
    )


def issue_signed_document(*, user: User, document: Document) -> None:
    """At issuance: fill the number and date fields of a signed document, then seal it with the
    organisation key (when a token is configured). Documents not prepared for signing are left
    as they are."""
    if not document.signature_records.exists():
        return
    version = fill_number_fields(
        document,
        f"Số: {document.symbol}",
        date_line(document.place or document.agency.place_name, document.issue_date),
        user=user,
    )
    if version is None:
        return
    if pkcs11_settings().configured:
        seal_document(user=user, document=document)
    else:
        logger.info("No PKCS#11 token configured: document %s issued without the seal", document.pk)
    _refresh_internal_copies(document, user)


def _refresh_internal_copies(document: Document, user: User) -> None:
    """Internal recipients registered during issuance got the file as it was before numbering;
    give them the numbered (and sealed) file as their new version."""
    latest = document.latest_file()
    for recipient in document.recipients.filter(internal_copy__isnull=False).select_related(
        "internal_copy"
    ):
        copy = recipient.internal_copy
        current = copy.latest_file()
        if current is None or current.sha256 == latest.sha256:
            continue
        refreshed = DocumentFile.objects.create(
            document=copy,
            version=current.version + 1,
            file=latest.file.name,
            original_name=latest.original_name,
            size=latest.size,
            sha256=latest.sha256,
            page_count=latest.page_count,
            active_content=latest.active_content,
            comment=latest.comment,
            uploaded_by=user,
        )
        file_text_copy(latest, refreshed)


def issue_receiver(sender, document: Document, user: User, action: str, **kwargs: Any) -> None:
    """edoc `document_action` receiver: on "issue", number and seal signed documents."""
    if action != "issue":
        return
    try:
        issue_signed_document(user=user, document=document)
    except SigningRefused as error:
        # Issuance is refused with it (its transaction rolls back): say why, plainly.
        raise ValidationError(
            _("The document was not issued: %(reason)s") % {"reason": error.text},
            code=error.refusal_code,
        )
