"""BPMN 2.0 exchange: a version exported as XML, a BPMN file imported as the draft."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workflows.bpmn import BpmnError, export_bpmn, import_bpmn
from workflows.designer.forms import BpmnImportForm
from workflows.designer.views.common import designer_required, edit_url, get_definition, save_draft


@designer_required
@require_GET
def bpmn_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A version as BPMN 2.0 XML (?version=<number>; by default the draft, else the latest)."""
    definition = get_definition(pk)
    number = request.GET.get("version", "")
    versions = definition.versions.all()
    version = (
        get_object_or_404(versions, number=number)
        if number.isdigit()
        else definition.draft_version() or versions.order_by("-number").first()
    )
    if version is None:
        raise PermissionDenied(_("There is nothing to export."))
    response = HttpResponse(export_bpmn(version), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{definition.key}-v{version.number}.bpmn"
    )
    return response


@designer_required
@require_POST
def bpmn_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace the draft with the graph of a BPMN file."""
    definition = get_definition(pk)
    form = BpmnImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a BPMN file to import."))
        return redirect(edit_url(definition))
    try:
        graph = import_bpmn(form.cleaned_data["bpmn_file"].read())
    except BpmnError as exc:
        messages.error(request, _("The BPMN file was not imported: %(error)s") % {"error": exc})
        return redirect(edit_url(definition))
    if save_draft(request, definition, graph):
        messages.success(
            request,
            _("The BPMN file was imported as the draft (%(count)s steps).")
            % {"count": len(graph["steps"])},
        )
    return redirect(edit_url(definition))
