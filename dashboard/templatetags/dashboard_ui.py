"""Template helpers of the dashboard: the menu's check, a change against the previous range."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from dashboard import access

register = template.Library()


@register.filter
def dashboard_viewer(user) -> bool:
    return access.can_view_dashboard(user)


@register.filter
def signed(value: Decimal | int | None) -> str:
    """+3, −1.5, ±0 (empty when unknown)."""
    if value is None:
        return ""
    if value == 0:
        return "±0"
    text = number_format(abs(value), use_l10n=True, force_grouping=True)
    return f"+{text}" if value > 0 else f"−{text}"
