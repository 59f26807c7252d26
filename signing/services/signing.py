"""One person's signature on an outgoing document.

`sign_document` adds one person's PAdES signature to the document's latest file: only the
assignee of the document's open "sign" step may (or their delegate), and only with a
certificate registered to their own account and approved (signing.signer_certificates);
the visible stamp names the certificate's holder, title and organisation. The first signature
places the number, date and every signature field and certifies the document with DocMDP
"fill forms" (so the clerk can number it later), the next ones sign their prepared field
in an incremental update that keeps the earlier signatures valid.
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import Document, User
from identity.stepup import signing_reauth_check
from signing import fields as pdf_fields
from signing.audit import refusal_record
from signing.backends.base import KeyBackend
from signing.errors import SigningRefused
from signing.models import SignatureRecord
from signing.selectors import signer_certificate_statuses
from signing.services.pdf import SigningPolicy, run, sign_pdf_bytes
from signing.services.permissions import sign_step_for, signature_plan
from signing.services.versions import record_refusal, record_signature, source_file
from signing.stamps import PersonalStamp

Kind = SignatureRecord.Kind


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
    signing_reauth_check(user)
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
        source, content = source_file(document)
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
        record_refusal(user, document, error, key_source=key.source)
        raise
    return record_signature(
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
