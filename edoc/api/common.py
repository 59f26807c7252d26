"""Building blocks shared by the API modules: base view, pagination, input fields, error schema."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from edoc.models import (
    Confidentiality,
    DocumentType,
    ExternalOrganization,
    Field,
    RegisterBook,
    Unit,
    Urgency,
    User,
)
from edoc.services.files import ValidatedPdf, pdf_validate

# REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]: identity's expiring tokens, then the session.
# Token first: a request without credentials gets 401 with "WWW-Authenticate: Token".
AUTHENTICATION_CLASSES = api_settings.DEFAULT_AUTHENTICATION_CLASSES


class ApiMixin:
    """Settings every eDoc endpoint shares."""

    authentication_classes = AUTHENTICATION_CLASSES


class ApiView(ApiMixin, APIView):
    """Base of the single-operation endpoints."""


class ApiPagination(PageNumberPagination):
    """`?page=` (from 1) and `?page_size=` (default 50, at most 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class InputSerializer(serializers.Serializer):
    """Base of request bodies: a key it does not know is an error, so a typo or a key that
    cannot be written is never silently ignored."""

    IGNORED_KEYS = frozenset({"csrfmiddlewaretoken"})

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        sent = getattr(self, "initial_data", None)
        unknown = set(sent.keys() if hasattr(sent, "keys") else ()) - set(self.fields)
        unknown -= self.IGNORED_KEYS
        if unknown:
            raise serializers.ValidationError(
                {
                    key: [ErrorDetail(str(_("Unknown or read-only field.")), code="unknown_field")]
                    for key in sorted(unknown)
                }
            )
        return attrs


# --- The error envelope, for the schema (edoc.api.errors builds it).


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=_(
            "Stable machine-readable code: not_found, permission_denied, not_authenticated, "
            "throttled, file_integrity, invalid, required, not_pdf, corrupted, encrypted, "
            "empty, too_large, already_done, unknown_field, invalid_credentials, …"
        )
    )
    message = serializers.CharField(help_text=_("Human-readable message, in the user's language."))
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_("Messages per input field; 'non_field_errors' for the rest. Empty if none."),
    )


@extend_schema_serializer(component_name="ErrorEnvelope")
class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorSerializer()


ERROR_DESCRIPTIONS = {
    400: _("Invalid input, or the action is not possible in the document's current state."),
    401: _("No valid credentials (token or session)."),
    403: _("You may see the object but not perform this action."),
    404: _("No such object, or you may not see it."),
    409: _("The stored file fails its SHA-256 integrity check."),
    429: _("Too many requests; retry after the number of seconds in Retry-After."),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an endpoint can return (401 always)."""
    return {
        code: OpenApiResponse(ErrorEnvelopeSerializer, description=str(ERROR_DESCRIPTIONS[code]))
        for code in sorted({401, *codes})
    }


# --- Input fields: catalogs by their stable `code`, everything else by `id`.


def urgency_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Urgency.objects.all(),
        help_text=_("Urgency code: normal, urgent, very-urgent, flash (see /api/catalogs/)."),
        **kwargs,
    )


def confidentiality_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Confidentiality.objects.all(),
        help_text=_(
            "Confidentiality code: normal, confidential, secret, top-secret (see /api/catalogs/)."
        ),
        **kwargs,
    )


def subject_field_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Field.objects.filter(is_active=True),
        help_text=_("Field (lĩnh vực) code, see /api/catalogs/."),
        **kwargs,
    )


def document_type_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=DocumentType.objects.filter(is_active=True),
        help_text=_("Document type id, see /api/catalogs/."),
        **kwargs,
    )


def organization_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    kwargs.setdefault("help_text", _("External organisation id, see /api/catalogs/."))
    return serializers.PrimaryKeyRelatedField(
        queryset=ExternalOrganization.objects.filter(is_active=True), **kwargs
    )


def _request_agency_id(field: serializers.Field) -> int | None:
    request = field.context.get("request")
    user = getattr(request, "user", None)
    return getattr(user, "agency_id", None)


class AgencyUnitField(serializers.PrimaryKeyRelatedField):
    """An active unit of the caller's agency, by id."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("queryset", Unit.objects.all())
        kwargs.setdefault("help_text", _("Unit id, see /api/catalogs/."))
        super().__init__(**kwargs)

    def get_queryset(self):
        return Unit.objects.filter(agency_id=_request_agency_id(self), is_active=True)


class AgencyUserField(serializers.PrimaryKeyRelatedField):
    """An active user of the caller's agency, by id."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("queryset", User.objects.all())
        kwargs.setdefault("help_text", _("User id, see /api/catalogs/."))
        super().__init__(**kwargs)

    def get_queryset(self):
        agency_id = _request_agency_id(self)
        if agency_id is None:
            return User.objects.none()
        return User.objects.filter(unit__agency_id=agency_id, is_active=True).select_related("unit")


class AgencyRegisterBookField(serializers.PrimaryKeyRelatedField):
    """A register book of the caller's agency, by id."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("queryset", RegisterBook.objects.all())
        kwargs.setdefault("help_text", _("Register book id, see /api/catalogs/."))
        super().__init__(**kwargs)

    def get_queryset(self):
        return RegisterBook.objects.filter(agency_id=_request_agency_id(self))


class PdfFileField(serializers.FileField):
    """An uploaded PDF, validated by `pdf_validate` (empty, oversized, not a PDF, corrupted,
    encrypted → 400 with that code); the validated value is a `ValidatedPdf`."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("allow_empty_file", True)  # pdf_validate says "empty" itself
        kwargs.setdefault("use_url", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> ValidatedPdf:
        upload = super().to_internal_value(data)
        try:
            return pdf_validate(upload, upload.name)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code or "invalid")
