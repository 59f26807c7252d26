"""REST: GET /api/search/ — full-text search over the documents the caller may see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from edoc.api.common import ApiView, error_responses

from .backends.base import FILTER_KEYS, MAX_PAGE_SIZE
from .forms import SearchForm
from .selectors import result_rows
from .services import search_documents


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    symbol = serializers.CharField(help_text=_('Number and notation, "" before numbering.'))
    subject = serializers.CharField()
    issuer = serializers.CharField()
    date = serializers.DateField(allow_null=True, help_text=_("Issue date, else arrival date."))
    type = serializers.CharField(help_text=_("Document type name."))
    status = serializers.CharField()
    score = serializers.FloatField(help_text=_("Relevance; higher is better (backend-specific)."))
    highlights = serializers.DictField(
        child=serializers.CharField(),
        help_text=_("Field → HTML-escaped snippet with <mark>…</mark> around the matches."),
    )


class FacetBucketSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_("Value to pass back as a filter."))
    label = serializers.CharField()
    count = serializers.IntegerField(help_text=_("Matching documents you may see."))


@extend_schema_serializer(component_name="SearchResults")
class SearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    backend = serializers.CharField(help_text=_('"database" or "opensearch".'))
    notice = serializers.CharField(
        allow_null=True, help_text=_("Set when the search fell back to the database backend.")
    )
    results = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=FacetBucketSerializer(many=True))


FILTER_HELP = {
    "type": _("Document type id (repeatable)."),
    "year": _("Year of the issue (or arrival) date (repeatable)."),
    "issuer": _("Issuer exactly as in the facet (repeatable)."),
    "unit": _("Owning unit id (repeatable)."),
    "urgency": _("Urgency code (repeatable)."),
    "status": _("Document status (repeatable)."),
    "direction": _("incoming or outgoing (repeatable)."),
}


class SearchApi(ApiView):
    @extend_schema(
        tags=["search"],
        operation_id="search",
        summary=_("Full-text search"),
        description=_(
            "Words with or without Vietnamese diacritics, phrases in double quotes, document "
            "symbols (123/QĐ-UBND). Results, count and facet counts only cover documents you "
            "may see. An empty q lists every document you may see, newest first."
        ),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description=_("The query (≤ 500 characters).")),
            *[
                OpenApiParameter(key, OpenApiTypes.STR, many=True, description=FILTER_HELP[key])
                for key in FILTER_KEYS
            ],
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=["relevance", "date"]),
            OpenApiParameter("page", OpenApiTypes.INT, description=_("From 1.")),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description=f"1–{MAX_PAGE_SIZE}, default 20."
            ),
        ],
        responses={200: SearchResultSerializer, **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    (key if key != "__all__" else "non_field_errors"): [
                        serializers.ErrorDetail(str(e["message"]), code=e["code"] or "invalid")
                        for e in errors
                    ]
                    for key, errors in form.errors.get_json_data().items()
                }
            )
        query = form.search_query()
        result = search_documents(request.user, query)
        return Response(
            {
                "count": result.total,
                "page": query.page,
                "page_size": query.page_size,
                "backend": result.backend,
                "notice": result.notice,
                "results": [
                    {key: row[key] for key in SearchHitSerializer().fields}
                    for row in result_rows(result, request.user)
                ],
                "facets": {
                    key: [
                        {"value": b.value, "label": b.label, "count": b.count}
                        for b in result.facets.get(key, [])
                    ]
                    for key in FILTER_KEYS
                },
            }
        )
