"""Process definitions as data: parse, validate and navigate a definition's graph.

A graph is JSON:

    {"start": "register",
     "steps": [
       {"id": "register", "name": "Văn thư vào sổ", "type": "user", "action": "generic",
        "assignee": {"rule": "role", "role": "clerk", "unit": "owner_unit"},
        "deadline": {"days": 0.5}, "next": "route", "allow_return": false},
       {"id": "route", "type": "branch", "name": "…",
        "branches": [{"condition": "confidential", "next": "secret_path"}], "default": "normal"},
       {"id": "coordinate", "type": "parallel", "name": "…", "assignees": [{…}, {…}],
        "join": "all" | "any" | 2, "deadline": {"hours": 4}, "next": "approve"},
       {"id": "done", "type": "end", "name": "Hoàn thành"}]}

`validate()` lists every problem in plain words; only a graph without problems is published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from workflows import expressions
from workflows.subjects import SUBJECT_FIELDS

USER, PARALLEL, BRANCH, END = "user", "parallel", "branch", "end"
STEP_TYPES = (USER, PARALLEL, BRANCH, END)
JOIN_MODES = ("all", "any")
ASSIGNEE_RULES = (
    "user",
    "role",
    "lead_unit_head",
    "lead_handler",
    "coordinators",
    "signer",
    "initiator",
    "group",
    "subject_handler",
)
UNIT_REFERENCES = ("owner_unit", "lead_unit", "initiator_unit", "agency")
STEP_ID = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


@dataclass
class Step:
    id: str
    type: str
    name: str = ""
    action: str = "generic"
    assignee: dict[str, Any] | None = None
    assignees: list[dict[str, Any]] = field(default_factory=list)
    join: str | int = "all"
    deadline: dict[str, Any] | None = None
    next: str | None = None
    branches: list[dict[str, str]] = field(default_factory=list)
    default: str | None = None
    allow_return: bool = True

    def targets(self) -> list[str]:
        """Ids this step can lead to."""
        if self.type == BRANCH:
            return [b.get("next") for b in self.branches if b.get("next")] + (
                [self.default] if self.default else []
            )
        return [self.next] if self.next else []

    def deadline_amount(self) -> tuple[Decimal | None, Decimal | None]:
        """(working days, working hours) of the step's deadline; (None, None) when none."""
        if not self.deadline:
            return None, None
        days = self.deadline.get("days")
        hours = self.deadline.get("hours")
        return (
            Decimal(str(days)) if days not in (None, "") else None,
            Decimal(str(hours)) if hours not in (None, "") else None,
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type, "name": self.name}
        if self.type in (USER, PARALLEL):
            data.update(
                action=self.action,
                deadline=self.deadline,
                next=self.next,
                allow_return=self.allow_return,
            )
        if self.type == USER:
            data["assignee"] = self.assignee
        if self.type == PARALLEL:
            data.update(assignees=self.assignees, join=self.join)
        if self.type == BRANCH:
            data.update(branches=self.branches, default=self.default)
        return data


@dataclass
class Graph:
    start: str | None
    steps: list[Step]

    @property
    def by_id(self) -> dict[str, Step]:
        return {step.id: step for step in self.steps}

    def step(self, step_id: str) -> Step:
        return self.by_id[step_id]

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "steps": [step.to_dict() for step in self.steps]}


class GraphError(ValueError):
    """The JSON is not a graph at all (problems of meaning come from `validate`)."""


def parse(data: Any) -> Graph:
    """Build a Graph from JSON data; raise GraphError on a malformed structure."""
    if not isinstance(data, dict) or not isinstance(data.get("steps", []), list):
        raise GraphError(_("A definition must be an object with a list of steps."))
    steps = []
    for raw in data.get("steps", []):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise GraphError(_("Every step must be an object with an id."))
        join = raw.get("join", "all")
        steps.append(
            Step(
                id=raw["id"],
                type=raw.get("type", USER),
                name=str(raw.get("name", "")),
                action=str(raw.get("action") or "generic"),
                assignee=raw.get("assignee") or None,
                assignees=list(raw.get("assignees") or []),
                join=join,
                deadline=raw.get("deadline") or None,
                next=raw.get("next") or None,
                branches=list(raw.get("branches") or []),
                default=raw.get("default") or None,
                allow_return=bool(raw.get("allow_return", True)),
            )
        )
    return Graph(start=data.get("start") or (steps[0].id if steps else None), steps=steps)


def _rule_problems(step: Step, rule: Any) -> list[str]:
    label = step.name or step.id
    if not isinstance(rule, dict) or rule.get("rule") not in ASSIGNEE_RULES:
        return [_("Step “%(step)s” has no valid assignee rule.") % {"step": label}]
    kind = rule["rule"]
    if kind == "user" and not rule.get("user"):
        return [_("Step “%(step)s”: choose the user.") % {"step": label}]
    if kind == "group" and not rule.get("group"):
        return [_("Step “%(step)s”: choose the group.") % {"step": label}]
    if kind == "role":
        problems = []
        if not rule.get("role"):
            problems.append(_("Step “%(step)s”: choose the role.") % {"step": label})
        unit = rule.get("unit")
        if unit not in UNIT_REFERENCES and not isinstance(unit, int):
            problems.append(_("Step “%(step)s”: choose the unit.") % {"step": label})
        return problems
    return []


def _deadline_problems(step: Step) -> list[str]:
    if not step.deadline:
        return []
    label = step.name or step.id
    try:
        days, hours = step.deadline_amount()
    except (InvalidOperation, AttributeError, TypeError):
        return [_("Step “%(step)s”: the deadline must be a number.") % {"step": label}]
    if days is None and hours is None:
        return []
    if (days is not None and days < 0) or (hours is not None and hours < 0):
        return [_("Step “%(step)s”: the deadline cannot be negative.") % {"step": label}]
    return []


def validate(graph: Graph, *, known_actions: set[str] | None = None) -> list[str]:
    """Every problem that prevents publishing, in plain words; [] when the graph is sound."""
    problems: list[str] = []
    by_id: dict[str, Step] = {}
    for step in graph.steps:
        if not STEP_ID.match(step.id):
            problems.append(
                _("Step id “%(id)s” must start with a letter and use a–z, 0–9 and _.")
                % {"id": step.id}
            )
        if step.id in by_id:
            problems.append(_("Two steps have the id “%(id)s”.") % {"id": step.id})
        by_id[step.id] = step
    if not graph.steps:
        return [_("The definition has no steps.")]
    if graph.start not in by_id:
        problems.append(_("The start step “%(id)s” does not exist.") % {"id": graph.start})

    for step in graph.steps:
        label = step.name or step.id
        if step.type not in STEP_TYPES:
            problems.append(
                _("Step “%(step)s” has an unknown type “%(type)s”.")
                % {"step": label, "type": step.type}
            )
            continue
        for target in step.targets():
            if target not in by_id:
                problems.append(
                    _("Step “%(step)s” leads to “%(target)s”, which does not exist.")
                    % {"step": label, "target": target}
                )
        if step.type in (USER, PARALLEL):
            if not step.next:
                problems.append(
                    _("Step “%(step)s” is a dead end: it has no next step.") % {"step": label}
                )
            if known_actions is not None and step.action not in known_actions:
                problems.append(
                    _("Step “%(step)s” has an unknown action “%(action)s”.")
                    % {"step": label, "action": step.action}
                )
            problems += _deadline_problems(step)
        if step.type == USER:
            if not step.assignee:
                problems.append(_("Step “%(step)s” has no assignee rule.") % {"step": label})
            else:
                problems += _rule_problems(step, step.assignee)
        if step.type == PARALLEL:
            if not step.assignees:
                problems.append(_("Parallel step “%(step)s” has no assignees.") % {"step": label})
            for rule in step.assignees:
                problems += _rule_problems(step, rule)
            if not (
                step.join in JOIN_MODES
                or (
                    isinstance(step.join, int) and not isinstance(step.join, bool) and step.join > 0
                )
            ):
                problems.append(
                    _("Parallel step “%(step)s”: completion must be all, any or a number.")
                    % {"step": label}
                )
        if step.type == BRANCH:
            if not step.default:
                problems.append(
                    _("Branch “%(step)s” has no default (the path when no condition holds).")
                    % {"step": label}
                )
            for branch in step.branches:
                try:
                    expressions.parse(branch.get("condition", ""), set(SUBJECT_FIELDS))
                except expressions.ExpressionError as exc:
                    problems.append(
                        _("Branch “%(step)s”: condition “%(condition)s” — %(error)s")
                        % {"step": label, "condition": branch.get("condition", ""), "error": exc}
                    )

    if problems:
        return problems
    reachable = _reachable(graph)
    for step in graph.steps:
        if step.id not in reachable:
            problems.append(
                _("Step “%(step)s” is unreachable from the start.") % {"step": step.name or step.id}
            )
    if not any(step.type == END for step in graph.steps):
        problems.append(_("The definition has no end step."))
    ending = _can_reach_end(graph)
    for step in graph.steps:
        if step.id in reachable and step.id not in ending:
            problems.append(
                _("Step “%(step)s” is a dead end: no path from it reaches an end.")
                % {"step": step.name or step.id}
            )
    return problems


def _reachable(graph: Graph) -> set[str]:
    by_id = graph.by_id
    seen: set[str] = set()
    frontier = [graph.start] if graph.start else []
    while frontier:
        current = frontier.pop()
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        frontier.extend(by_id[current].targets())
    return seen


def _can_reach_end(graph: Graph) -> set[str]:
    ending = {step.id for step in graph.steps if step.type == END}
    changed = True
    while changed:
        changed = False
        for step in graph.steps:
            if step.id not in ending and any(t in ending for t in step.targets()):
                ending.add(step.id)
                changed = True
    return ending
