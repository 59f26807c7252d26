"""Publishing the draft; any version, read-only."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from workflows.designer import editing
from workflows.designer.forms import PublishForm
from workflows.designer.views.common import designer_required, edit_url, get_definition, save_draft
from workflows.designer.views.labels import Names, step_rows
from workflows.diagram import render_svg
from workflows.models import DefinitionVersion
from workflows.services.definitions import version_publish


@designer_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the draft; refused with the list of problems."""
    definition = get_definition(pk)
    form = PublishForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    draft = definition.draft_version()
    changed_note = draft is not None and note and note != draft.note
    if changed_note and not save_draft(request, definition, draft.graph, note=note):
        return redirect(edit_url(definition))
    try:
        version = version_publish(user=request.user, definition=definition)
    except ValidationError as error:
        count = len(error.messages)
        messages.error(
            request,
            ngettext(
                "Not published: %(count)s problem must be fixed first — see the list below.",
                "Not published: %(count)s problems must be fixed first — see the list below.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.success(
            request,
            _("Version %(number)s is published; new processes use it.")
            % {"number": version.number},
        )
    return redirect(edit_url(definition))


@designer_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Any version, read-only."""
    definition = get_definition(pk)
    version = get_object_or_404(
        DefinitionVersion.objects.select_related("created_by", "published_by"),
        definition=definition,
        number=number,
    )
    graph = editing.normalised(version.graph)
    return render(
        request,
        "workflows/designer/version.html",
        {
            "definition": definition,
            "version": version,
            "rows": step_rows(graph, Names(graph)),
            "diagram": render_svg(graph),
            "graph_json": json.dumps(version.graph, ensure_ascii=False, indent=2),
        },
    )
