"""The organisation signature (seal) of the agency, with the key on the PKCS#11 token."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import Document, User
from edoc.selectors.access import Actor
from identity.stepup import signing_reauth_check
from signing import fields as pdf_fields
from signing.backends.base import KeyBackend
from signing.errors import SigningRefused
from signing.models import SignatureRecord
from signing.services.pdf import SigningPolicy, run, sign_pdf_bytes
from signing.services.versions import record_refusal, record_signature, source_file
from signing.stamps import SealStamp

Kind = SignatureRecord.Kind


def seal_document(
    *, user: User, document: Document, key: KeyBackend | None = None
) -> SignatureRecord:
    """Apply the agency's organisation signature (seal) to an issued document, with the key on
    the PKCS#11 token unless another backend is given. Only its issuing clerk triggers it."""
    from signing.backends.pkcs11 import Pkcs11Key

    document = Document.objects.select_related("agency").get(pk=document.pk)
    key = key or Pkcs11Key()
    if document.status == Document.Status.ISSUED and document.issued_by_id == user.pk:
        signing_reauth_check(user)
    try:
        if document.status != Document.Status.ISSUED or document.issued_by_id != user.pk:
            raise SigningRefused(
                _("Only the clerk who issues the document applies the organisation seal."),
                "not_issuer",
            )
        source, content = source_file(document)
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
        record_refusal(user, document, error, key_source=key.source, kind=Kind.ORGANISATION)
        raise
    return record_signature(
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
