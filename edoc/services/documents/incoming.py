"""Incoming documents: the clerk's register books, and registration with its duplicate check."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import (
    Confidentiality,
    Document,
    DocumentEvent,
    DocumentType,
    ExternalOrganization,
    Field,
    RegisterBook,
    Urgency,
    User,
)
from edoc.selectors.access import Actor, can_register_incoming
from edoc.selectors.documents import duplicate_matches
from edoc.services.audit import audit_record
from edoc.services.documents.common import (
    NoBlob,
    Status,
    attach_file,
    event_record,
    full_clean_new_document,
    grant_get_or_create,
    read_text_first,
)
from edoc.services.files import StoredBlob, ValidatedPdf
from edoc.services.numbering import (
    register_book_get_or_create,
    register_book_take_number,
    registry_unit_for,
)
from edoc.signals import document_created
from edoc.text import nfc_inputs


class PossibleDuplicate(ValidationError):
    """Registration refused: the document may already be in the book, and the clerk did not
    confirm. `matches` are the earlier entries (`duplicate_matches`); nothing was stored."""

    def __init__(self, matches: dict[int, tuple[str, ...]]):
        super().__init__(
            {
                "confirm_duplicate": ValidationError(
                    _(
                        "This document may already be registered (see the earlier entries). "
                        "If it is a different document, tick “Register it anyway” and register "
                        "again."
                    ),
                    code="possible_duplicate",
                )
            }
        )
        self.matches = matches


def default_incoming_book(user: User, *, confidential: bool, year: int) -> RegisterBook:
    unit = registry_unit_for(user.unit)
    return register_book_get_or_create(
        agency=user.unit.agency,
        unit=unit,
        kind=RegisterBook.Kind.INCOMING,
        year=year,
        is_confidential=confidential,
    )


def books_for_clerk(user: User, *, kind: str) -> list[RegisterBook]:
    """Open books of the clerk's registry unit (current year created on demand)."""
    year = timezone.localdate().year
    unit = registry_unit_for(user.unit)
    for confidential in (False, True):
        register_book_get_or_create(
            agency=user.unit.agency, unit=unit, kind=kind, year=year, is_confidential=confidential
        )
    return list(
        RegisterBook.objects.filter(
            agency=user.unit.agency, unit=unit, kind=kind, is_closed=False
        ).order_by("-year", "is_confidential")
    )


@nfc_inputs
def incoming_register(
    *,
    user: User,
    subject: str,
    urgency: Urgency,
    confidentiality: Confidentiality,
    pdf: ValidatedPdf | None = None,
    register_book: RegisterBook | None = None,
    document_type: DocumentType | None = None,
    number: str = "",
    notation: str = "",
    issuer: str = "",
    issuer_organization: ExternalOrganization | None = None,
    place: str = "",
    issue_date: datetime.date | None = None,
    signer_name: str = "",
    signer_position: str = "",
    field: Field | None = None,
    deadline: datetime.date | None = None,
    page_count: int | None = None,
    note: str = "",
    received_at: datetime.datetime | None = None,
    extraction_proposal: dict[str, Any] | None = None,
    start_process: bool = True,
    on_duplicate: Literal["flag", "refuse"] = "flag",
    content_known_new: bool = False,
) -> Document:
    """Register an incoming document and give it the next incoming number of its book.

    A likely duplicate (an entry of the same registry with the same file, or the same issuer,
    number, notation and date) is flagged; with `on_duplicate="refuse"` (a clerk who has not
    confirmed it) it raises `PossibleDuplicate` instead, before any number is taken.
    `start_process=False` registers it without starting the auto-start handling process (an
    archive imported in bulk: its documents were handled before eDoc). `content_known_new`:
    the caller has just found that no document of the agency holds this file (an import),
    so the same-file half of the duplicate check is not asked again."""
    if not can_register_incoming(user):
        raise PermissionDenied(_("Only clerks register incoming documents."))
    if not subject:
        raise ValidationError({"subject": _("The subject (trích yếu) is required.")})
    received_at = received_at or timezone.now()
    book = register_book or default_incoming_book(
        user, confidential=confidentiality.level > 0, year=timezone.localdate(received_at).year
    )
    expected_unit = registry_unit_for(user.unit)
    if (
        book.kind != RegisterBook.Kind.INCOMING
        or book.agency_id != user.unit.agency_id
        or book.unit_id != (expected_unit.pk if expected_unit else None)
    ):
        raise ValidationError({"register_book": _("This register book is not yours to use.")})
    if book.is_confidential != (confidentiality.level > 0):
        raise ValidationError(
            {
                "register_book": _(
                    "Confidential documents go into the confidential book, and only they do."
                )
            }
        )
    if book.is_closed:
        raise ValidationError({"register_book": _("This register book is closed.")})

    issuer = issuer or (issuer_organization.name if issuer_organization else "")
    matches = duplicate_matches(
        agency_id=user.unit.agency_id,
        registry_unit_id=book.unit_id,
        issuer=issuer,
        number=number,
        notation=notation,
        issue_date=issue_date,
        sha256=pdf.sha256 if pdf and not content_known_new else None,
    )
    if matches and on_duplicate == "refuse":
        raise PossibleDuplicate(matches)
    duplicate = Document.objects.get(pk=next(iter(matches))) if matches else None
    actor = Actor(user)
    read_text_first(pdf)
    with StoredBlob(pdf) if pdf else NoBlob() as blob, transaction.atomic():
        document = Document(
            agency=user.unit.agency,
            direction=Document.Direction.INCOMING,
            status=Status.REGISTERED,
            owner_unit=user.unit,
            document_type=document_type,
            number=number,
            notation=notation,
            issuer=issuer,
            issuer_organization=issuer_organization,
            place=place,
            issue_date=issue_date,
            subject=subject,
            signer_name=signer_name,
            signer_position=signer_position,
            urgency=urgency,
            confidentiality=confidentiality,
            field=field,
            page_count=page_count or (pdf.page_count if pdf else None),
            note=note,
            deadline=deadline,
            received_at=received_at,
            is_possible_duplicate=duplicate is not None,
            duplicate_of=duplicate,
            extraction_proposal=extraction_proposal or {},
            created_by=user,
        )
        document.register_book = book
        document.book_number = register_book_take_number(book)
        full_clean_new_document(document)
        document.save()
        if pdf:
            attach_file(document=document, pdf=pdf, blob=blob, user=user, first=True)
        if document.is_confidential:
            grant_get_or_create(document, user, user, _("registered the document"))
        event_record(document, actor, DocumentEvent.Action.REGISTERED)
        document_created.send(
            sender=Document, document=document, user=user, start_process=start_process
        )
        audit_record(
            actor=user,
            action="document.register",
            target=document,
            details={
                "register_book": book.pk,
                "incoming_number": document.book_number,
                "file_sha256": pdf.sha256 if pdf else None,
                "possible_duplicate_of": duplicate.pk if duplicate else None,
            },
        )
    return document
