"""Output representations shared by the endpoints. JSON keys are part of the public contract:
add keys freely, never rename or remove one."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from edoc.models import (
    Assignment,
    Confidentiality,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentType,
    ExternalOrganization,
    Field,
    OutgoingRecipient,
    ReadReceipt,
    RegisterBook,
    Unit,
    Urgency,
    User,
)
from edoc.selectors.documents import SAME_FILE, SAME_REFERENCE, DuplicateHint, is_overdue

# --- References to other objects.


class UserRefSerializer(serializers.ModelSerializer):
    full_name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ("id", "username", "full_name", "position")

    def get_full_name(self, user: User) -> str:
        return user.get_full_name() or user.username


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ("id", "name", "short_name")


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = ("id", "name", "abbreviation")


class UrgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Urgency
        fields = ("code", "name", "level")


class ConfidentialitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Confidentiality
        fields = ("code", "name", "level")


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ("code", "name")


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExternalOrganization
        fields = ("id", "name", "short_name", "code")


class RegisterBookSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegisterBook
        fields = ("id", "name", "kind", "year", "is_confidential", "is_closed", "unit")


# --- Parts of a document.


class DocumentFileSerializer(serializers.ModelSerializer):
    uploaded_by = UserRefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()
    download_only = serializers.BooleanField(
        read_only=True,
        help_text=_("True for a file with active content: never shown inline, only downloaded."),
    )

    class Meta:
        model = DocumentFile
        fields = (
            "id",
            "version",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "page_count",
            "comment",
            "uploaded_by",
            "uploaded_at",
            "download_url",
            "active_content",
            "download_only",
        )
        extra_kwargs = {
            "active_content": {
                "help_text": _(
                    "Kinds of active content found in the PDF: javascript, launch, "
                    "embedded_files, additional_actions, unchecked. Empty when none."
                )
            }
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document_file: DocumentFile) -> str:
        path = reverse(
            "api:document-file-download",
            kwargs={"document_id": document_file.document_id, "file_id": document_file.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DocumentBriefSerializer(serializers.ModelSerializer):
    """The few document keys an assignment list needs."""

    symbol = serializers.CharField(read_only=True, help_text=_('Number and notation: "15/KH-SYT".'))
    document_type = DocumentTypeSerializer(read_only=True)
    urgency = UrgencySerializer(read_only=True)

    class Meta:
        model = Document
        fields = ("id", "direction", "status", "symbol", "document_type", "subject", "urgency")


class AssignmentSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    user = UserRefSerializer(read_only=True)
    assigned_by = UserRefSerializer(read_only=True)
    on_behalf_of = UserRefSerializer(read_only=True)
    closed_by = UserRefSerializer(read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = (
            "id",
            "document",
            "role",
            "status",
            "unit",
            "user",
            "deadline",
            "is_overdue",
            "directive",
            "parent",
            "assigned_by",
            "on_behalf_of",
            "created_at",
            "closed_at",
            "closed_by",
        )

    def get_is_overdue(self, assignment: Assignment) -> bool:
        return assignment.status == Assignment.Status.PENDING and is_overdue(assignment.deadline)


class AssignmentWithDocumentSerializer(AssignmentSerializer):
    document = DocumentBriefSerializer(read_only=True)


class DocumentEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = UserRefSerializer(read_only=True)
    on_behalf_of = UserRefSerializer(read_only=True)

    class Meta:
        model = DocumentEvent
        fields = (
            "id",
            "action",
            "action_label",
            "actor",
            "on_behalf_of",
            "assignment",
            "comment",
            "created_at",
        )


class ReadReceiptSerializer(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)

    class Meta:
        model = ReadReceipt
        fields = ("user", "first_read_at", "last_read_at", "read_count")


class RecipientSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    organization = OrganizationSerializer(read_only=True)

    class Meta:
        model = OutgoingRecipient
        fields = ("unit", "organization", "internal_copy")


# --- Documents.


class RegistrySerializer(serializers.Serializer):
    """Whose register book holds the entry: the agency's (`unit` null) or a unit's own."""

    unit = UnitRefSerializer(
        allow_null=True, help_text=_("The unit keeping its own books; null for the agency.")
    )
    name = serializers.CharField(help_text=_("The agency's or that unit's name."))


@extend_schema_serializer(component_name="DocumentSummary")
class DocumentListSerializer(serializers.ModelSerializer):
    """One row of a document list."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    symbol = serializers.CharField(read_only=True, help_text=_('Number and notation: "15/KH-SYT".'))
    document_type = DocumentTypeSerializer(read_only=True)
    urgency = UrgencySerializer(read_only=True)
    confidentiality = ConfidentialitySerializer(read_only=True)
    owner_unit = UnitRefSerializer(read_only=True)
    register_book = RegisterBookSerializer(read_only=True)
    incoming_number = serializers.SerializerMethodField(
        help_text=_("Số đến: the number in the incoming register book; null for outgoing.")
    )
    possible_duplicate = serializers.BooleanField(source="is_possible_duplicate", read_only=True)
    registry = serializers.SerializerMethodField(
        help_text=_(
            "Whose register book holds the entry (the agency's or a unit's own); null for "
            "documents in no book (drafts)."
        )
    )

    class Meta:
        model = Document
        fields = (
            "id",
            "direction",
            "status",
            "status_label",
            "symbol",
            "number",
            "notation",
            "document_type",
            "subject",
            "issuer",
            "issue_date",
            "urgency",
            "confidentiality",
            "owner_unit",
            "register_book",
            "incoming_number",
            "registry",
            "received_at",
            "deadline",
            "possible_duplicate",
            "created_at",
            "updated_at",
        )

    def get_incoming_number(self, document: Document) -> int | None:
        return document.book_number if document.is_incoming else None

    @extend_schema_field(RegistrySerializer(allow_null=True))
    def get_registry(self, document: Document) -> dict[str, Any] | None:
        if document.register_book_id is None:
            return None
        unit = document.register_book.unit
        return {
            "unit": UnitRefSerializer(unit).data if unit else None,
            "name": document.registry_name,
        }


@extend_schema_serializer(component_name="Document")
class DocumentDetailSerializer(DocumentListSerializer):
    """A document with its files, handling, timeline and readers."""

    issuer_organization = OrganizationSerializer(read_only=True)
    field = FieldSerializer(read_only=True)
    signer = UserRefSerializer(read_only=True)
    issued_by = UserRefSerializer(read_only=True)
    created_by = UserRefSerializer(read_only=True)
    recipients = RecipientSerializer(many=True, read_only=True)
    files = DocumentFileSerializer(many=True, read_only=True, help_text=_("Newest version first."))
    assignments = AssignmentSerializer(many=True, read_only=True)
    events = DocumentEventSerializer(many=True, read_only=True)
    read_receipts = ReadReceiptSerializer(many=True, read_only=True)
    extraction_proposal = serializers.DictField(
        read_only=True, help_text=_("What was read from the PDF at registration.")
    )

    class Meta(DocumentListSerializer.Meta):
        fields = (
            *DocumentListSerializer.Meta.fields,
            "issuer_organization",
            "place",
            "signer_name",
            "signer_position",
            "signer",
            "field",
            "page_count",
            "note",
            "duplicate_of",
            "extraction_proposal",
            "issued_at",
            "issued_by",
            "source_document",
            "created_by",
            "recipients",
            "files",
            "assignments",
            "events",
            "read_receipts",
        )


DETAIL_PREFETCH = (
    "issuer_organization",
    "issued_by",
    "recipients__unit",
    "recipients__organization",
    "files__uploaded_by",
    "assignments__unit",
    "assignments__user",
    "assignments__assigned_by",
    "assignments__on_behalf_of",
    "assignments__closed_by",
    "events__actor",
    "events__on_behalf_of",
    "read_receipts__user",
)


class ExtractionProposalSerializer(serializers.Serializer):
    """What `edoc.extraction` reads from a PDF; null where it found nothing."""

    number = serializers.CharField(allow_null=True)
    notation = serializers.CharField(allow_null=True)
    issuer = serializers.CharField(allow_null=True)
    place = serializers.CharField(allow_null=True)
    date = serializers.DateField(allow_null=True, help_text=_("Issue date, YYYY-MM-DD."))
    type = serializers.CharField(allow_null=True, help_text=_("Document type name."))
    subject = serializers.CharField(allow_null=True)
    signer = serializers.CharField(allow_null=True)

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        return {key: instance.get(key) for key in self.fields}


class PossibleDuplicateSerializer(serializers.Serializer):
    """An earlier incoming entry of your registry that may be the same document. When you may
    not open it, only `visible` (false) and `reasons` are given."""

    visible = serializers.BooleanField(help_text=_("Whether you may open the earlier entry."))
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=[SAME_FILE, SAME_REFERENCE]),
        help_text=_(
            "same_file: the same PDF (SHA-256); same_reference: the same issuer, number, "
            "notation and issue date."
        ),
    )
    id = serializers.IntegerField(required=False)
    incoming_number = serializers.IntegerField(required=False)
    symbol = serializers.CharField(required=False)
    subject = serializers.CharField(required=False)
    issuer = serializers.CharField(required=False)
    issue_date = serializers.DateField(required=False, allow_null=True)
    received_at = serializers.DateTimeField(required=False, allow_null=True)
    url = serializers.URLField(required=False, help_text=_("The earlier entry in the API."))

    def to_representation(self, hint: DuplicateHint) -> dict[str, Any]:
        data: dict[str, Any] = {"visible": hint.document is not None, "reasons": list(hint.reasons)}
        document = hint.document
        if document is None:
            return data
        path = reverse("api:document-detail", kwargs={"document_id": document.pk})
        request = self.context.get("request")
        data.update(
            id=document.pk,
            incoming_number=document.book_number,
            symbol=document.symbol,
            subject=document.subject,
            issuer=document.issuer,
            issue_date=document.issue_date.isoformat() if document.issue_date else None,
            received_at=serializers.DateTimeField().to_representation(document.received_at)
            if document.received_at
            else None,
            url=request.build_absolute_uri(path) if request else path,
        )
        return data


class ExtractResponseSerializer(ExtractionProposalSerializer):
    """The proposal, and for clerks the entries it may duplicate."""

    possible_duplicates = PossibleDuplicateSerializer(
        many=True,
        allow_null=True,
        help_text=_(
            "Earlier entries of your registry with the same file, or the same issuer, number, "
            "notation and date as proposed: check them before registering. null when you do "
            "not register incoming documents."
        ),
    )
