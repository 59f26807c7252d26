"""Catalogs a client needs to fill the document forms: one read, no writes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from edoc.api.common import ApiView, error_responses
from edoc.api.serializers import (
    ConfidentialitySerializer,
    DocumentTypeSerializer,
    FieldSerializer,
    OrganizationSerializer,
    RegisterBookSerializer,
    UrgencySerializer,
    UserRefSerializer,
)
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
from edoc.selectors.access import can_register_incoming
from edoc.services.numbering import registry_unit_for


class CatalogUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ("id", "name", "short_name", "kind", "parent", "code")


class CatalogUserSerializer(UserRefSerializer):
    class Meta(UserRefSerializer.Meta):
        fields = (*UserRefSerializer.Meta.fields, "unit", "role")


class CatalogsSerializer(serializers.Serializer):
    document_types = DocumentTypeSerializer(many=True)
    urgencies = UrgencySerializer(many=True)
    confidentialities = ConfidentialitySerializer(many=True)
    fields = FieldSerializer(many=True)
    units = CatalogUnitSerializer(many=True, help_text=_("Active units of your agency."))
    users = CatalogUserSerializer(many=True, help_text=_("Active staff of your agency."))
    external_organizations = OrganizationSerializer(many=True)
    register_books = RegisterBookSerializer(
        many=True,
        help_text=_(
            "Open incoming register books you may register into (clerks only; empty for "
            "others). This year's book is created at the first registration if missing."
        ),
    )


def _usable_register_books(user: User) -> QuerySet[RegisterBook]:
    if not can_register_incoming(user):
        return RegisterBook.objects.none()
    return RegisterBook.objects.filter(
        agency_id=user.unit.agency_id,
        unit=registry_unit_for(user.unit),
        kind=RegisterBook.Kind.INCOMING,
        is_closed=False,
    ).order_by("-year", "is_confidential")


def catalogs_for(user: User) -> dict[str, Any]:
    agency_id = user.agency_id
    return {
        "document_types": DocumentType.objects.filter(is_active=True),
        "urgencies": Urgency.objects.all(),
        "confidentialities": Confidentiality.objects.all(),
        "fields": Field.objects.filter(is_active=True),
        "units": Unit.objects.filter(agency_id=agency_id, is_active=True),
        "users": User.objects.filter(
            unit__isnull=False, unit__agency_id=agency_id, is_active=True
        ).order_by("unit__sort_order", "last_name", "first_name", "username"),
        "external_organizations": ExternalOrganization.objects.filter(is_active=True),
        "register_books": _usable_register_books(user),
    }


class CatalogsApi(ApiView):
    @extend_schema(
        tags=["catalogs"],
        operation_id="catalogs_retrieve",
        summary=_("Document types, urgency, confidentiality, fields, units, staff, organisations"),
        description=_(
            "Write requests refer to document types, units, users, organisations and register "
            "books by id, and to urgency, confidentiality and fields by code."
        ),
        responses={200: CatalogsSerializer, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return Response(CatalogsSerializer(catalogs_for(request.user)).data)
