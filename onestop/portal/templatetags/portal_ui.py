"""Template filters of the citizen portal."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """360000 → "360.000 đ" (Vietnamese grouping, whatever the locale formats say)."""
    return f"{int(amount or 0):,} đ".replace(",", ".")
