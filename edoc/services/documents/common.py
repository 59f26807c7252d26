"""What the document services share: a timeline event, a file version stored with its
text, a new document's validation, a grant that goes with an action."""

from __future__ import annotations

from edoc.models import Document, DocumentEvent, DocumentFile, DocumentGrant, User
from edoc.selectors.access import Actor
from edoc.selectors.handling import handling_fact_expressions
from edoc.services.audit import audit_record
from edoc.services.files import StoredBlob, ValidatedPdf
from edoc.services.text import file_text_store

Status = Document.Status


def event_record(document: Document, actor: Actor, action: str, comment: str = "", **extra) -> None:
    """A line of the document's timeline, by the actor (and on whose behalf)."""
    DocumentEvent.objects.create(
        document=document,
        action=action,
        actor=actor.user,
        on_behalf_of=actor.on_behalf_of,
        comment=comment,
        **extra,
    )
    if action == DocumentEvent.Action.COMPLETED:
        handling_facts_store(document)


def handling_facts_store(document: Document) -> None:
    """Store the document's handling facts (handled at, handling unit, assigning leader: see
    edoc.selectors.handling) from its assignments and events, in the caller's transaction.
    Called whenever a lead assignment or a completion event is written."""
    facts = handling_fact_expressions()
    Document.objects.filter(pk=document.pk).update(**facts)
    stored = Document.objects.filter(pk=document.pk).values(*facts).get()
    for name, value in stored.items():
        setattr(document, name, value)


def attach_file(
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


def full_clean_new_document(document: Document) -> None:
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


def read_text_first(pdf: ValidatedPdf | None) -> None:
    """Read the upload's text before the transaction takes its locks (the register book's
    number, the audit chain): it is stored with the version, inside the transaction."""
    if pdf is not None:
        pdf.text  # noqa: B018 (cached on the upload)


def grant_get_or_create(document: Document, user: User, granted_by: User, reason: str) -> None:
    """Let `user` read the document (a grant already there stays as it is); the caller audits
    the action the grant goes with."""
    DocumentGrant.objects.get_or_create(
        document=document, user=user, defaults={"granted_by": granted_by, "reason": reason}
    )


class NoBlob:
    """Stands in for `StoredBlob` when there is no file: stores nothing."""

    name = ""

    def __enter__(self) -> NoBlob:
        return self

    def __exit__(self, *exc) -> None:
        return None
