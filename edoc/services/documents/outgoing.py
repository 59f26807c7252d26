"""Writes on documents: register incoming, draft, version, submit and issue outgoing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import (
    Confidentiality,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentGrant,
    DocumentType,
    ExternalOrganization,
    Field,
    OutgoingRecipient,
    RegisterBook,
    Unit,
    Urgency,
    User,
)
from edoc.models.organisation import Role
from edoc.selectors.access import (
    Actor,
    can_grant,
    can_issue,
    can_register_incoming,
    edit_draft_actor,
    is_agency_clerk,
    require,
)
from edoc.selectors.documents import duplicate_matches
from edoc.services.audit import audit_record
from edoc.services.files import StoredBlob, ValidatedPdf
from edoc.services.numbering import (
    register_book_get_or_create,
    register_book_take_number,
    registry_unit_for,
)
from edoc.services.text import file_text_copy, file_text_store
from edoc.signals import document_action, document_created, under_process
from edoc.text import nfc_inputs

Status = Document.Status


def _event(document: Document, actor: Actor, action: str, comment: str = "", **extra) -> None:
    DocumentEvent.objects.create(
        document=document,
        action=action,
        actor=actor.user,
        on_behalf_of=actor.on_behalf_of,
        comment=comment,
        **extra,
    )


def _attach_file(
    *,
    document: Document,
    pdf: ValidatedPdf,
    blob: StoredBlob,
    user: User,
    comment: str = "",
    first: bool = False,
) -> DocumentFile:
    """A new version of the document's file; `first` for a document created in this same
    transaction (its version 1, without asking)."""
    last = (
        0
        if first
        else document.files.order_by("-version").values_list("version", flat=True).first() or 0
    )
    document_file = DocumentFile(
        document=document,
        version=last + 1,
        original_name=pdf.name,
        size=pdf.size,
        sha256=pdf.sha256,
        page_count=pdf.page_count,
        active_content=list(pdf.active_content),
        uploaded_by=user,
        comment=comment,
    )
    document_file.file.name = blob.name
    document_file.save()
    if pdf.active_content:
        audit_record(
            actor=user,
            action="document.active_content",
            target=document,
            details={
                "version": document_file.version,
                "sha256": pdf.sha256,
                "kinds": list(pdf.active_content),
            },
        )
    file_text_store(document_file, pdf.text)
    return document_file


def _full_clean(document: Document) -> None:
    """Validate a new document's fields. Relations given as rows loaded from the database are
    not looked up again (Django asks the database whether each one exists: seven queries per
    registration); those given by id are, and the database's constraints keep them all."""
    loaded = [
        field.name
        for field in document._meta.concrete_fields
        if field.is_relation
        and field.is_cached(document)
        and getattr(field.get_cached_value(document), "pk", None) is not None
    ]
    document.full_clean(exclude=["register_book", "book_number", *loaded])


def _read_text_first(pdf: ValidatedPdf | None) -> None:
    """Read the upload's text before the transaction takes its locks (the register book's
    number, the audit chain): it is stored with the version, inside the transaction."""
    if pdf is not None:
        pdf.text  # noqa: B018 (cached on the upload)


def _grant(document: Document, user: User, granted_by: User, reason: str) -> None:
    DocumentGrant.objects.get_or_create(
        document=document, user=user, defaults={"granted_by": granted_by, "reason": reason}
    )


def _grant_audited(document: Document, user: User, granted_by: User, reason: str) -> None:
    """An explicit grant someone gave, audited as "document.grant"."""
    _grant(document, user, granted_by, reason)
    audit_record(
        actor=granted_by,
        action="document.grant",
        target=document,
        details={"grantee": user.username, "reason": reason},
    )


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
) -> Document:
    """Register an incoming document and give it the next incoming number of its book.

    A likely duplicate (an entry of the same registry with the same file, or the same issuer,
    number, notation and date) is flagged; with `on_duplicate="refuse"` (a clerk who has not
    confirmed it) it raises `PossibleDuplicate` instead, before any number is taken.
    `start_process=False` registers it without starting the auto-start handling process (an
    archive imported in bulk: its documents were handled before eDoc)."""
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
        sha256=pdf.sha256 if pdf else None,
    )
    if matches and on_duplicate == "refuse":
        raise PossibleDuplicate(matches)
    duplicate = Document.objects.get(pk=next(iter(matches))) if matches else None
    actor = Actor(user)
    _read_text_first(pdf)
    with StoredBlob(pdf) if pdf else _NoBlob() as blob, transaction.atomic():
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
        _full_clean(document)
        document.save()
        if pdf:
            _attach_file(document=document, pdf=pdf, blob=blob, user=user, first=True)
        if document.is_confidential:
            _grant(document, user, user, _("registered the document"))
        _event(document, actor, DocumentEvent.Action.REGISTERED)
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


class _NoBlob:
    name = ""

    def __enter__(self) -> _NoBlob:
        return self

    def __exit__(self, *exc) -> None:
        return None


EDITABLE_FIELDS = (
    "document_type",
    "number",
    "notation",
    "issuer",
    "issuer_organization",
    "place",
    "issue_date",
    "subject",
    "signer_name",
    "signer_position",
    "urgency",
    "field",
    "deadline",
    "page_count",
    "note",
    "signer",
)


def _changed_fields_text(changed: dict[str, Any]) -> str:
    """The corrected fields as the timeline names them ("trích yếu, độ khẩn"), in form order."""
    labels = (
        str(Document._meta.get_field(name).verbose_name)
        for name in EDITABLE_FIELDS
        if name in changed
    )
    return ", ".join(dict.fromkeys(labels))


@nfc_inputs
@transaction.atomic
def document_update(*, user: User, document: Document, **changes: Any) -> Document:
    """Correct a document's metadata: the registering clerk for incoming, the drafter for drafts."""
    if document.direction == Document.Direction.INCOMING:
        allowed = (
            can_register_incoming(user)
            and document.owner_unit_id == user.unit_id
            and document.status != Status.COMPLETED
        )
        actor = Actor(user) if allowed else None
    else:
        actor = edit_draft_actor(user, document)
    actor = require(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    signer = changes.get("signer")
    if signer is not None:
        if not signer.unit_id or signer.unit.agency_id != document.agency_id:
            raise ValidationError({"signer": _("The signer must work in your agency.")})
        changes.setdefault("signer_name", signer.get_full_name())
        changes.setdefault("signer_position", signer.position)
        if document.is_confidential:
            _grant(document, signer, user, _("designated signer"))
    before = {}
    for name, value in changes.items():
        old = getattr(document, name)
        if old != value:
            before[name] = (
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            )
            setattr(document, name, value)
    if not before:
        return document
    document.full_clean(exclude=["register_book", "book_number"])
    document.save()
    _event(document, actor, DocumentEvent.Action.UPDATED, comment=_changed_fields_text(before))
    audit_record(
        actor=user,
        on_behalf_of=actor.on_behalf_of,
        action="document.update",
        target=document,
        details={"changes": before},
    )
    return document


@nfc_inputs
def outgoing_create(
    *,
    user: User,
    subject: str,
    document_type: DocumentType,
    urgency: Urgency,
    confidentiality: Confidentiality,
    field: Field | None = None,
    signer: User | None = None,
    recipient_units: Iterable[Unit] = (),
    recipient_organizations: Iterable[ExternalOrganization] = (),
    pdf: ValidatedPdf | None = None,
    note: str = "",
) -> Document:
    """Start an outgoing draft in the user's unit."""
    if not user.unit_id:
        raise PermissionDenied(_("You are not placed in a unit."))
    if not subject:
        raise ValidationError({"subject": _("The subject (trích yếu) is required.")})
    if signer is not None and (not signer.unit_id or signer.unit.agency_id != user.unit.agency_id):
        raise ValidationError({"signer": _("The signer must work in your agency.")})
    recipient_units = list(recipient_units)
    if any(unit.agency_id != user.unit.agency_id for unit in recipient_units):
        raise ValidationError(
            {"recipient_units": _("Internal recipients must be units of your agency.")}
        )
    actor = Actor(user)
    _read_text_first(pdf)
    with StoredBlob(pdf) if pdf else _NoBlob() as blob, transaction.atomic():
        document = Document.objects.create(
            agency_id=user.unit.agency_id,
            direction=Document.Direction.OUTGOING,
            status=Status.DRAFT,
            owner_unit=user.unit,
            document_type=document_type,
            issuer=user.unit.agency.name,
            place=user.unit.agency.place_name,
            subject=subject,
            urgency=urgency,
            confidentiality=confidentiality,
            field=field,
            signer=signer,
            signer_name=signer.get_full_name() if signer else "",
            signer_position=signer.position if signer else "",
            note=note,
            created_by=user,
        )
        _recipients_set(document, recipient_units, recipient_organizations)
        if pdf:
            _attach_file(document=document, pdf=pdf, blob=blob, user=user, first=True)
        if document.is_confidential:
            _grant(document, user, user, _("drafted the document"))
            if signer:
                _grant(document, signer, user, _("designated signer"))
        _event(document, actor, DocumentEvent.Action.CREATED)
        audit_record(actor=user, action="document.create", target=document)
        document_created.send(sender=Document, document=document, user=user)
    return document


def _recipients_set(
    document: Document, units: Iterable[Unit], organizations: Iterable[ExternalOrganization]
) -> None:
    document.recipients.all().delete()
    OutgoingRecipient.objects.bulk_create(
        [OutgoingRecipient(document=document, unit=unit) for unit in units]
        + [OutgoingRecipient(document=document, organization=org) for org in organizations]
    )


@transaction.atomic
def outgoing_set_recipients(
    *,
    user: User,
    document: Document,
    units: Iterable[Unit],
    organizations: Iterable[ExternalOrganization],
) -> None:
    actor = require(edit_draft_actor(user, document))
    units = list(units)
    organizations = list(organizations)
    if any(unit.agency_id != document.agency_id for unit in units):
        raise ValidationError(
            {"recipient_units": _("Internal recipients must be units of your agency.")}
        )
    _recipients_set(document, units, organizations)
    audit_record(
        actor=user,
        on_behalf_of=actor.on_behalf_of,
        action="document.recipients",
        target=document,
        details={"units": [u.pk for u in units], "organizations": [o.pk for o in organizations]},
    )


@nfc_inputs
def document_file_add(
    *, user: User, document: Document, pdf: ValidatedPdf, comment: str = ""
) -> DocumentFile:
    """Upload a new version of an outgoing draft's file; earlier versions are kept."""
    actor = require(edit_draft_actor(user, document))
    _read_text_first(pdf)
    with StoredBlob(pdf) as blob, transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        document_file = _attach_file(
            document=document, pdf=pdf, blob=blob, user=user, comment=comment
        )
        _event(
            document,
            actor,
            DocumentEvent.Action.FILE_ADDED,
            comment=f"v{document_file.version}: {pdf.name}",
        )
        audit_record(
            actor=user,
            on_behalf_of=actor.on_behalf_of,
            action="document.file_add",
            target=document,
            details={"version": document_file.version, "sha256": pdf.sha256, "size": pdf.size},
        )
    return document_file


@nfc_inputs
def issued_document_record(
    *,
    user: User,
    pdf: ValidatedPdf,
    number: str,
    issue_date: datetime.date,
    subject: str,
    urgency: Urgency,
    confidentiality: Confidentiality,
    document_type: DocumentType | None = None,
    notation: str = "",
    place: str = "",
    signer_name: str = "",
    note: str = "",
    extraction_proposal: dict[str, Any] | None = None,
) -> Document:
    """Record a document the agency issued before eDoc (an archive imported in bulk), as
    issued, with the number and date printed on it, outside eDoc's register books (whose
    gapless counters belong to the documents eDoc numbers). The agency's clerks only."""
    if not is_agency_clerk(user):
        raise PermissionDenied(_("Only the agency's clerks record issued documents."))
    agency = user.unit.agency
    _read_text_first(pdf)
    with StoredBlob(pdf) as blob, transaction.atomic():
        document = Document(
            agency=agency,
            direction=Document.Direction.OUTGOING,
            status=Status.ISSUED,
            owner_unit=user.unit,
            document_type=document_type,
            number=number,
            notation=notation,
            issuer=agency.name,
            place=place,
            issue_date=issue_date,
            subject=subject,
            signer_name=signer_name,
            urgency=urgency,
            confidentiality=confidentiality,
            page_count=pdf.page_count,
            note=note,
            extraction_proposal=extraction_proposal or {},
            created_by=user,
        )
        _full_clean(document)
        document.save()
        _attach_file(document=document, pdf=pdf, blob=blob, user=user, first=True)
        _event(document, Actor(user), DocumentEvent.Action.REGISTERED, comment=pdf.name)
        audit_record(
            actor=user,
            action="document.import_issued",
            target=document,
            details={"symbol": document.symbol, "file_sha256": pdf.sha256, "file_name": pdf.name},
        )
    return document


@nfc_inputs
@transaction.atomic
def outgoing_submit(*, user: User, document: Document, comment: str = "") -> Document:
    """Send a draft on. Under an approval process (workflows) it goes to review, and
    `outgoing_approve` makes it ready once approved and signed; without one it is ready for
    issuance at once."""
    actor = require(edit_draft_actor(user, document))
    if not document.files.exists():
        raise ValidationError(_("Upload the document's file before submitting it."))
    if document.signer_id is None:
        raise ValidationError({"signer": _("Choose who signs the document.")})
    document.status = Status.IN_REVIEW if under_process(document) else Status.READY
    document.save(update_fields=["status", "updated_at"])
    if document.is_confidential:
        # The agency's clerks number and issue it: they need to see it.
        for clerk in agency_clerks(document.agency_id):
            _grant(document, clerk, user, _("issues the document"))
    _event(document, actor, DocumentEvent.Action.SUBMITTED, comment=comment)
    audit_record(
        actor=user, on_behalf_of=actor.on_behalf_of, action="document.submit", target=document
    )
    document_action.send(sender=Document, document=document, user=user, action="submit")
    return document


@nfc_inputs
@transaction.atomic
def outgoing_approve(*, user: User, document: Document, comment: str = "") -> Document:
    """The approval route is done (approved, and signed where signing applies): ready to issue.

    Called by the approval process's last step before issuance; the signing issue plugs in here.
    """
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.direction != Document.Direction.OUTGOING or document.status != Status.IN_REVIEW:
        raise ValidationError(_("Only a document under review can be approved."))
    document.status = Status.READY
    document.save(update_fields=["status", "updated_at"])
    _event(document, Actor(user), DocumentEvent.Action.APPROVED, comment=comment)
    audit_record(actor=user, action="document.approve", target=document)
    return document


@nfc_inputs
@transaction.atomic
def document_returned_in_process(
    *,
    user: User,
    document: Document,
    reason: str,
    to_step: str,
    to_drafter: bool,
    on_behalf_of: User | None = None,
) -> Document:
    """A process step sent the document back to an earlier step (`to_step`, its name) with a
    reason; the document's timeline shows it.

    When that step is the drafting one (`to_drafter`), an outgoing document under review (or
    awaiting issuance) becomes a draft again: its drafter edits it, uploads new versions and
    submits it again. Called by the process (workflows) once the task's assignee returned it.
    """
    document = Document.objects.select_for_update().get(pk=document.pk)
    actor = Actor(user, on_behalf_of)
    reopen = (
        to_drafter
        and document.direction == Document.Direction.OUTGOING
        and document.status in (Status.IN_REVIEW, Status.READY)
    )
    if reopen:
        previous = document.status
        document.status = Status.DRAFT
        document.save(update_fields=["status", "updated_at"])
        _event(document, actor, DocumentEvent.Action.RETURNED_FOR_CORRECTION, comment=reason)
        details = {"from_status": previous, "to_step": to_step, "reason": reason}
        action = "document.return_for_correction"
    else:
        comment = f"{to_step}: {reason}" if to_step else reason
        _event(document, actor, DocumentEvent.Action.SENT_BACK, comment=comment)
        details = {"to_step": to_step, "reason": reason}
        action = "document.sent_back"
    audit_record(
        actor=user, on_behalf_of=on_behalf_of, action=action, target=document, details=details
    )
    return document


def agency_clerks(agency_id: int) -> list[User]:
    """Active clerks of the agency's own office (who issue outgoing documents)."""
    candidates = User.objects.filter(
        role=Role.CLERK, is_active=True, unit__agency_id=agency_id
    ).select_related("unit__parent")
    return [clerk for clerk in candidates if registry_unit_for(clerk.unit) is None]


def outgoing_notation(document: Document) -> str:
    """Ký hiệu per Decree 30 Appendix I: "KH-SYT"; a Công văn gets "SYT-VP" (agency-unit)."""
    agency = document.agency.short_name
    doc_type = document.document_type
    if doc_type is None or doc_type.is_official_letter:
        unit = document.owner_unit.short_name
        return f"{agency}-{unit}" if unit else agency
    return f"{doc_type.abbreviation}-{agency}"


def format_outgoing_number(number: int) -> str:
    """Numbers below 10 are written with a leading zero (01, 02, …), as Decree 30 requires."""
    return f"{number:02d}"


@transaction.atomic
def outgoing_issue(
    *, user: User, document: Document, issue_date: datetime.date | None = None
) -> Document:
    """Number, date and issue an outgoing document; register it with internal recipients."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not can_issue(user, document):
        if document.status == Status.ISSUED:
            raise ValidationError(_("This document has already been issued."))
        raise PermissionDenied(_("Only the agency's clerk issues documents awaiting issuance."))
    issue_date = issue_date or timezone.localdate()
    book = register_book_get_or_create(
        agency=document.agency,
        unit=None,
        kind=RegisterBook.Kind.OUTGOING,
        year=issue_date.year,
        is_confidential=document.is_confidential,
    )
    document.register_book = book
    document.book_number = register_book_take_number(book)
    document.number = format_outgoing_number(document.book_number)
    document.notation = outgoing_notation(document)
    document.issue_date = issue_date
    document.issued_at = timezone.now()
    document.issued_by = user
    document.status = Status.ISSUED
    issued_file = document.latest_file()
    if issued_file is not None and issued_file.page_count:
        document.page_count = issued_file.page_count  # its details and its internal copies
    document.save()
    actor = Actor(user)
    _event(document, actor, DocumentEvent.Action.ISSUED, comment=f"Số: {document.symbol}")
    audit_record(
        actor=user,
        action="document.issue",
        target=document,
        details={"register_book": book.pk, "number": document.number, "symbol": document.symbol},
    )
    for recipient in document.recipients.filter(unit__isnull=False).select_related("unit"):
        recipient.internal_copy = _register_internal_copy(document, recipient.unit, user)
        recipient.save(update_fields=["internal_copy"])
    document_action.send(sender=Document, document=document, user=user, action="issue")
    return document


def _register_internal_copy(source: Document, unit: Unit, user: User) -> Document:
    """The recipient unit's incoming entry for an internally issued document: like any incoming
    document it goes into the book of the year it arrives (today), whatever its issue date."""
    received_at = timezone.now()
    book = register_book_get_or_create(
        agency=source.agency,
        unit=registry_unit_for(unit),
        kind=RegisterBook.Kind.INCOMING,
        year=timezone.localdate(received_at).year,
        is_confidential=source.is_confidential,
    )
    copy = Document(
        agency=source.agency,
        direction=Document.Direction.INCOMING,
        status=Status.REGISTERED,
        owner_unit=unit,
        document_type=source.document_type,
        number=source.number,
        notation=source.notation,
        issuer=source.agency.name,
        place=source.place,
        issue_date=source.issue_date,
        subject=source.subject,
        signer_name=source.signer_name,
        signer_position=source.signer_position,
        urgency=source.urgency,
        confidentiality=source.confidentiality,
        field=source.field,
        page_count=source.page_count,
        received_at=received_at,
        source_document=source,
        created_by=user,
        register_book=book,
        book_number=register_book_take_number(book),
    )
    copy.save()
    latest = source.latest_file()
    if latest:
        copied = DocumentFile.objects.create(
            document=copy,
            version=1,
            file=latest.file.name,
            original_name=latest.original_name,
            size=latest.size,
            sha256=latest.sha256,
            page_count=latest.page_count,
            active_content=latest.active_content,
            uploaded_by=user,
        )
        file_text_copy(latest, copied)
    if copy.is_confidential:
        for head in unit.members.filter(role__in=["unit_head"], is_active=True):
            _grant(copy, head, user, _("internal recipient"))
    _event(copy, Actor(user), DocumentEvent.Action.RECEIVED_INTERNALLY, comment=source.symbol)
    document_created.send(sender=Document, document=copy, user=user)
    audit_record(
        actor=user,
        action="document.register_internal",
        target=copy,
        details={
            "source": source.pk,
            "register_book": book.pk,
            "incoming_number": copy.book_number,
        },
    )
    return copy


@transaction.atomic
def document_grant_participant(
    *, document: Document, user: User, granted_by: User, reason: str
) -> bool:
    """Let someone a process puts to work on the document read it (a step's assignee or group
    member who would not see it by position). Returns True when a grant was added."""
    if document.grants.filter(user=user).exists():
        return False
    from edoc.selectors.access import visible_documents

    if not document.is_confidential and visible_documents(user).filter(pk=document.pk).exists():
        return False
    _grant_audited(document, user, granted_by, reason)
    return True


@nfc_inputs
@transaction.atomic
def document_grant(*, user: User, document: Document, grantee: User, reason: str = "") -> None:
    """Give one user explicit access (the only way into a confidential document); who may is
    `edoc.selectors.access.can_grant`."""
    if not can_grant(user, document):
        raise PermissionDenied(_("You may not grant access to this document."))
    if not grantee.unit_id or grantee.unit.agency_id != document.agency_id:
        raise ValidationError(_("Access can only be granted to staff of the agency."))
    _grant_audited(document, grantee, user, reason)
    _event(document, Actor(user), DocumentEvent.Action.GRANTED, comment=str(grantee))
