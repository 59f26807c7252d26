"""What every designer page uses: the access check, the definition, its editor URL, saving."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from workflows.models import ProcessDefinition
from workflows.services.definitions import can_design, draft_save

NEW = "__new__"


def designer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in administrators only; everybody else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_design(request.user):
            raise PermissionDenied(_("Only administrators design processes."))
        return view(request, *args, **kwargs)

    return wrapped


def get_definition(pk: int) -> ProcessDefinition:
    """The definition, or 404."""
    return get_object_or_404(ProcessDefinition, pk=pk)


def edit_url(definition: ProcessDefinition, step: str | None = None) -> str:
    """The editor's URL, with `step` selected."""
    url = reverse("designer:edit", args=[definition.pk])
    return f"{url}?step={step}" if step else url


def save_draft(
    request: HttpRequest,
    definition: ProcessDefinition,
    graph: dict[str, Any],
    note: str | None = None,
) -> bool:
    """draft_save (keeping the draft's note unless given); a refusal becomes an error message."""
    if note is None:
        draft = definition.draft_version()
        note = draft.note if draft else ""
    try:
        draft_save(user=request.user, definition=definition, graph=graph, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True
