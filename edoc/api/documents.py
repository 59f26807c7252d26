"""Document endpoints. Each one: input serializer → one service → output serializer.

Documents are read only through `visible_documents` / `document_get_for_user`: a document the
caller may not see is a 404, whatever the method. Whether the caller may act is the service's
decision (403 when not).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from edoc.api.common import (
    AgencyRegisterBookField,
    AgencyUnitField,
    AgencyUserField,
    ApiMixin,
    ApiPagination,
    ApiView,
    ErrorSerializer,
    InputSerializer,
    PdfFileField,
    confidentiality_field,
    document_type_field,
    error_responses,
    organization_field,
    subject_field_field,
    urgency_field,
)
from edoc.api.filters import DocumentFilter
from edoc.api.serializers import (
    DETAIL_PREFETCH,
    AssignmentSerializer,
    DocumentDetailSerializer,
    DocumentEventSerializer,
    DocumentFileSerializer,
    DocumentListSerializer,
    ExtractResponseSerializer,
    PossibleDuplicateSerializer,
)
from edoc.models import Confidentiality, Document, Urgency
from edoc.selectors.access import can_register_incoming, document_get_for_user
from edoc.selectors.documents import document_list, duplicate_hints, possible_duplicates
from edoc.services.documents import (
    PossibleDuplicate,
    document_file_add,
    document_update,
    incoming_register,
    outgoing_create,
    outgoing_issue,
    outgoing_submit,
)
from edoc.services.handling import (
    document_assign,
    document_comment,
    document_file_download,
    document_mark_read,
)
from edoc.services.proposals import proposal_for_upload, proposed_fields

TAG = "documents"
PDF_PARSERS = [MultiPartParser, FormParser]


class LowestLevel:
    """Serializer default: the lowest entry of a ranked catalog ("Thường")."""

    def __init__(self, model: type[Urgency] | type[Confidentiality]):
        self.model = model

    def __call__(self) -> Model | None:
        return self.model.objects.order_by("level").first()


class CanRegisterIncoming(BasePermission):
    """Refuse non-clerks before their upload is read (the service would refuse them anyway)."""

    message = _("Only clerks register incoming documents.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return can_register_incoming(request.user)


def _detail_response(request: Request, document: Document, code: int = 200) -> Response:
    document = document_get_for_user(request.user, document.pk)
    prefetch_related_objects([document], *DETAIL_PREFETCH)
    return Response(DocumentDetailSerializer(document, context={"request": request}).data, code)


# --- Reading.


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        operation_id="documents_list",
        summary=_("List the documents you may see"),
        description=_("Newest first, paginated. Confidential documents appear only with a grant."),
        responses={200: DocumentListSerializer(many=True), **error_responses(400)},
    )
)
class DocumentListApi(ApiMixin, generics.ListAPIView):
    serializer_class = DocumentListSerializer
    filterset_class = DocumentFilter
    pagination_class = ApiPagination

    def get_queryset(self):
        return document_list(self.request.user)


@extend_schema_serializer(component_name="DocumentUpdate")
class DocumentUpdateInputSerializer(InputSerializer):
    document_type = document_type_field(required=False, allow_null=True)
    number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    notation = serializers.CharField(required=False, allow_blank=True, max_length=60)
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=255)
    issuer_organization = organization_field(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    issue_date = serializers.DateField(required=False, allow_null=True)
    subject = serializers.CharField(required=False)
    signer_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    signer_position = serializers.CharField(required=False, allow_blank=True, max_length=150)
    signer = AgencyUserField(required=False, allow_null=True)
    urgency = urgency_field(required=False)
    field = subject_field_field(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    page_count = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True)


class DocumentDetailApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="document_retrieve",
        summary=_("One document, with files, assignments, timeline and readers"),
        description=_(
            "Opening a document records a read: your read receipt is updated, your "
            "for-information assignments are closed and the audit log gets 'document.view'."
        ),
        responses={200: DocumentDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, document_id: int) -> Response:
        document = document_get_for_user(request.user, document_id)
        document_mark_read(user=request.user, document=document)
        return _detail_response(request, document)

    @extend_schema(
        tags=[TAG],
        operation_id="document_update",
        summary=_("Correct a document's metadata"),
        description=_(
            "Send only the keys to change. The registering clerk corrects incoming documents "
            "(until completed); the drafter or the drafting unit's head corrects drafts."
        ),
        request=DocumentUpdateInputSerializer,
        responses={200: DocumentDetailSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, document_id: int) -> Response:
        document = document_get_for_user(request.user, document_id)
        serializer = DocumentUpdateInputSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        document = document_update(
            user=request.user, document=document, **serializer.validated_data
        )
        return _detail_response(request, document)


# --- Incoming documents.


@extend_schema_serializer(component_name="DocumentExtract")
class ExtractInputSerializer(InputSerializer):
    file = PdfFileField(help_text=_("The PDF to read (nothing is stored)."))


class DocumentExtractApi(ApiView):
    parser_classes = PDF_PARSERS

    @extend_schema(
        tags=[TAG],
        operation_id="document_extract",
        summary=_("Propose registration metadata from a PDF"),
        description=_(
            "Reads the PDF's first pages (Decree 30 layout) and returns the proposal. "
            "Nothing is saved. Keys without a value are null. For clerks, possible_duplicates "
            "lists the earlier entries of their registry that may be the same document (same "
            "file, or same issuer, number, notation and date), before any number is taken."
        ),
        request={"multipart/form-data": ExtractInputSerializer},
        responses={200: ExtractResponseSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        serializer = ExtractInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pdf = serializer.validated_data["file"]
        proposal = proposal_for_upload(pdf)
        fields = proposed_fields(proposal)
        hints = possible_duplicates(
            request.user,
            sha256=pdf.sha256,
            issuer=proposal.get("issuer") or "",
            number=proposal.get("number") or "",
            notation=proposal.get("notation") or "",
            issue_date=fields.get("issue_date"),
        )
        duplicates = (
            None
            if hints is None
            else PossibleDuplicateSerializer(hints, many=True, context={"request": request}).data
        )
        return Response(
            ExtractResponseSerializer({**proposal, "possible_duplicates": duplicates}).data
        )


@extend_schema_serializer(component_name="IncomingRegister")
class IncomingRegisterInputSerializer(InputSerializer):
    file = PdfFileField(required=False, help_text=_("The scanned or received PDF."))
    register_book = AgencyRegisterBookField(
        required=False,
        allow_null=True,
        help_text=_("Incoming register book id; by default this year's book of your registry."),
    )
    document_type = document_type_field(required=False, allow_null=True)
    number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    notation = serializers.CharField(required=False, allow_blank=True, max_length=60)
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=255)
    issuer_organization = organization_field(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    issue_date = serializers.DateField(required=False, allow_null=True)
    subject = serializers.CharField(required=False, allow_blank=True)
    signer_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    signer_position = serializers.CharField(required=False, allow_blank=True, max_length=150)
    urgency = urgency_field(default=LowestLevel(Urgency))
    confidentiality = confidentiality_field(default=LowestLevel(Confidentiality))
    field = subject_field_field(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    page_count = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True)
    received_at = serializers.DateTimeField(required=False, allow_null=True)
    confirm_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Register even though the document may already be registered (see the 409 "
            "answer's possible_duplicates)."
        ),
    )


def fill_from_proposal(fields: dict[str, Any], proposal: dict[str, Any]) -> dict[str, Any]:
    """Keys the request left out take the proposal's value (edoc.services.proposals, as the
    registration form and import_documents do); keys it sent (even empty) win."""
    return {**fields, **proposed_fields(proposal, fields)}


@extend_schema_serializer(component_name="PossibleDuplicateError")
class PossibleDuplicateErrorSerializer(ErrorSerializer):
    possible_duplicates = PossibleDuplicateSerializer(many=True)


@extend_schema_serializer(component_name="PossibleDuplicateEnvelope")
class PossibleDuplicateEnvelopeSerializer(serializers.Serializer):
    error = PossibleDuplicateErrorSerializer()


class DocumentIncomingRegisterApi(ApiView):
    parser_classes = PDF_PARSERS
    permission_classes = [IsAuthenticated, CanRegisterIncoming]

    @extend_schema(
        tags=[TAG],
        operation_id="document_incoming_register",
        summary=_("Register an incoming document (clerks)"),
        description=_(
            "Gives the document the next incoming number of its register book. Metadata keys you "
            "leave out are filled from the PDF (see /api/documents/extract/); keys you send, even "
            "empty, are kept. urgency and confidentiality default to 'normal'. "
            "When the same document (issuer, number, notation and date, or the same file) may "
            "already be in your registry's book, nothing is registered and no number is taken: "
            "409 with error code possible_duplicate and the earlier entries in "
            "error.possible_duplicates; send confirm_duplicate=true to register it anyway "
            "(possible_duplicate is then true). A refused file stores nothing."
        ),
        request={"multipart/form-data": IncomingRegisterInputSerializer},
        responses={
            201: DocumentDetailSerializer,
            **error_responses(400, 403),
            409: OpenApiResponse(
                PossibleDuplicateEnvelopeSerializer,
                description=_("The document may already be registered: confirm_duplicate."),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = IncomingRegisterInputSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        pdf = fields.pop("file", None)
        confirmed = fields.pop("confirm_duplicate")
        proposal = proposal_for_upload(pdf) if pdf else {}
        # No subject anywhere: the service reports it as a 400 on "subject".
        fields = {"subject": "", **fill_from_proposal(fields, proposal)}
        try:
            document = incoming_register(
                user=request.user,
                pdf=pdf,
                extraction_proposal=proposal,
                on_duplicate="flag" if confirmed else "refuse",
                **fields,
            )
        except PossibleDuplicate as error:
            return _possible_duplicate_response(request, error)
        return _detail_response(request, document, status.HTTP_201_CREATED)


def _possible_duplicate_response(request: Request, error: PossibleDuplicate) -> Response:
    """409 in the error envelope, with the earlier entries as the caller may see them."""
    (message,) = error.message_dict["confirm_duplicate"]
    hints = duplicate_hints(request.user, error.matches)
    return Response(
        {
            "error": {
                "code": "possible_duplicate",
                "message": message,
                "fields": {"confirm_duplicate": [message]},
                "possible_duplicates": PossibleDuplicateSerializer(
                    hints, many=True, context={"request": request}
                ).data,
            }
        },
        status=status.HTTP_409_CONFLICT,
    )


# --- Outgoing documents.


@extend_schema_serializer(component_name="OutgoingCreate")
class OutgoingCreateInputSerializer(InputSerializer):
    file = PdfFileField(required=False, help_text=_("First version of the draft's PDF."))
    subject = serializers.CharField()
    document_type = document_type_field()
    urgency = urgency_field(default=LowestLevel(Urgency))
    confidentiality = confidentiality_field(default=LowestLevel(Confidentiality))
    field = subject_field_field(required=False, allow_null=True)
    signer = AgencyUserField(required=False, allow_null=True, help_text=_("Who signs (user id)."))
    recipient_units = AgencyUnitField(
        many=True, required=False, help_text=_("Internal recipients (unit ids).")
    )
    recipient_organizations = organization_field(
        many=True, required=False, help_text=_("External recipients (organisation ids).")
    )
    note = serializers.CharField(required=False, allow_blank=True)


class DocumentOutgoingCreateApi(ApiView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="document_outgoing_create",
        summary=_("Start an outgoing draft in your unit"),
        description=_(
            "multipart/form-data with an optional file, or JSON without one. "
            "urgency and confidentiality default to 'normal'."
        ),
        request={
            "multipart/form-data": OutgoingCreateInputSerializer,
            "application/json": OutgoingCreateInputSerializer,
        },
        responses={201: DocumentDetailSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        serializer = OutgoingCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        document = outgoing_create(user=request.user, pdf=fields.pop("file", None), **fields)
        return _detail_response(request, document, status.HTTP_201_CREATED)


@extend_schema_serializer(component_name="DocumentFileAdd")
class FileAddInputSerializer(InputSerializer):
    file = PdfFileField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=255)


class DocumentFileAddApi(ApiView):
    parser_classes = PDF_PARSERS

    @extend_schema(
        tags=[TAG],
        operation_id="document_file_add",
        summary=_("Upload a new version of a draft's PDF"),
        description=_("Earlier versions are kept. Only the drafter or the drafting unit's head."),
        request={"multipart/form-data": FileAddInputSerializer},
        responses={201: DocumentFileSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = document_get_for_user(request.user, document_id)
        serializer = FileAddInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document_file = document_file_add(
            user=request.user,
            document=document,
            pdf=serializer.validated_data["file"],
            comment=serializer.validated_data.get("comment", ""),
        )
        output = DocumentFileSerializer(document_file, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


@extend_schema_serializer(component_name="DocumentSubmit")
class SubmitInputSerializer(InputSerializer):
    comment = serializers.CharField(required=False, allow_blank=True)


class DocumentSubmitApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="document_submit",
        summary=_("Send a draft for issuance"),
        description=_("The draft needs a file and a signer."),
        request=SubmitInputSerializer,
        responses={200: DocumentDetailSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = document_get_for_user(request.user, document_id)
        serializer = SubmitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = outgoing_submit(
            user=request.user, document=document, **serializer.validated_data
        )
        return _detail_response(request, document)


@extend_schema_serializer(component_name="DocumentIssue")
class IssueInputSerializer(InputSerializer):
    issue_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Defaults to today.")
    )


class DocumentIssueApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="document_issue",
        summary=_("Number and issue a document awaiting issuance (clerks)"),
        description=_(
            "Takes the next number of the year's outgoing register book (01, 02, …) and builds "
            'the symbol: "01/KH-SYT"; a Công văn gets the drafting unit: "02/SYT-VP". '
            "Internal recipient units get their incoming copy."
        ),
        request=IssueInputSerializer,
        responses={200: DocumentDetailSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = document_get_for_user(request.user, document_id)
        serializer = IssueInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = outgoing_issue(user=request.user, document=document, **serializer.validated_data)
        return _detail_response(request, document)


# --- Files.


class DocumentFileDownloadApi(ApiView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # "Accept: application/pdf" must not turn an error into 406: errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=[TAG],
        operation_id="document_file_download",
        summary=_("Download one file version"),
        description=_(
            "The PDF bytes, after checking them against the SHA-256 recorded at upload (also sent "
            "as the ETag). A mismatch or a missing file gives 409 and no bytes. Each download is "
            "recorded as a read ('document.download')."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            **error_responses(404, 409),
        },
    )
    def get(self, request: Request, document_id: int, file_id: int) -> HttpResponse:
        document = document_get_for_user(request.user, document_id)
        document_file = document.files.filter(pk=file_id).first()
        if document_file is None:
            raise Http404
        content = document_file_download(user=request.user, document_file=document_file)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=document_file.original_name
        )
        response["ETag"] = f'"{document_file.sha256}"'
        response["Cache-Control"] = "private, no-store"
        return response


# --- Handling.


@extend_schema_serializer(component_name="DocumentAssign")
class AssignInputSerializer(InputSerializer):
    lead_unit = AgencyUnitField(required=False, allow_null=True)
    lead_user = AgencyUserField(required=False, allow_null=True)
    coordinator_units = AgencyUnitField(many=True, required=False)
    coordinator_users = AgencyUserField(many=True, required=False)
    information_units = AgencyUnitField(many=True, required=False)
    information_users = AgencyUserField(many=True, required=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    directive = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The leader's directive (bút phê).")
    )


class DocumentAssignApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="document_assign",
        summary=_("Assign an incoming document (directors)"),
        description=_(
            "One lead handler (a unit or a person), any coordinators and for-information "
            "recipients. Returns the assignments created."
        ),
        request=AssignInputSerializer,
        responses={201: AssignmentSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = document_get_for_user(request.user, document_id)
        serializer = AssignInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        assignments = document_assign(
            user=request.user, document=document, **serializer.validated_data
        )
        output = AssignmentSerializer(assignments, many=True, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


@extend_schema_serializer(component_name="DocumentComment")
class CommentInputSerializer(InputSerializer):
    comment = serializers.CharField()


class DocumentCommentApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="document_comment",
        summary=_("Add a comment to a document's timeline"),
        request=CommentInputSerializer,
        responses={201: DocumentEventSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = document_get_for_user(request.user, document_id)
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = document_comment(
            user=request.user, document=document, comment=serializer.validated_data["comment"]
        )
        output = DocumentEventSerializer(event, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)
