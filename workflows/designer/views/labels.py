"""The steps table: who each step goes to, its deadline and where it leads, in words."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from edoc.models import Unit, User
from edoc.models.organisation import Role
from workflows.graph import BRANCH, END, PARALLEL, USER
from workflows.wording import deadline_label, describer


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
