"""Official documents (incoming and outgoing), their file versions, handling and read tracking."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .catalogs import (
    Confidentiality,
    DocumentType,
    ExternalOrganization,
    Field,
    RegisterBook,
    Urgency,
)
from .organisation import Agency, Unit


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class Status(models.TextChoices):
    # incoming
    REGISTERED = "registered", _("Awaiting assignment")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    RETURNED = "returned", _("Returned to clerk")
    # outgoing
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Under review")
    READY = "ready", _("Awaiting issuance")
    ISSUED = "issued", _("Issued")


class Document(models.Model):
    """An official document, incoming (văn bản đến) or outgoing (văn bản đi)."""

    Direction = Direction
    Status = Status

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="documents")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    owner_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="owned_documents",
        verbose_name=_("owning unit"),
        help_text=_("Registering unit of an incoming document, drafting unit of an outgoing one."),
    )

    document_type = models.ForeignKey(
        DocumentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("document type"),
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    notation = models.CharField(_("notation"), max_length=60, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    issuer_organization = models.ForeignKey(
        ExternalOrganization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
        verbose_name=_("issuing organisation"),
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    subject = models.TextField(_("subject"))
    signer_name = models.CharField(_("signer"), max_length=150, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=150, blank=True)
    urgency = models.ForeignKey(
        Urgency, on_delete=models.PROTECT, related_name="documents", verbose_name=_("urgency")
    )
    confidentiality = models.ForeignKey(
        Confidentiality,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("confidentiality"),
    )
    field = models.ForeignKey(
        Field,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("field"),
    )
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    deadline = models.DateField(_("handling deadline"), null=True, blank=True)

    # Register book entry: the incoming number (số đến) or the issued number (số đi).
    register_book = models.ForeignKey(
        RegisterBook,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("register book"),
    )
    book_number = models.PositiveIntegerField(_("register number"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    is_possible_duplicate = models.BooleanField(_("possible duplicate"), default=False)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    extraction_proposal = models.JSONField(_("extracted proposal"), default=dict, blank=True)

    # Outgoing only.
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents_to_sign",
        verbose_name=_("signer"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # An internal incoming entry created by issuing an outgoing document to a unit.
    source_document = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="internal_copies",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Handling facts (edoc.selectors.handling), stored by the services that write lead
    # assignments and completion events (edoc.services.documents.common.handling_facts_store)
    # so that the dashboard counts them without correlated subqueries.
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True, editable=False)
    handling_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("handling unit"),
    )
    assigning_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("assigning leader"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["register_book", "book_number"], name="unique_number_in_register_book"
            ),
            models.CheckConstraint(
                condition=Q(register_book__isnull=True, book_number__isnull=True)
                | Q(register_book__isnull=False, book_number__isnull=False),
                name="book_number_with_book",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "direction", "status"]),
            models.Index(fields=["owner_unit", "direction"]),
            models.Index(fields=["issuer", "number", "notation", "issue_date"]),
            # The duplicate check of each registration compares the issuer ignoring case,
            # which the index above cannot serve: without this one it read every incoming
            # document of the agency (edoc.selectors.documents.duplicate_matches).
            models.Index(fields=["number", "issue_date"], name="edoc_doc_number_date_idx"),
            # The operations dashboard counts incoming documents by reception time and issued
            # ones by issuance time (dashboard/selectors.py).
            models.Index(fields=["direction", "received_at"], name="edoc_doc_dir_received_idx"),
            models.Index(
                fields=["direction", "status", "issued_at"], name="edoc_doc_dir_issued_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol or _('(unnumbered)')} — {self.subject[:80]}"

    @property
    def symbol(self) -> str:
        """Số, ký hiệu: "15/KH-SYT", or "" before the document has a number."""
        if not self.number:
            return ""
        return f"{self.number}/{self.notation}" if self.notation else self.number

    @property
    def registry_name(self) -> str:
        """Whose register book holds the entry: the unit keeping its own books (a hospital, a
        health centre) or the agency; "" outside any book."""
        if self.register_book_id is None:
            return ""
        book = self.register_book
        return book.unit.name if book.unit_id else self.agency.name

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality.level > 0

    @property
    def is_incoming(self) -> bool:
        return self.direction == Direction.INCOMING

    def latest_file(self) -> DocumentFile | None:
        return self.files.order_by("-version").first()


def blob_name(sha256: str) -> str:
    """Files are stored by content hash, so names never collide and never leak metadata."""
    return f"documents/{sha256[:2]}/{sha256}.pdf"


def document_file_path(instance: DocumentFile, filename: str) -> str:
    return blob_name(instance.sha256)


class DocumentFile(models.Model):
    """One uploaded version of a document's file. Each upload is a new version."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="files")
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    # Kinds of active content found on upload (edoc.pdfcheck): "javascript", "launch",
    # "embedded_files", "additional_actions", "unchecked". Empty: none.
    active_content = models.JSONField(_("active content"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        ordering = ["document", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="unique_file_version"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"

    @property
    def download_only(self) -> bool:
        """A file with active content is never shown inline (no viewer, attachment only)."""
        return bool(self.active_content)

    @property
    def active_content_display(self) -> str:
        """ "JavaScript, embedded files" in the user's language."""
        from edoc.pdfcheck import active_content_labels

        return active_content_labels(self.active_content)

    @property
    def text(self) -> str:
        """The file's text (text layer, then OCR of scanned pages); "" until extracted."""
        try:
            return self.file_text.text
        except FileText.DoesNotExist:
            return ""


class FileText(models.Model):
    """The text of one file version, extracted once (edoc.services.text): its PDF text layer
    and the OCR of pages without one. The registry, the document page and search read it here.

    The PDF itself is never rewritten (a signed file must stay byte-identical): OCR text lives here.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Extracting")
        OCR = "ocr", _("Waiting for OCR")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.OneToOneField(
        DocumentFile,
        on_delete=models.CASCADE,
        related_name="file_text",
        verbose_name=_("file"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    pdf_text = models.TextField(_("text layer"), blank=True)
    ocr_text = models.TextField(_("OCR text"), blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    ocr_pages = models.PositiveIntegerField(_("pages read by OCR"), default=0)
    text_seconds = models.FloatField(_("text extraction time (s)"), null=True, blank=True)
    ocr_seconds = models.FloatField(_("OCR time (s)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("extracted text")
        verbose_name_plural = _("extracted texts")

    def __str__(self) -> str:
        return f"{self.file_id}: {self.state}"

    @property
    def text(self) -> str:
        return self.joined(self.pdf_text, self.ocr_text)

    @staticmethod
    def joined(pdf_text: str | None, ocr_text: str | None) -> str:
        """The text of a version from its two parts (for readers of plain rows)."""
        return "\n".join(part for part in (pdf_text, ocr_text) if part)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead handler")
    COORDINATOR = "coordinator", _("Coordinator")
    INFORMATION = "information", _("For information")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETED = "completed", _("Completed")
    FORWARDED = "forwarded", _("Forwarded")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class Assignment(models.Model):
    """A handling assignment: lead handler, coordinator or for-information recipient."""

    Role = AssignmentRole
    Status = AssignmentStatus

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=20, choices=AssignmentRole.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    directive = models.TextField(_("directive"), blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="forwards"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(user__isnull=False),
                name="assignment_has_assignee",
            ),
        ]
        indexes = [
            # visible_documents: the documents a person or their units take part in, read
            # from the index alone (a unit head's dashboard read 74,000 assignment rows from
            # the table for each statement at 1 M documents).
            models.Index(fields=["unit", "document"], name="edoc_assignment_unit_doc_idx"),
            models.Index(fields=["user", "document"], name="edoc_assignment_user_doc_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user or self.unit}"

    @property
    def assignee_label(self) -> str:
        if self.user_id and self.unit_id:
            return f"{self.user} ({self.unit})"
        return str(self.user or self.unit)


class DocumentEvent(models.Model):
    """One step of a document's handling timeline, as users see it."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("registered")
        CREATED = "created", _("created the draft")
        UPDATED = "updated", _("updated")
        FILE_ADDED = "file_added", _("uploaded a new version")
        ASSIGNED = "assigned", _("assigned")
        COMMENTED = "commented", _("commented")
        FORWARDED = "forwarded", _("forwarded")
        RETURNED = "returned", _("returned to the clerk")
        COMPLETED = "completed", _("completed")
        SUBMITTED = "submitted", _("submitted the draft")
        RETURNED_FOR_CORRECTION = "returned_for_correction", _("returned the draft for correction")
        SENT_BACK = "sent_back", _("sent it back to an earlier step")
        APPROVED = "approved", _("approved")
        ISSUED = "issued", _("issued")
        RECEIVED_INTERNALLY = "received_internally", _("received from an internal unit")
        GRANTED = "granted", _("granted access")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("handling event")
        verbose_name_plural = _("handling events")

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()}"


class ReadReceipt(models.Model):
    """Who opened a document, first and last time."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="read_receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_read_at = models.DateTimeField()
    last_read_at = models.DateTimeField()
    read_count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["first_read_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="one_receipt_per_reader"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.first_read_at:%Y-%m-%d %H:%M}"


class DocumentGrant(models.Model):
    """An explicit permission to see one document; required for confidential documents."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="one_grant_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.document_id}"


class OutgoingRecipient(models.Model):
    """Nơi nhận: an internal unit or an external organisation."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        ExternalOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    internal_copy = models.OneToOneField(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, organization__isnull=True)
                | Q(unit__isnull=True, organization__isnull=False),
                name="recipient_is_unit_or_organization",
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit or self.organization)
