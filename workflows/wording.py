"""A definition's parts in words, for people who read processes rather than write them.

    type in ("QĐ", "QC") and urgency != "normal"
    → "Loại văn bản là Quyết định hoặc Quy chế và độ khẩn khác Thường"

Codes become the catalogs' names (document types, urgency and confidentiality levels, units,
fields); a condition that cannot be read is returned as written.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from edoc.models import Confidentiality, DocumentType, Field, Unit, Urgency
from workflows import expressions
from workflows.subjects import SUBJECT_FIELDS

# What each condition field is called in a sentence.
FIELD_WORDS = {
    "type": gettext_lazy("document type"),
    "type_name": gettext_lazy("document type"),
    "urgency": gettext_lazy("urgency"),
    "urgency_level": gettext_lazy("urgency level"),
    "confidentiality": gettext_lazy("confidentiality"),
    "confidential": gettext_lazy("confidential"),
    "direction": gettext_lazy("direction"),
    "unit": gettext_lazy("owning unit"),
    "field": gettext_lazy("field"),
    "amount": gettext_lazy("amount"),
    "registry": gettext_lazy("register book"),
    "lead_is_person": gettext_lazy("lead handler is a person"),
    "procedure": gettext_lazy("procedure code"),
    "channel": gettext_lazy("submission channel"),
}
# Fields that are true or false on their own: (when true, when false).
FLAGS = {
    "confidential": (
        gettext_lazy("the document is confidential"),
        gettext_lazy("the document is not confidential"),
    ),
    "lead_is_person": (
        gettext_lazy("the lead handler is a person"),
        gettext_lazy("the lead handler is a unit"),
    ),
}
FIXED_VALUES = {
    "direction": {
        "incoming": pgettext_lazy("direction", "incoming"),
        "outgoing": pgettext_lazy("direction", "outgoing"),
    },
    "channel": {"online": gettext_lazy("online"), "counter": gettext_lazy("at the counter")},
    "registry": {"agency": gettext_lazy("the agency's books")},
}


class ValueNames:
    """Names of the codes a condition compares with, read from the catalogs once, on demand."""

    def __init__(self) -> None:
        self._loaded: dict[str, dict[str, str]] = {}

    def _catalog(self, field: str) -> dict[str, str]:
        if field not in self._loaded:
            self._loaded[field] = self._load(field)
        return self._loaded[field]

    @staticmethod
    def _load(field: str) -> dict[str, str]:
        """code → name; an active entry wins over an inactive one with the same code."""
        rows: list[tuple[str, str]] = []
        if field == "type":
            rows = [(t.abbreviation, t.name) for t in DocumentType.objects.order_by("-is_active")]
        elif field == "urgency":
            rows = [(u.code, u.name) for u in Urgency.objects.all()]
        elif field == "confidentiality":
            rows = [(c.code, c.name) for c in Confidentiality.objects.all()]
        elif field in ("unit", "registry"):
            units = Unit.objects.exclude(short_name="").order_by("-is_active", "pk")
            rows = [(u.short_name, u.name) for u in units]
        elif field == "field":
            rows = [(f.code, f.name) for f in Field.objects.order_by("-is_active")]
        names: dict[str, str] = {}
        for code, name in rows:
            names.setdefault(code, name)
        return names

    def name(self, field: str | None, value: Any) -> str:
        if value is None:
            return _("empty")
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, int | float):
            return number_text(value)
        if field in FIXED_VALUES and value in FIXED_VALUES[field]:
            return str(FIXED_VALUES[field][value])
        if field in ("type", "urgency", "confidentiality", "unit", "registry", "field"):
            return self._catalog(field).get(value, f"“{value}”")
        return f"“{value}”"


def describe_condition(source: str, names: ValueNames | None = None) -> str:
    """The condition in a sentence of the active language (the source itself if unreadable)."""
    try:
        tree = expressions.parse(source, set(SUBJECT_FIELDS))
    except expressions.ExpressionError:
        return source
    text = _Describer(names or ValueNames()).describe(tree.body)
    return text[:1].upper() + text[1:]


def describer() -> Callable[[str], str]:
    """describe_condition with one set of catalog look-ups, for many conditions at once."""
    names = ValueNames()
    return lambda source: describe_condition(source, names)


class _Describer:
    def __init__(self, names: ValueNames) -> None:
        self.names = names

    def describe(self, node: ast.AST, inside: type | None = None) -> str:
        if isinstance(node, ast.BoolOp):
            joiner = _(" and ") if isinstance(node.op, ast.And) else _(" or ")
            text = joiner.join(self.describe(value, type(node.op)) for value in node.values)
            return f"({text})" if inside is not None and inside is not type(node.op) else text
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            if isinstance(node.operand, ast.Name) and node.operand.id in FLAGS:
                return str(FLAGS[node.operand.id][1])
            return _("not (%(condition)s)") % {"condition": self.describe(node.operand)}
        if isinstance(node, ast.Name):
            if node.id in FLAGS:
                return str(FLAGS[node.id][0])
            return _("%(field)s is set") % {"field": self._field(node.id)}
        if isinstance(node, ast.Compare):
            parts, left = [], node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                parts.append(self._comparison(left, op, right))
                left = right
            return _(" and ").join(parts)
        return ast.unparse(node)

    def _field(self, name: str) -> str:
        return str(FIELD_WORDS.get(name, name))

    def _value(self, field: str | None, node: ast.AST, listing: bool = False) -> str:
        if isinstance(node, ast.UnaryOp):  # a negative number
            return "-" + self._value(field, node.operand)
        if isinstance(node, ast.Constant):
            return self.names.name(field, node.value)
        if isinstance(node, ast.Tuple | ast.List):
            values = [self._value(field, element) for element in node.elts]
            if listing or len(values) < 3:
                return (_(", ") if listing else _(" or ")).join(values)
            return _(", ").join(values[:-1]) + _(" or ") + values[-1]  # A, B or C
        if isinstance(node, ast.Name):
            return self._field(node.id)
        return ast.unparse(node)

    def _comparison(self, left: ast.AST, op: ast.cmpop, right: ast.AST) -> str:
        if not isinstance(left, ast.Name) and isinstance(right, ast.Name):
            left, right = right, left  # "normal" != urgency reads as urgency != "normal"
            op = {ast.Lt: ast.Gt(), ast.Gt: ast.Lt(), ast.LtE: ast.GtE(), ast.GtE: ast.LtE()}.get(
                type(op), op
            )
        field = left.id if isinstance(left, ast.Name) else None
        subject = self._field(field) if field else self._value(None, left)
        is_none = isinstance(right, ast.Constant) and right.value is None
        if is_none and isinstance(op, ast.Eq | ast.Is):
            return _("%(field)s is empty") % {"field": subject}
        if is_none and isinstance(op, ast.NotEq | ast.IsNot):
            return _("%(field)s is set") % {"field": subject}
        if field in FLAGS and isinstance(right, ast.Constant) and isinstance(right.value, bool):
            wanted = right.value if isinstance(op, ast.Eq) else not right.value
            return str(FLAGS[field][0 if wanted else 1])
        templates = {
            ast.Eq: _("%(field)s is %(value)s"),
            ast.In: _("%(field)s is %(value)s"),
            ast.NotEq: _("%(field)s is not %(value)s"),
            ast.NotIn: _("%(field)s is none of %(value)s"),
            ast.Lt: _("%(field)s is below %(value)s"),
            ast.LtE: _("%(field)s is at most %(value)s"),
            ast.Gt: _("%(field)s is above %(value)s"),
            ast.GtE: _("%(field)s is at least %(value)s"),
        }
        template = templates.get(type(op), "%(field)s ? %(value)s")
        value = self._value(field, right, listing=isinstance(op, ast.NotIn))
        return template % {"field": subject, "value": value}


def number_text(value: Any) -> str:
    """50000000 → "50.000.000", 0.5 → "0,5", 7.0 → "7" in Vietnamese."""
    number = float(value)
    text = f"{int(number):,}" if number.is_integer() else f"{number:,.2f}".rstrip("0")
    text = text.replace(",", "\0").replace(".", get_format("DECIMAL_SEPARATOR"))
    return text.replace("\0", get_format("THOUSAND_SEPARATOR"))


def deadline_label(deadline: Any) -> str:
    """A step's deadline in words ("2 ngày làm việc"), or "" when it has none."""
    if not isinstance(deadline, dict):
        return ""
    if deadline.get("days") not in (None, ""):
        return _("%(n)s working days") % {"n": number_text(deadline["days"])}
    if deadline.get("hours") not in (None, ""):
        return _("%(n)s working hours") % {"n": number_text(deadline["hours"])}
    return ""
