"""Pure edits of a graph dict for the designer (the save itself is `draft_save`)."""

from __future__ import annotations

import copy
from typing import Any

from workflows.graph import BRANCH, GraphError, parse
from workflows.models import DefinitionVersion, ProcessDefinition


def editing_base(definition: ProcessDefinition) -> tuple[dict[str, Any], DefinitionVersion | None]:
    """The graph the editor shows: the draft's, else a copy of the latest version's (saving it
    opens a new draft). Returns (graph, draft or None)."""
    draft = definition.draft_version()
    if draft is not None:
        return normalised(draft.graph), draft
    latest = definition.versions.order_by("-number").first()
    return normalised(latest.graph if latest else {}), None


def normalised(graph: Any) -> dict[str, Any]:
    """The graph as `workflows.graph` writes it; malformed data gives an empty graph."""
    try:
        return parse(copy.deepcopy(graph) or {"start": None, "steps": []}).to_dict()
    except GraphError:
        return {"start": None, "steps": []}


def step_find(graph: dict[str, Any], step_id: str) -> dict[str, Any] | None:
    return next((s for s in graph["steps"] if s.get("id") == step_id), None)


def _rename(graph: dict[str, Any], old: str, new: str | None) -> None:
    """Point every reference to `old` at `new` (None removes it)."""
    if graph.get("start") == old:
        graph["start"] = new
    for step in graph["steps"]:
        if step.get("next") == old:
            step["next"] = new
        if step.get("default") == old:
            step["default"] = new
        if step.get("type") == BRANCH:
            if new is None:
                step["branches"] = [b for b in step.get("branches") or [] if b.get("next") != old]
            else:
                for branch in step.get("branches") or []:
                    if branch.get("next") == old:
                        branch["next"] = new


def step_put(
    graph: dict[str, Any], original_id: str, step: dict[str, Any], *, make_start: bool = False
) -> dict[str, Any]:
    """A copy of `graph` with `step` replacing the step `original_id` (or appended when that is
    empty); references follow a renamed step."""
    graph = copy.deepcopy(graph)
    index = next((i for i, s in enumerate(graph["steps"]) if s.get("id") == original_id), None)
    if original_id and index is not None:
        graph["steps"][index] = step
        if step["id"] != original_id:
            _rename(graph, original_id, step["id"])
    else:
        graph["steps"].append(step)
    if make_start or not graph.get("start"):
        graph["start"] = step["id"] if make_start else graph["steps"][0]["id"]
    return graph


def step_remove(graph: dict[str, Any], step_id: str) -> dict[str, Any]:
    """A copy of `graph` without the step; references to it are cleared."""
    graph = copy.deepcopy(graph)
    graph["steps"] = [s for s in graph["steps"] if s.get("id") != step_id]
    _rename(graph, step_id, None)
    if not graph.get("start") and graph["steps"]:
        graph["start"] = graph["steps"][0]["id"]
    return graph


def new_step_id(graph: dict[str, Any]) -> str:
    taken = {s.get("id") for s in graph["steps"]}
    n = len(graph["steps"]) + 1
    while f"step_{n}" in taken:
        n += 1
    return f"step_{n}"
