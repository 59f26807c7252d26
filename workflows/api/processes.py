"""Process run endpoint: one run with its history and open tasks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from edoc.api.common import ApiView, error_responses
from workflows.api.serializers import ProcessRunSerializer, process_context
from workflows.selectors import process_run_get_for_user


class ProcessDetailApi(ApiView):
    @extend_schema(
        tags=["processes"],
        operation_id="process_retrieve",
        summary=_("One running or finished process"),
        description=_(
            "Its definition and version, document, status, current step, history (oldest "
            "first) and open tasks. Visible to its participants (and their delegates) and to "
            "those who may see its document."
        ),
        responses={200: ProcessRunSerializer, **error_responses(404)},
    )
    def get(self, request: Request, process_id: int) -> Response:
        run = process_run_get_for_user(request.user, process_id)
        return Response(ProcessRunSerializer(run, context=process_context(request, run)).data)
