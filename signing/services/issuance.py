"""At issuance (edoc's `document_action` signal, action "issue"): number and seal signed
documents."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edoc.models import Document, User
from edoc.services.text import document_file_copy
from signing.conf import pkcs11_settings
from signing.errors import SigningRefused
from signing.services.numbering import date_line, fill_number_fields
from signing.services.sealing import seal_document

logger = logging.getLogger(__name__)


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
        document_file_copy(
            latest, document=copy, version=current.version + 1, user=user, comment=latest.comment
        )


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
