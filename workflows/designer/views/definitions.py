"""Definition pages: the list (and create), delete, the editor and the raw JSON."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from edoc.views.common import form_add_service_errors
from workflows.bpmn import BpmnError, import_bpmn
from workflows.designer import editing
from workflows.designer.forms import DefinitionCreateForm, JsonForm
from workflows.designer.views.common import designer_required, get_definition
from workflows.designer.views.editor import editor_response
from workflows.diagram import render_svg
from workflows.models import ProcessDefinition
from workflows.services.definitions import (
    definition_create,
    definition_delete,
    draft_problems,
    draft_save,
)


@designer_required
def definition_list(request: HttpRequest) -> HttpResponse:
    """Every definition with its published version, draft and running processes; create form."""
    form = DefinitionCreateForm()
    if request.method == "POST":
        form = DefinitionCreateForm(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            upload = data.pop("bpmn_file", None)
            graph = None
            if upload:
                try:
                    graph = import_bpmn(upload.read())
                except BpmnError as exc:
                    form.add_error("bpmn_file", str(exc))
            if form.is_valid():
                try:
                    definition = definition_create(user=request.user, graph=graph, **data)
                except ValidationError as error:
                    form_add_service_errors(form, error)
                else:
                    messages.success(request, _("The process definition was created."))
                    return redirect("designer:edit", definition.pk)
    definitions = ProcessDefinition.objects.annotate(
        running=Count(
            "versions__runs", filter=Q(versions__runs__finished_at__isnull=True), distinct=True
        ),
        version_count=Count("versions", distinct=True),
    ).order_by("name")
    rows = []
    for definition in definitions:
        versions = list(definition.versions.order_by("-number"))
        rows.append(
            {
                "definition": definition,
                "published": next((v for v in versions if v.is_published), None),
                "draft": next((v for v in versions if not v.is_published), None),
            }
        )
    return render(request, "workflows/designer/list.html", {"rows": rows, "form": form})


@designer_required
@require_POST
def definition_remove(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_definition(pk)
    name = str(definition)
    try:
        definition_delete(user=request.user, definition=definition)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” was deleted.") % {"name": name})
    return redirect("designer:list")


@designer_required
@require_GET
def definition_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor: diagram, steps table, the selected step's form, problems, versions."""
    return editor_response(request, get_definition(pk))


@designer_required
def json_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The raw JSON of the draft, for power users; validated on save."""
    definition = get_definition(pk)
    graph, draft = editing.editing_base(definition)
    if request.method == "POST":
        form = JsonForm(request.POST)
        if form.is_valid():
            try:
                draft_save(
                    user=request.user,
                    definition=definition,
                    graph=form.cleaned_data["graph_json"],
                    note=draft.note if draft else "",
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            except (TypeError, ValueError, AttributeError):
                form.add_error(
                    "graph_json", _("The JSON does not have the shape of a process definition.")
                )
            else:
                messages.success(request, _("The JSON was saved into the draft."))
                return redirect("designer:json", definition.pk)
        preview = form.cleaned_data.get("graph_json") if form.is_valid() else graph
    else:
        form = JsonForm(initial={"graph_json": json.dumps(graph, ensure_ascii=False, indent=2)})
        preview = graph
    return render(
        request,
        "workflows/designer/json.html",
        {
            "definition": definition,
            "draft": draft,
            "form": form,
            "problems": draft_problems(definition) if draft else [],
            "diagram": render_svg(preview if isinstance(preview, dict) else graph),
        },
    )
