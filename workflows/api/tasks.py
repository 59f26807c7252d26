"""Task endpoints: the caller's open tasks and the actions on one task.

A task the caller may not see is a 404 (`work_item_get_for_user`); one they may see but not act
on is a 403, and one already handled a 400 with code "already_done" (decided by the services,
under a row lock).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response

from edoc.api.common import (
    AgencyUserField,
    ApiMixin,
    ApiPagination,
    ApiView,
    InputSerializer,
    error_responses,
)
from edoc.models import User
from workflows import access
from workflows.api.filters import TaskFilter
from workflows.api.serializers import (
    TaskDetailSerializer,
    TaskSerializer,
    task_context,
    task_queryset,
)
from workflows.models import WorkItem
from workflows.selectors import inbox_work_items, work_item_get_for_user
from workflows.services.processes import (
    work_item_claim,
    work_item_complete,
    work_item_reassign,
    work_item_return,
)
from workflows.task_forms import action_form

TAG = "tasks"
ACTION_ERRORS = error_responses(400, 403, 404)


def _task_response(request: Request, task_id: int) -> Response:
    """The task after an action. Not filtered by access: the caller has just acted on it (after a
    reassignment they may no longer be among those who see it)."""
    item = task_queryset(request.user).get(pk=task_id)
    return Response(TaskDetailSerializer(item, context=task_context(request, [item])).data)


def _form_errors(form: Any) -> dict[str, list[ErrorDetail]]:
    return {
        ("non_field_errors" if name == NON_FIELD_ERRORS else name): [
            ErrorDetail(message, code=error.code or "invalid")
            for error in errors
            for message in error.messages
        ]
        for name, errors in form.errors.as_data().items()
    }


def action_data(user: User, item: WorkItem, data: dict[str, Any]) -> dict[str, Any]:
    """`data` checked by the step action's form (`task_forms.action_form`), if it has one: its
    cleaned data, or a 400 listing the form's errors under "data"."""
    form = action_form(item, user, data=data)
    if form is None:
        return data
    if not form.is_valid():
        raise serializers.ValidationError({"data": _form_errors(form)})
    return form.cleaned_data


# --- Reading.


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        operation_id="tasks_list",
        summary=_("Your open tasks"),
        description=_(
            "Tasks assigned to you, tasks of leaders who delegated their handling to you "
            "(on_behalf_of names the leader) and unclaimed group tasks you may claim "
            "(claimable: true); nearest deadline first, paginated."
        ),
        responses={200: TaskSerializer(many=True), **error_responses(400)},
    )
)
class TaskListApi(ApiMixin, generics.ListAPIView):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    pagination_class = ApiPagination

    def get_queryset(self):
        return task_queryset(self.request.user, inbox_work_items(self.request.user))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        items = list(page if page is not None else [])
        data = TaskSerializer(items, many=True, context=task_context(request, items)).data
        return self.get_paginated_response(data)


class TaskDetailApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="task_retrieve",
        summary=_("One task"),
        description=_(
            "A task you take part in (as assignee, their delegate, group member or the one who "
            "completed it), of a run you started, or about a document you may see."
        ),
        responses={200: TaskDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, task_id: int) -> Response:
        item = work_item_get_for_user(request.user, task_id)
        return _task_response(request, item.pk)


# --- Acting.


@extend_schema_serializer(component_name="TaskComplete")
class TaskCompleteInputSerializer(InputSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    data = serializers.DictField(
        required=False,
        default=dict,
        help_text=_(
            "The extra input of the step's action (its form's fields), if it needs any; "
            "errors come back under fields.data."
        ),
    )


class TaskCompleteApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="task_complete",
        summary=_("Complete your task"),
        description=_(
            "Performs the step's action and moves the process on. A delegate completes on "
            "behalf of the leader. A task no longer open gives 400 with code 'already_done'."
        ),
        request=TaskCompleteInputSerializer,
        responses={200: TaskDetailSerializer, **ACTION_ERRORS},
    )
    def post(self, request: Request, task_id: int) -> Response:
        item = work_item_get_for_user(request.user, task_id)
        serializer = TaskCompleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data["data"]
        if item.status == WorkItem.Status.OPEN and access.work_item_actor(request.user, item):
            # Otherwise the service refuses (already done, not yours) before reading data.
            data = action_data(request.user, item, data)
        work_item_complete(
            user=request.user,
            work_item=item,
            comment=serializer.validated_data["comment"],
            data=data,
        )
        return _task_response(request, item.pk)


@extend_schema_serializer(component_name="TaskReturn")
class TaskReturnInputSerializer(InputSerializer):
    to_step = serializers.CharField(help_text=_("A step id of the task's returnable_to."))
    reason = serializers.CharField(help_text=_("Why the task goes back."))


class TaskReturnApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="task_return",
        summary=_("Return the process to an earlier step"),
        description=_(
            "Closes your task as 'returned'; the earlier step gets a new task. A step not in "
            "returnable_to gives 400 on to_step."
        ),
        request=TaskReturnInputSerializer,
        responses={200: TaskDetailSerializer, **ACTION_ERRORS},
    )
    def post(self, request: Request, task_id: int) -> Response:
        item = work_item_get_for_user(request.user, task_id)
        serializer = TaskReturnInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        work_item_return(user=request.user, work_item=item, **serializer.validated_data)
        return _task_response(request, item.pk)


class TaskClaimApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="task_claim",
        summary=_("Claim a group task"),
        description=_(
            "A member of the group takes the task. Already claimed: 400 with code "
            "'already_claimed'."
        ),
        request=None,
        responses={200: TaskDetailSerializer, **ACTION_ERRORS},
    )
    def post(self, request: Request, task_id: int) -> Response:
        item = work_item_get_for_user(request.user, task_id)
        work_item_claim(user=request.user, work_item=item)
        return _task_response(request, item.pk)


@extend_schema_serializer(component_name="TaskReassign")
class TaskReassignInputSerializer(InputSerializer):
    to_user = AgencyUserField(help_text=_("Id of an active member of your agency."))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class TaskReassignApi(ApiView):
    @extend_schema(
        tags=[TAG],
        operation_id="task_reassign",
        summary=_("Give the task to someone else"),
        description=_(
            "The assignee hands over; an administrator or the assignee's unit head redistributes."
        ),
        request=TaskReassignInputSerializer,
        responses={200: TaskDetailSerializer, **ACTION_ERRORS},
    )
    def post(self, request: Request, task_id: int) -> Response:
        item = work_item_get_for_user(request.user, task_id)
        serializer = TaskReassignInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        work_item_reassign(user=request.user, work_item=item, **serializer.validated_data)
        return _task_response(request, item.pk)
