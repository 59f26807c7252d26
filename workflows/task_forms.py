"""Forms of the task page: complete (with the step's own action form), return, reassign."""

from __future__ import annotations

import inspect
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from edoc.forms import CHOOSE, UserChoiceField, agency_users
from edoc.models import User
from workflows.actions import get_action
from workflows.models import WorkItem

ACTION_PREFIX = "action"


class CompleteTaskForm(forms.Form):
    comment = forms.CharField(
        label=_("Result / comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReturnTaskForm(forms.Form):
    to_step = forms.ChoiceField(label=_("Return to step"), choices=())
    reason = forms.CharField(
        label=_("Reason for returning"), widget=forms.Textarea(attrs={"rows": 2}), required=True
    )

    def __init__(self, *args: Any, steps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_step"].choices = steps
        if len(steps) == 1:
            self.fields["to_step"].initial = steps[0][0]


class ReassignTaskForm(forms.Form):
    to_user = UserChoiceField(
        label=_("Give the task to"), queryset=User.objects.none(), empty_label=CHOOSE
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: User, work_item: WorkItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = agency_users(user)
        if work_item.assignee_id:
            people = people.exclude(pk=work_item.assignee_id)
        self.fields["to_user"].queryset = people


def _accepts(form_class: type[forms.Form], name: str) -> bool:
    """Whether the form's constructor takes this keyword by name (not merely **kwargs)."""
    try:
        parameters = inspect.signature(form_class.__init__).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return False
    parameter = parameters.get(name)
    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


def action_form(
    work_item: WorkItem,
    user: User,
    *,
    data: Any = None,
    files: Any = None,
    prefix: str | None = None,
) -> forms.Form | None:
    """The extra form the step's action needs (None for the generic actions), bound to `data`
    when given; it receives `user` and `work_item` when its constructor names them. The task
    page and the API both build it here."""
    form_class = get_action(work_item.action).form_class
    if form_class is None:
        return None
    kwargs: dict[str, Any] = {"prefix": prefix}
    if _accepts(form_class, "user"):
        kwargs["user"] = user
    if _accepts(form_class, "work_item"):
        kwargs["work_item"] = work_item
    if data is not None:
        kwargs.update(data=data, files=files)
    return form_class(**kwargs)


def action_form_for(
    request: HttpRequest, work_item: WorkItem, *, bound: bool = False
) -> forms.Form | None:
    """The task page's action form, bound to the request's POST data when `bound`."""
    return action_form(
        work_item,
        request.user,
        data=request.POST if bound else None,
        files=request.FILES if bound else None,
        prefix=ACTION_PREFIX,
    )
