"""Signing one field of a PDF's bytes with a key: the PDF part, without database access (it
runs in an event loop).

Levels: B-B without a timestamp authority, B-T (RFC 3161 signature timestamp) when
`SigningSettings.tsa_url` is set, B-LT when revocation data of the signer's chain was obtained
and `embed_validation_info` is on (OCSP responses and CRLs go into the DSS), B-LTA with
`EDOC_SIGNING_LTA=1` (a document timestamp follows).
"""

from __future__ import annotations

import asyncio
import datetime
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from asn1crypto import x509
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

from edoc.pdfcheck import pdf_has_trailer
from signing import fields as pdf_fields
from signing.backends.base import KeyBackend, OpenedKey, PdfSigningRequest
from signing.certificates import active_trust_roots, check_certificate, require_registered
from signing.conf import lta_enabled
from signing.errors import SigningRefused
from signing.models import SigningSettings
from signing.stamps import PersonalStamp, SealStamp

Stamp = PersonalStamp | SealStamp

TSA_TIMEOUT_SECONDS = 10
DIGEST = "sha256"


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


def open_writer(content: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer on the PDF; SigningRefused when it is damaged or encrypted."""
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
    writer = open_writer(content)
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
