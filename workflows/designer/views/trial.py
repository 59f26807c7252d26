"""The test run: the path a process would take for a document, who would get each step and
its deadline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from edoc.models import Document, User
from edoc.selectors.access import visible_documents
from workflows import assignees, calendar, expressions
from workflows.designer.views.common import designer_required, get_definition
from workflows.designer.views.labels import Names
from workflows.diagram import render_svg
from workflows.graph import BRANCH, PARALLEL, USER, Graph, GraphError, parse
from workflows.subjects import subject_fields
from workflows.wording import deadline_label, describer


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
    definition = get_definition(pk)
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
