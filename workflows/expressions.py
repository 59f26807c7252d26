"""Branch conditions: a small whitelisted expression language, never `eval`.

    type in ("QĐ", "QC") and urgency != "normal"
    confidential or amount >= 50000000

Names are the subject's fields (see `workflows.subjects`); literals are strings, numbers,
True/False/None and tuples or lists of them; operators are comparisons, `in`, `not in`,
`and`, `or`, `not`. Anything else is refused when the definition is saved.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

MAX_LENGTH = 500

_COMPARISONS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


class ExpressionError(ValueError):
    """The condition is not in the allowed form."""


def parse(source: str, allowed_names: set[str] | None = None) -> ast.Expression:
    """Parse and check a condition; raise ExpressionError with a readable reason."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError(_("the condition is empty"))
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            _("the condition is longer than %(limit)s characters") % {"limit": MAX_LENGTH}
        )
    source = source.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            _("syntax error near character %(position)s") % {"position": exc.offset or 1}
        ) from None
    _check(tree.body, allowed_names, source)
    return tree


def _not_allowed(node: ast.AST, source: str) -> ExpressionError:
    text = ast.get_source_segment(source, node) or type(node).__name__
    return ExpressionError(_("“%(text)s” is not allowed in a condition") % {"text": text})


def _check(node: ast.AST, names: set[str] | None, source: str) -> None:
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, names, source)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, names, source)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        if not isinstance(node.operand, ast.Constant) or isinstance(node.operand.value, bool):
            raise ExpressionError(_("a minus sign may only stand before a number"))
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARISONS:
                raise _not_allowed(node, source)
        _check(node.left, names, source)
        for comparator in node.comparators:
            _check(comparator, names, source)
    elif isinstance(node, ast.Name):
        if names is not None and node.id not in names:
            raise ExpressionError(
                _("unknown field “%(name)s”; the fields are: %(known)s")
                % {"name": node.id, "known": ", ".join(sorted(names))}
            )
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | float | bool | type(None)):
            raise ExpressionError(_("only text, numbers, True, False and None are allowed"))
    elif isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            if not isinstance(element, ast.Constant):
                raise ExpressionError(_("a list may only hold fixed values"))
            _check(element, names, source)
    else:
        raise _not_allowed(node, source)


def evaluate(source: str | ast.Expression, context: Mapping[str, Any]) -> bool:
    """Evaluate a condition against the subject's fields. Type mismatches count as False."""
    tree = source if isinstance(source, ast.Expression) else parse(source, set(context))
    try:
        return bool(_eval(tree.body, context))
    except TypeError:
        return False


def _eval(node: ast.AST, context: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(value, context) for value in node.values)
        return any(_eval(value, context) for value in node.values)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, context)
        return (not value) if isinstance(node.op, ast.Not) else -value
    if isinstance(node, ast.Compare):
        left = _eval(node.left, context)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, context)
            if not _COMPARISONS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Name):
        if node.id not in context:
            raise ExpressionError(_("unknown field “%(name)s”") % {"name": node.id})
        return context[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_eval(element, context) for element in node.elts)
    raise ExpressionError(
        _("“%(text)s” is not allowed in a condition") % {"text": type(node).__name__}
    )
