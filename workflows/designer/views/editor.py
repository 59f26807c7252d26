"""The editor's forms (the selected step, its assignee rules and branches) and context."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from workflows.designer import editing
from workflows.designer.forms import (
    MAX_ROWS,
    BpmnImportForm,
    BranchForm,
    PublishForm,
    RuleForm,
    StepForm,
    rule_choices,
)
from workflows.designer.views.common import NEW
from workflows.designer.views.labels import Names, step_rows
from workflows.diagram import render_svg
from workflows.graph import PARALLEL, USER
from workflows.models import ProcessDefinition
from workflows.services.definitions import draft_problems
from workflows.subjects import SUBJECT_FIELDS


def field_help() -> list[tuple[str, str]]:
    return list(SUBJECT_FIELDS.items())


def _rule_forms(
    data: Any, rules: list[Any], choices: dict[str, list], extra: int = 2
) -> list[RuleForm]:
    groups_by_name = {name: int(pk) for pk, name in choices["groups"][1:]}
    if data is not None:
        count = 0
        while count < MAX_ROWS and f"rule-{count}-rule" in data:
            count += 1
        return [RuleForm(data, prefix=f"rule-{i}", choices=choices) for i in range(count)]
    rows = max(len(rules), 1) + extra
    return [
        RuleForm(
            prefix=f"rule-{i}",
            choices=choices,
            initial=RuleForm.initial_for(rules[i] if i < len(rules) else None, groups_by_name),
        )
        for i in range(rows)
    ]


def _branch_forms(data: Any, branches: list[dict[str, Any]], extra: int = 2) -> list[BranchForm]:
    if data is not None:
        count = 0
        while count < MAX_ROWS and f"branch-{count}-condition" in data:
            count += 1
        return [BranchForm(data, prefix=f"branch-{i}") for i in range(count)]
    return [
        BranchForm(prefix=f"branch-{i}", initial=branches[i] if i < len(branches) else None)
        for i in range(len(branches) + extra)
    ]


def step_forms(
    graph: dict[str, Any], selected: str | None, data: Any = None
) -> tuple[StepForm | None, list[RuleForm], list[BranchForm]]:
    """The step form (for `selected`, NEW or none) and its rule and branch rows."""
    if selected is None:
        return None, [], []
    step = editing.step_find(graph, selected) if selected != NEW else None
    if selected != NEW and step is None:
        return None, [], []
    original = step["id"] if step else ""
    other_ids = {s["id"] for s in graph["steps"]} - {original}
    choices = rule_choices()
    if data is not None:
        original = data.get("original_id", "")
        other_ids = {s["id"] for s in graph["steps"]} - {original}
        form = StepForm(data, other_ids=other_ids)
    else:
        initial = StepForm.initial_for(
            step, is_start=bool(step) and graph.get("start") == step["id"]
        )
        if not step:
            initial.update(id=editing.new_step_id(graph), is_start=not graph["steps"])
        form = StepForm(initial=initial, other_ids=other_ids)
    form.step_key = original or NEW
    rules: list[Any] = []
    if step and step.get("type") == USER:
        rules = [step.get("assignee")] if step.get("assignee") else []
    elif step and step.get("type") == PARALLEL:
        rules = list(step.get("assignees") or [])
    branches = list(step.get("branches") or []) if step else []
    return form, _rule_forms(data, rules, choices), _branch_forms(data, branches)


def _editor_context(
    request: HttpRequest,
    definition: ProcessDefinition,
    *,
    selected: str | None = None,
    forms: tuple[StepForm | None, list[RuleForm], list[BranchForm]] | None = None,
) -> dict[str, Any]:
    graph, draft = editing.editing_base(definition)
    if selected is None and forms is None:
        selected = request.GET.get("step") or None
    step_form, rule_forms, branch_forms = forms or step_forms(graph, selected)
    names = Names(graph)
    versions = list(
        definition.versions.select_related("created_by", "published_by")
        .annotate(
            run_count=Count("runs"), running=Count("runs", filter=Q(runs__finished_at__isnull=True))
        )
        .order_by("-number")
    )
    highlight = {selected} if selected and selected != NEW else set()
    return {
        "definition": definition,
        "draft": draft,
        "graph": graph,
        "rows": step_rows(graph, names),
        "step_form": step_form,
        "rule_forms": rule_forms,
        "branch_forms": branch_forms,
        "rows_invalid": any(f.errors for f in [*rule_forms, *branch_forms]),
        "selected": selected,
        "problems": draft_problems(definition) if draft else [],
        "diagram": render_svg(graph, highlight=highlight),
        "versions": versions,
        "published": next((v for v in versions if v.is_published), None),
        "publish_form": PublishForm(initial={"note": draft.note if draft else ""}),
        "import_form": BpmnImportForm(),
        "subject_fields": field_help(),
        "new": NEW,
    }


def editor_response(
    request: HttpRequest, definition: ProcessDefinition, **kwargs: Any
) -> HttpResponse:
    """The editor page, or only its body for htmx."""
    context = _editor_context(request, definition, **kwargs)
    if request.htmx:
        return render(request, "workflows/designer/_editor_body.html", context)
    return render(request, "workflows/designer/edit.html", context)
