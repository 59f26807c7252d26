"""Saving and deleting a step of the draft; checking a branch condition as it is typed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workflows import expressions
from workflows.designer import editing
from workflows.designer.views.common import (
    NEW,
    designer_required,
    edit_url,
    get_definition,
    save_draft,
)
from workflows.designer.views.editor import editor_response, step_forms
from workflows.graph import PARALLEL, USER
from workflows.subjects import SUBJECT_FIELDS


@designer_required
@require_POST
def step_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one step (new or changed) into the draft."""
    definition = get_definition(pk)
    graph, _draft = editing.editing_base(definition)
    forms = step_forms(graph, NEW, data=request.POST)
    step_form, rule_forms, branch_forms = forms
    valid = all([step_form.is_valid()] + [f.is_valid() for f in rule_forms + branch_forms])
    if valid:
        rules = [f.rule_dict() for f in rule_forms]
        if step_form.cleaned_data["type"] == USER:
            rules = rules[:1]
        if step_form.cleaned_data["type"] == PARALLEL:
            count = len([r for r in rules if r])
            join_count = step_form.cleaned_data.get("join_count")
            if step_form.cleaned_data["join"] == "count" and join_count and join_count > count:
                step_form.add_error(
                    "join_count",
                    _("At most %(count)s: the number of assignee rules.") % {"count": count},
                )
                valid = False
    if not valid:
        original = request.POST.get("original_id") or NEW
        response = editor_response(request, definition, selected=original, forms=forms)
        return response
    step = step_form.step_dict(rules, [f.cleaned_data for f in branch_forms])
    original = step_form.cleaned_data.get("original_id", "")
    graph = editing.step_put(
        graph, original, step, make_start=step_form.cleaned_data.get("is_start", False)
    )
    if save_draft(request, definition, graph):
        messages.success(request, _("Step “%(name)s” was saved.") % {"name": step["name"]})
    if request.htmx:
        response = editor_response(request, definition, selected=step["id"])
        response["HX-Push-Url"] = edit_url(definition, step["id"])
        return response
    return redirect(edit_url(definition, step["id"]))


@designer_required
@require_POST
def step_delete(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    definition = get_definition(pk)
    graph, _draft = editing.editing_base(definition)
    step = editing.step_find(graph, step_id)
    if step is not None and save_draft(request, definition, editing.step_remove(graph, step_id)):
        messages.success(
            request,
            _("Step “%(name)s” was deleted; links to it were removed.")
            % {"name": step.get("name") or step_id},
        )
    if request.htmx:
        response = editor_response(request, definition, selected=None, forms=(None, [], []))
        response["HX-Push-Url"] = edit_url(definition)
        return response
    return redirect(edit_url(definition))


@designer_required
@require_GET
def condition_check(request: HttpRequest) -> HttpResponse:
    """htmx: is this branch condition valid? (Any parameter whose name ends in "condition".)"""
    source = next(
        (value for key, value in request.GET.items() if key.endswith("condition")), ""
    ).strip()
    if not source:
        return HttpResponse("")
    try:
        expressions.parse(source, set(SUBJECT_FIELDS))
    except expressions.ExpressionError as exc:
        return render(
            request, "workflows/designer/_condition_check.html", {"ok": False, "error": str(exc)}
        )
    return render(request, "workflows/designer/_condition_check.html", {"ok": True})
