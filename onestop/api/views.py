"""Staff REST API of one-stop dossiers (read-only; writes go through the pages and the task
API), mounted under /api/onestop/ (namespace "onestop-api"). Visibility is the staff pages'
(`onestop.access`): a dossier the caller may not see is a 404."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from edoc.api.common import ApiMixin, ApiPagination, ApiView, error_responses
from onestop import selectors
from onestop.models import Dossier, DossierEvent, DossierPaper

TAG = "onestop"


class DossierSerializer(serializers.ModelSerializer):
    procedure_code = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure.name")
    # Plain values (the national portal's codes 1–10, see status_label), not schema enums.
    status = serializers.IntegerField(help_text="National status code 1–10 (0: draft).")
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.CharField(help_text="online or counter")
    fee_status = serializers.CharField(help_text="none, unpaid, paid or exempt")
    days_left = serializers.SerializerMethodField(
        help_text="Whole working days until the appointment (negative when overdue)."
    )

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "procedure_code",
            "procedure_name",
            "channel",
            "status",
            "status_label",
            "applicant_name",
            "applicant_phone",
            "submitted_at",
            "received_at",
            "due_at",
            "paused_at",
            "paused_working_days",
            "days_left",
            "finished_at",
            "returned_at",
            "fee_amount",
            "fee_status",
        ]

    def get_days_left(self, dossier: Dossier) -> int | None:
        return selectors.days_left(dossier)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    from_status = serializers.IntegerField(allow_null=True)
    to_status = serializers.IntegerField(allow_null=True)

    class Meta:
        model = DossierEvent
        fields = [
            "at",
            "kind",
            "from_status",
            "to_status",
            "actor",
            "public_message",
            "internal_note",
        ]


class PaperSerializer(serializers.ModelSerializer):
    paper = serializers.StringRelatedField()

    class Meta:
        model = DossierPaper
        fields = ["id", "paper", "round", "original_name", "content_type", "size", "sha256"]


class DossierDetailSerializer(DossierSerializer):
    events = EventSerializer(many=True, read_only=True)
    files = PaperSerializer(many=True, read_only=True)

    class Meta(DossierSerializer.Meta):
        fields = [
            *DossierSerializer.Meta.fields,
            "applicant_email",
            "applicant_address",
            "events",
            "files",
        ]


@extend_schema(
    tags=[TAG],
    summary=_("Dossiers"),
    description=_(
        "The dossiers you may see (one-stop officers and leaders: the agency's; a handling "
        "unit: its procedures'), newest first; filters status, procedure (code) and overdue."
    ),
)
class DossierListApi(ApiMixin, generics.ListAPIView):
    serializer_class = DossierSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        params = self.request.query_params
        status = params.get("status")
        queryset = selectors.dossier_list(
            self.request.user,
            status=int(status) if status and status.isdigit() else None,
            overdue=params.get("overdue") in ("1", "true"),
            query=params.get("q", ""),
        )
        if params.get("procedure"):
            queryset = queryset.filter(procedure__code=params["procedure"])
        return queryset


class DossierDetailApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="onestop_dossier_retrieve",
        summary=_("One dossier"),
        description=_("With its history (public messages and internal notes) and its files."),
        responses={200: DossierDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, dossier_id: int, **kwargs: Any) -> Response:
        dossier = selectors.dossier_get_for_user(request.user, dossier_id)
        return Response(DossierDetailSerializer(dossier).data)
