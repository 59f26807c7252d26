"""Process designer: administrators create, edit, test, publish and exchange definitions.

Every write goes through `workflows.services.definitions`; only `can_design` users get in.
htmx requests to the editor get its body (`#editor-body`) back, so the diagram, the problems
and the steps table refresh after each save; without JavaScript the same forms post and redirect.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from edoc.models import Document, Unit, User
from edoc.models.organisation import Role
from edoc.selectors.access import visible_documents
from edoc.views.common import form_add_service_errors
from workflows import assignees, calendar, expressions
from workflows.bpmn import BpmnError, export_bpmn, import_bpmn
from workflows.designer import editing
from workflows.designer.forms import (
    MAX_ROWS,
    BpmnImportForm,
    BranchForm,
    DefinitionCreateForm,
    JsonForm,
    PublishForm,
    RuleForm,
    StepForm,
    rule_choices,
)
from workflows.diagram import render_svg
from workflows.graph import BRANCH, END, PARALLEL, USER, Graph, GraphError, parse
from workflows.models import DefinitionVersion, ProcessDefinition
from workflows.services.definitions import (
    can_design,
    definition_create,
    definition_delete,
    draft_problems,
    draft_save,
    version_publish,
)
from workflows.subjects import SUBJECT_FIELDS, subject_fields
from workflows.wording import deadline_label, describer

NEW = "__new__"


def field_help() -> list[tuple[str, str]]:
    return list(SUBJECT_FIELDS.items())


def designer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in administrators only; everybody else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_design(request.user):
            raise PermissionDenied(_("Only administrators design processes."))
        return view(request, *args, **kwargs)

    return wrapped


# --- Labels ------------------------------------------------------------------------------------


class Names:
    """Display names of the users, units and groups that rules refer to (read once)."""

    def __init__(self, graph: dict[str, Any]) -> None:
        rules = []
        for step in graph.get("steps", []):
            rules += [step.get("assignee")] + list(step.get("assignees") or [])
        rules = [r for r in rules if isinstance(r, dict)]
        user_ids = {r.get("user") for r in rules if isinstance(r.get("user"), int)}
        unit_ids = {r.get("unit") for r in rules if isinstance(r.get("unit"), int)}
        self.users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
        self.units = {u.pk: str(u) for u in Unit.objects.filter(pk__in=unit_ids)}
        self.groups = {g.pk: g.name for g in Group.objects.all()}
        self.roles = dict(Role.choices)
        self.references = {
            "owner_unit": _("the document's owning unit"),
            "lead_unit": _("the lead handler's unit"),
            "initiator_unit": _("the initiator's unit"),
            "agency": _("the agency"),
        }

    def rule(self, rule: Any) -> str:
        if not isinstance(rule, dict) or not rule.get("rule"):
            return _("no assignee")
        kind = rule["rule"]
        if kind == "user":
            return self.users.get(rule.get("user"), _("user #%(id)s") % {"id": rule.get("user")})
        if kind == "role":
            unit = rule.get("unit")
            unit_name = (
                self.units.get(unit, f"#{unit}")
                if isinstance(unit, int)
                else self.references.get(unit, str(unit))
            )
            roles = rule.get("role")
            roles = roles if isinstance(roles, list) else [roles]
            return _("%(role)s of %(unit)s") % {
                "role": _(" or ").join(str(self.roles.get(r, r)) for r in roles),
                "unit": unit_name,
            }
        if kind == "lead_unit_head":
            return _("head of the lead handler's unit")
        if kind == "initiator":
            return _("whoever started the process")
        if kind == "lead_handler":
            return _("the document's lead handler")
        if kind == "coordinators":
            return _("each coordinator of the document")
        if kind == "signer":
            return _("the document's signer")
        if kind == "subject_handler":
            return _("the dossier's specialist")
        if kind == "group":
            group = rule.get("group")
            return _("group %(name)s") % {
                "name": self.groups.get(group, group) if isinstance(group, int) else group
            }
        return str(kind)


def step_rows(graph: dict[str, Any], names: Names) -> list[dict[str, Any]]:
    """The steps table: one summary per step."""
    by_id = {s["id"]: s for s in graph["steps"]}

    def target(step_id: str | None) -> dict[str, Any]:
        step = by_id.get(step_id) if step_id else None
        return {
            "id": step_id or "",
            "name": (step.get("name") or step_id) if step else step_id or "",
            "missing": bool(step_id) and step is None,
        }

    rows = []
    in_words = describer()
    for step in graph["steps"]:
        kind = step.get("type")
        who: list[str] = []
        if kind == USER:
            who = [names.rule(step.get("assignee"))]
        elif kind == PARALLEL:
            who = [names.rule(rule) for rule in step.get("assignees") or []]
        goes = []
        if kind == BRANCH:
            goes = [
                {
                    "label": in_words(b.get("condition", "")),
                    "expression": b.get("condition", ""),
                    **target(b.get("next")),
                }
                for b in step.get("branches") or []
            ]
            goes.append({"label": _("otherwise"), "default": True, **target(step.get("default"))})
        elif kind != END:
            goes = [{"label": "", **target(step.get("next"))}]
        rows.append(
            {
                "step": step,
                "who": who,
                "deadline": deadline_label(step.get("deadline")),
                "goes": goes,
                "is_start": step["id"] == graph.get("start"),
            }
        )
    return rows


# --- The editor's context ------------------------------------------------------------------------


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


def _step_forms(
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
    step_form, rule_forms, branch_forms = forms or _step_forms(graph, selected)
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


def _editor_response(
    request: HttpRequest, definition: ProcessDefinition, **kwargs: Any
) -> HttpResponse:
    context = _editor_context(request, definition, **kwargs)
    if request.htmx:
        return render(request, "workflows/designer/_editor_body.html", context)
    return render(request, "workflows/designer/edit.html", context)


def _get_definition(pk: int) -> ProcessDefinition:
    return get_object_or_404(ProcessDefinition, pk=pk)


def _edit_url(definition: ProcessDefinition, step: str | None = None) -> str:
    url = reverse("designer:edit", args=[definition.pk])
    return f"{url}?step={step}" if step else url


def _save(
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


# --- Pages ---------------------------------------------------------------------------------------


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
    definition = _get_definition(pk)
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
    return _editor_response(request, _get_definition(pk))


@designer_required
@require_POST
def step_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one step (new or changed) into the draft."""
    definition = _get_definition(pk)
    graph, _draft = editing.editing_base(definition)
    forms = _step_forms(graph, NEW, data=request.POST)
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
        response = _editor_response(request, definition, selected=original, forms=forms)
        return response
    step = step_form.step_dict(rules, [f.cleaned_data for f in branch_forms])
    original = step_form.cleaned_data.get("original_id", "")
    graph = editing.step_put(
        graph, original, step, make_start=step_form.cleaned_data.get("is_start", False)
    )
    if _save(request, definition, graph):
        messages.success(request, _("Step “%(name)s” was saved.") % {"name": step["name"]})
    if request.htmx:
        response = _editor_response(request, definition, selected=step["id"])
        response["HX-Push-Url"] = _edit_url(definition, step["id"])
        return response
    return redirect(_edit_url(definition, step["id"]))


@designer_required
@require_POST
def step_delete(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    definition = _get_definition(pk)
    graph, _draft = editing.editing_base(definition)
    step = editing.step_find(graph, step_id)
    if step is not None and _save(request, definition, editing.step_remove(graph, step_id)):
        messages.success(
            request,
            _("Step “%(name)s” was deleted; links to it were removed.")
            % {"name": step.get("name") or step_id},
        )
    if request.htmx:
        response = _editor_response(request, definition, selected=None, forms=(None, [], []))
        response["HX-Push-Url"] = _edit_url(definition)
        return response
    return redirect(_edit_url(definition))


@designer_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the draft; refused with the list of problems."""
    definition = _get_definition(pk)
    form = PublishForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    draft = definition.draft_version()
    changed_note = draft is not None and note and note != draft.note
    if changed_note and not _save(request, definition, draft.graph, note=note):
        return redirect(_edit_url(definition))
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
    return redirect(_edit_url(definition))


@designer_required
def json_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The raw JSON of the draft, for power users; validated on save."""
    definition = _get_definition(pk)
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


@designer_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Any version, read-only."""
    definition = _get_definition(pk)
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


@designer_required
@require_GET
def bpmn_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A version as BPMN 2.0 XML (?version=<number>; by default the draft, else the latest)."""
    definition = _get_definition(pk)
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
    definition = _get_definition(pk)
    form = BpmnImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a BPMN file to import."))
        return redirect(_edit_url(definition))
    try:
        graph = import_bpmn(form.cleaned_data["bpmn_file"].read())
    except BpmnError as exc:
        messages.error(request, _("The BPMN file was not imported: %(error)s") % {"error": exc})
        return redirect(_edit_url(definition))
    if _save(request, definition, graph):
        messages.success(
            request,
            _("The BPMN file was imported as the draft (%(count)s steps).")
            % {"count": len(graph["steps"])},
        )
    return redirect(_edit_url(definition))


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


# --- Test run ------------------------------------------------------------------------------------


def _find_documents(user: User, query: str) -> list[Document]:
    """Visible documents matching an id ("123" or "#123") or a symbol ("15/KH-SYT")."""
    query = query.strip()
    documents = visible_documents(user).select_related(
        "document_type", "urgency", "confidentiality", "field", "owner_unit", "agency"
    )
    if query.lstrip("#").isdigit():
        found = list(documents.filter(pk=int(query.lstrip("#"))))
        if found or query.startswith("#"):
            return found
        return list(documents.filter(number=query).order_by("-pk")[:20])
    number, _sep, notation = query.partition("/")
    matches = documents.filter(number__iexact=number.strip())
    if notation:
        matches = matches.filter(notation__iexact=notation.strip())
    return list(matches.order_by("-pk")[:20])


def _resolutions(
    rule: Any, context: assignees.RunContext, *, parallel: bool
) -> list[assignees.Resolution]:
    """Who a rule designates (one resolution per task); a malformed rule designates nobody."""
    if not isinstance(rule, dict):
        return [assignees.Resolution()]
    try:
        if parallel:
            return assignees.resolve_slots(rule, context)
        return [assignees.resolve(rule, context)]
    except (TypeError, ValueError):
        return [assignees.Resolution()]


def walk(graph: Graph, document: Document | None, initiator: User) -> list[dict[str, Any]]:
    """The path a run would take for `document` from the start, with who would get each step
    and the deadline it would have if it started now."""
    fields = subject_fields(document)
    context = assignees.RunContext(
        initiator=initiator,
        document=document,
        agency_id=document.agency_id if document else None,
    )
    names = Names(graph.to_dict())
    by_id = graph.by_id
    now = timezone.now()
    path: list[dict[str, Any]] = []
    seen: set[str] = set()
    step_id = graph.start
    while step_id:
        if step_id not in by_id:
            path.append({"missing": step_id})
            break
        if step_id in seen:
            path.append({"loop": by_id[step_id]})
            break
        seen.add(step_id)
        step = by_id[step_id]
        row: dict[str, Any] = {"step": step}
        if step.type == BRANCH:
            decisions, chosen = [], None
            in_words = describer()
            for branch in step.branches:
                try:
                    result = expressions.evaluate(branch.get("condition", ""), fields)
                    error = ""
                except expressions.ExpressionError as exc:
                    result, error = False, str(exc)
                taken = result and chosen is None
                if taken:
                    chosen = branch.get("next")
                target = by_id.get(branch.get("next"))
                decisions.append(
                    {
                        "branch": branch,
                        "words": in_words(branch.get("condition", "")),
                        "target": (target.name or target.id) if target else branch.get("next"),
                        "result": result,
                        "error": error,
                        "taken": taken,
                    }
                )
            default = by_id.get(step.default)
            row.update(
                decisions=decisions,
                default_taken=chosen is None,
                default_name=(default.name or default.id) if default else step.default,
                chosen=chosen,
            )
            step_id = chosen or step.default
        elif step.type in (USER, PARALLEL):
            rules = [step.assignee] if step.type == USER else step.assignees
            row["slots"] = [
                {"rule": names.rule(rule), "resolution": resolution}
                for rule in rules
                for resolution in _resolutions(rule, context, parallel=step.type == PARALLEL)
            ]
            days, hours = step.deadline_amount()
            if days is not None or hours is not None:
                row["deadline"] = calendar.add_working_time(now, days=days or 0, hours=hours or 0)
            row["deadline_label"] = deadline_label(step.deadline)
            step_id = step.next
        else:
            path.append(row)
            break
        path.append(row)
    return path


@designer_required
@require_GET
def test_run(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Who would get this step for document X?" — the path, the assignees and the deadlines."""
    definition = _get_definition(pk)
    versions = list(definition.versions.order_by("-number"))
    draft = next((v for v in versions if not v.is_published), None)
    chosen_version = request.GET.get("version") or ("draft" if draft else "")
    version = None
    if chosen_version == "draft":
        version = draft
    elif chosen_version.isdigit():
        version = next((v for v in versions if v.number == int(chosen_version)), None)
    version = version or draft or (versions[0] if versions else None)
    query = request.GET.get("document", "").strip()
    matches = _find_documents(request.user, query) if query else []
    document = matches[0] if len(matches) == 1 else None
    path, error = [], ""
    if version is not None and (document is not None or "run" in request.GET):
        try:
            graph = parse(version.graph)
        except GraphError as exc:
            error = str(exc)
        else:
            path = walk(graph, document, request.user)
    return render(
        request,
        "workflows/designer/test_run.html",
        {
            "definition": definition,
            "versions": versions,
            "version": version,
            "version_value": (
                "draft" if version is not None and not version.is_published else version.number
            )
            if version
            else "",
            "query": query,
            "matches": matches,
            "document": document,
            "fields": subject_fields(document).items() if document else [],
            "path": path,
            "error": error,
            "recent": visible_documents(request.user).order_by("-pk")[:30],
            "graph_svg": render_svg(
                version.graph if version else {},
                done={row["step"].id for row in path if "step" in row},
            )
            if version
            else "",
        },
    )
