"""Assignment endpoints: the caller's to-do list and the actions on one assignment.

An assignment on a document the caller may not see is a 404; one they may see but do not hold
is a 403 (decided by the services).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from edoc.api.common import (
    AgencyUnitField,
    AgencyUserField,
    ApiMixin,
    ApiPagination,
    ApiView,
    InputSerializer,
    error_responses,
)
from edoc.api.filters import AssignmentFilter
from edoc.api.serializers import AssignmentWithDocumentSerializer
from edoc.models import Assignment
from edoc.selectors.assignments import assignment_get_for_user, assignment_list
from edoc.services.handling import assignment_complete, assignment_forward, assignment_return

TAG = "assignments"


def _assignment_response(request: Request, assignment: Assignment, code: int = 200) -> Response:
    assignment = assignment_get_for_user(request.user, assignment.pk)
    return Response(AssignmentWithDocumentSerializer(assignment).data, code)


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        operation_id="assignments_list",
        summary=_("Your assignments"),
        description=_(
            "Assignments you hold in person, as head of the assigned unit, or for a leader who "
            "delegated to you; nearest deadline first. ?status=pending gives what waits for you."
        ),
        responses={200: AssignmentWithDocumentSerializer(many=True), **error_responses(400)},
    )
)
class AssignmentListApi(ApiMixin, generics.ListAPIView):
    serializer_class = AssignmentWithDocumentSerializer
    filterset_class = AssignmentFilter
    pagination_class = ApiPagination

    def get_queryset(self):
        return assignment_list(self.request.user)


@extend_schema_serializer(component_name="AssignmentForward")
class ForwardInputSerializer(InputSerializer):
    to_user = AgencyUserField(required=False, allow_null=True)
    to_unit = AgencyUnitField(required=False, allow_null=True)
    deadline = serializers.DateField(
        required=False, allow_null=True, help_text=_("Defaults to the assignment's deadline.")
    )
    directive = serializers.CharField(required=False, allow_blank=True)


class AssignmentForwardApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="assignment_forward",
        summary=_("Forward your assignment (same role) to a person or unit"),
        description=_("Closes yours as 'forwarded' and returns the new assignment."),
        request=ForwardInputSerializer,
        responses={201: AssignmentWithDocumentSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = assignment_get_for_user(request.user, assignment_id)
        serializer = ForwardInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        child = assignment_forward(
            user=request.user, assignment=assignment, **serializer.validated_data
        )
        return _assignment_response(request, child, status.HTTP_201_CREATED)


@extend_schema_serializer(component_name="AssignmentComplete")
class CompleteInputSerializer(InputSerializer):
    comment = serializers.CharField(required=False, allow_blank=True)


class AssignmentCompleteApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="assignment_complete",
        summary=_("Complete your assignment"),
        description=_(
            "When the lead handler completes, the document is completed. An assignment that is "
            "no longer pending gives 400 with code 'already_done'."
        ),
        request=CompleteInputSerializer,
        responses={200: AssignmentWithDocumentSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = assignment_get_for_user(request.user, assignment_id)
        serializer = CompleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = assignment_complete(
            user=request.user, assignment=assignment, **serializer.validated_data
        )
        return _assignment_response(request, assignment)


@extend_schema_serializer(component_name="AssignmentReturn")
class ReturnInputSerializer(InputSerializer):
    reason = serializers.CharField(help_text=_("Why the document goes back to the clerk."))


class AssignmentReturnApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="assignment_return",
        summary=_("Return the document to the clerk (lead handler)"),
        description=_("Closes your assignment as 'returned' and cancels the other pending ones."),
        request=ReturnInputSerializer,
        responses={200: AssignmentWithDocumentSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = assignment_get_for_user(request.user, assignment_id)
        serializer = ReturnInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment_return(user=request.user, assignment=assignment, **serializer.validated_data)
        return _assignment_response(request, assignment)
