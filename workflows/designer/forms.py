"""Designer forms: a definition, one step (with its assignee rules and branches), JSON, BPMN.

Field names of the step form (stable, for people and for browser tests):

    original_id, id, name, type, action, next, allow_return, deadline, deadline_unit,
    join, join_count, default, is_start,
    rule-<n>-rule, rule-<n>-user, rule-<n>-role, rule-<n>-unit, rule-<n>-group   (n = 0, 1, …)
    branch-<n>-condition, branch-<n>-next                                         (n = 0, 1, …)

A user step uses rule-0 only; a parallel step every filled rule row; blank rows are ignored.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from edoc.forms import MultiPick
from edoc.models import Unit, User
from edoc.models.organisation import Role
from workflows import expressions
from workflows.actions import action_choices
from workflows.graph import ASSIGNEE_RULES, BRANCH, END, PARALLEL, STEP_ID, USER
from workflows.models import SubjectKind
from workflows.subjects import SUBJECT_FIELDS

MAX_ROWS = 30
STEP_TYPE_CHOICES = [
    (USER, _("User step")),
    (PARALLEL, _("Parallel step")),
    (BRANCH, _("Branch")),
    (END, _("End")),
]
RULE_LABELS = {
    "user": _("A specific user"),
    "role": _("A role in a unit"),
    "lead_unit_head": _("Head of the lead handler's unit"),
    "lead_handler": _("The document's lead handler"),
    "coordinators": _("Each coordinator of the document (one task each)"),
    "signer": _("The outgoing document's signer"),
    "initiator": _("Whoever started the process"),
    "group": _("A group (one member claims the task)"),
    "subject_handler": _("The dossier's specialist"),
}


def rule_kind_choices() -> list[tuple[str, Any]]:
    """Every rule kind the graph accepts (the list may grow), labelled where we know it."""
    return [("", "—")] + [(kind, RULE_LABELS.get(kind, kind)) for kind in ASSIGNEE_RULES]


UNIT_REFERENCE_CHOICES = [
    ("owner_unit", _("The document's owning unit")),
    ("lead_unit", _("The lead handler's unit")),
    ("initiator_unit", _("The initiator's unit")),
    ("agency", _("Anywhere in the agency")),
]
JOIN_CHOICES = [
    ("all", _("All must finish")),
    ("any", _("Any one is enough")),
    ("count", _("A number of them")),
]
DEADLINE_UNITS = [("days", _("working days")), ("hours", _("working hours"))]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class DefinitionCreateForm(forms.Form):
    key = forms.SlugField(
        label=_("Key"),
        max_length=60,
        help_text=_("Short unique code, e.g. incoming-handling (a–z, 0–9, -)."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    subject_kind = forms.ChoiceField(
        label=_("Runs on"), choices=SubjectKind.choices, initial=SubjectKind.ANY
    )
    bpmn_file = forms.FileField(
        label=_("Start from a BPMN file (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml"}),
    )


class RuleForm(forms.Form):
    """One assignee rule (prefix rule-<n>)."""

    rule = forms.ChoiceField(label=_("Handler"), required=False)
    user = forms.TypedChoiceField(label=_("User"), required=False, coerce=int, empty_value=None)
    role = forms.MultipleChoiceField(label=_("Role"), required=False, widget=MultiPick)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    group = forms.ChoiceField(label=_("Group"), required=False)

    def __init__(self, *args: Any, choices: dict[str, list], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = rule_kind_choices()
        self.fields["user"].choices = choices["users"]
        self.fields["role"].choices = choices["roles"][1:]
        self.fields["unit"].choices = choices["units"]
        self.fields["group"].choices = choices["groups"]

    @staticmethod
    def initial_for(rule: dict[str, Any] | None, groups_by_name: dict[str, int]) -> dict[str, Any]:
        if not rule:
            return {}
        group = rule.get("group")
        if isinstance(group, str) and group in groups_by_name:
            group = groups_by_name[group]
        role = rule.get("role") or []
        return {
            "rule": rule.get("rule", ""),
            "user": rule.get("user"),
            "role": role if isinstance(role, list) else [role],
            "unit": "" if rule.get("unit") is None else str(rule.get("unit")),
            "group": "" if group is None else str(group),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("rule")
        if kind == "user" and not data.get("user"):
            self.add_error("user", _("Choose the user."))
        if kind == "role":
            if not data.get("role"):
                self.add_error("role", _("Choose the role."))
            if not data.get("unit"):
                self.add_error("unit", _("Choose the unit."))
        if kind == "group" and not data.get("group"):
            self.add_error("group", _("Choose the group."))
        return data

    def rule_dict(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        kind = data.get("rule")
        if not kind:
            return None
        if kind == "user":
            return {"rule": "user", "user": data["user"]}
        if kind == "role":
            unit = data["unit"]
            return {
                "rule": "role",
                "role": data["role"],
                "unit": int(unit) if unit.isdigit() else unit,
            }
        if kind == "group":
            group = data["group"]
            return {"rule": "group", "group": int(group) if group.isdigit() else group}
        return {"rule": kind}


class BranchForm(forms.Form):
    """One condition of a branch (prefix branch-<n>)."""

    condition = forms.CharField(label=_("Condition"), required=False, max_length=500)
    next = forms.CharField(label=_("Then go to"), required=False, max_length=50)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check_id = f"check-{self.prefix}"
        self.fields["condition"].widget.attrs.update(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": 'confidential or urgency != "normal"',
                "hx-get": reverse("designer:condition_check"),
                "hx-trigger": "input changed delay:350ms, load",
                "hx-target": f"#{self.check_id}",
                "hx-swap": "innerHTML",
                "aria-describedby": self.check_id,
            }
        )
        self.fields["next"].widget.attrs.update(list="step-ids", autocomplete="off")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        condition, target = data.get("condition", "").strip(), data.get("next", "").strip()
        if condition:
            try:
                expressions.parse(condition, set(SUBJECT_FIELDS))
            except expressions.ExpressionError as exc:
                self.add_error("condition", str(exc))
            if not target:
                self.add_error("next", _("Choose the step this condition leads to."))
        elif target:
            self.add_error("condition", _("Write the condition, or clear the step."))
        data["condition"], data["next"] = condition, target
        return data


class StepForm(forms.Form):
    original_id = forms.CharField(required=False, widget=forms.HiddenInput)
    id = forms.CharField(
        label=_("Step id"),
        max_length=50,
        help_text=_("a–z, 0–9 and _, starting with a letter, e.g. approve"),
    )
    name = forms.CharField(label=_("Step name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=STEP_TYPE_CHOICES, initial=USER)
    action = forms.ChoiceField(label=_("Action"), initial="generic")
    next = forms.CharField(
        label=_("Next step"),
        required=False,
        max_length=50,
        help_text=_("Id of the step that follows (it may be added later)."),
    )
    allow_return = forms.BooleanField(
        label=_("The handler may return the task to an earlier step"),
        required=False,
        initial=True,
    )
    deadline = forms.DecimalField(
        label=_("Deadline"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text=_("Empty: no deadline. 0.5 day = half a working day."),
    )
    deadline_unit = forms.ChoiceField(label=_("Counted in"), choices=DEADLINE_UNITS, initial="days")
    join = forms.ChoiceField(label=_("Completion"), choices=JOIN_CHOICES, initial="all")
    join_count = forms.IntegerField(label=_("How many"), required=False, min_value=1)
    default = forms.CharField(
        label=_("Otherwise go to"),
        required=False,
        max_length=50,
        help_text=_("The step when no condition holds."),
    )
    is_start = forms.BooleanField(label=_("This is the start step"), required=False)

    def __init__(self, *args: Any, other_ids: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.other_ids = other_ids
        self.fields["action"].choices = action_choices()
        for name in ("next", "default"):
            self.fields[name].widget.attrs.update(list="step-ids", autocomplete="off")
        self.fields["deadline"].widget.attrs.update(step="0.5")

    def clean_id(self) -> str:
        step_id = self.cleaned_data["id"].strip()
        if not STEP_ID.match(step_id):
            raise ValidationError(
                _("Start with a letter and use only a–z, 0–9 and _ (at most 50 characters).")
            )
        if step_id in self.other_ids:
            raise ValidationError(_("Another step already has this id."))
        return step_id

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parallel = data.get("type") == PARALLEL
        if parallel and data.get("join") == "count" and not data.get("join_count"):
            self.add_error("join_count", _("Say how many must finish."))
        return data

    def step_dict(
        self, rules: list[dict[str, Any] | None], branches: list[dict[str, str]]
    ) -> dict[str, Any]:
        """The step as stored in the graph."""
        data = self.cleaned_data
        step: dict[str, Any] = {
            "id": data["id"],
            "name": data["name"].strip(),
            "type": data["type"],
        }
        if data["type"] in (USER, PARALLEL):
            deadline = None
            if data.get("deadline") is not None:
                deadline = {data["deadline_unit"]: _number(data["deadline"])}
            step.update(
                action=data["action"],
                deadline=deadline,
                next=data.get("next", "").strip() or None,
                allow_return=data.get("allow_return", False),
            )
        if data["type"] == USER:
            step["assignee"] = rules[0] if rules else None
        elif data["type"] == PARALLEL:
            step["assignees"] = [rule for rule in rules if rule]
            join = data["join"]
            step["join"] = data["join_count"] if join == "count" else join
        elif data["type"] == BRANCH:
            step["branches"] = [b for b in branches if b["condition"]]
            step["default"] = data.get("default", "").strip() or None
        return step

    @staticmethod
    def initial_for(step: dict[str, Any] | None, *, is_start: bool) -> dict[str, Any]:
        if not step:
            return {"type": USER, "action": "generic", "allow_return": True, "is_start": is_start}
        initial = {
            "original_id": step["id"],
            "id": step["id"],
            "name": step.get("name", ""),
            "type": step.get("type", USER),
            "action": step.get("action") or "generic",
            "next": step.get("next") or "",
            "allow_return": step.get("allow_return", True),
            "default": step.get("default") or "",
            "is_start": is_start,
        }
        deadline = step.get("deadline") or {}
        if deadline.get("hours") not in (None, "") and deadline.get("days") in (None, ""):
            initial.update(deadline=deadline["hours"], deadline_unit="hours")
        elif deadline.get("days") not in (None, ""):
            initial.update(deadline=deadline["days"], deadline_unit="days")
        join = step.get("join", "all")
        if isinstance(join, int) and not isinstance(join, bool):
            initial.update(join="count", join_count=join)
        else:
            initial["join"] = join
        return initial


def rule_choices() -> dict[str, list]:
    """Choices of the rule rows, read once per request."""
    users = [("", "—")] + [
        (user.pk, f"{user.get_full_name() or user.username} — {user.unit or '—'} ({user.username})")
        for user in User.objects.filter(is_active=True)
        .select_related("unit")
        .order_by("unit__name", "last_name", "first_name")
    ]
    units = [("", "—"), (_("From the document or the initiator"), UNIT_REFERENCE_CHOICES)]
    units.append((_("A fixed unit"), [(str(u.pk), str(u)) for u in Unit.objects.order_by("name")]))
    groups = [("", "—")] + [(str(g.pk), g.name) for g in Group.objects.order_by("name")]
    roles = [("", "—")] + list(Role.choices)
    return {"users": users, "units": units, "groups": groups, "roles": roles}


class JsonForm(forms.Form):
    graph_json = forms.CharField(
        label=_("Definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "mono"}),
    )

    def clean_graph_json(self) -> dict[str, Any]:
        text = self.cleaned_data["graph_json"]
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("Not valid JSON: %(error)s (line %(line)s, column %(column)s).")
                % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
            )
        return data


class BpmnImportForm(forms.Form):
    bpmn_file = forms.FileField(
        label=_("BPMN file"), widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml"})
    )


class PublishForm(forms.Form):
    note = forms.CharField(label=_("Change note"), required=False, max_length=255)
