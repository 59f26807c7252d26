"""Template helpers of the health pages: the menu check and masking."""

from __future__ import annotations

from datetime import date

from django import template

from health import access

register = template.Library()


@register.filter
def health_officer(user) -> bool:
    """{% if user|health_officer %}: the user holds a health role (the menu entry)."""
    return access.has_health_role(user)


@register.filter
def masked(value: str | None) -> str:
    """A citizen ID or phone number as lists show it ("0791******89")."""
    return access.mask(value or "")


@register.filter
def health_merger(user) -> bool:
    """{% if user|health_merger %}: the user may review duplicate records."""
    return access.can_merge(user)


@register.filter
def pair_people(pair) -> tuple:
    """The two records of a duplicate pair, for side-by-side columns."""
    return (pair.first, pair.second)


@register.filter
def iso_day(value: str | None) -> str:
    """A date kept as ISO text (a merge's snapshot) as the pages show dates: "03/02/1980"."""
    try:
        return date.fromisoformat(value or "").strftime("%d/%m/%Y")
    except ValueError:
        return value or ""
