"""Template filters of the citizen portal."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from onestop import hooks

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """360000 → "360.000 đ" (Vietnamese grouping, whatever the locale formats say)."""
    return f"{int(amount or 0):,} đ".replace(",", ".")


@register.simple_tag(takes_context=True)
def portal_dossier_panels(context: template.Context) -> SafeString:
    """{% portal_dossier_panels %}: the panels upper apps registered for the tracking page
    (`onestop.hooks.register_portal_dossier_panel`), each rendered like an `{% include %}`."""
    engine = context.template.engine
    return SafeString(
        "".join(engine.get_template(name).render(context) for name in hooks.portal_dossier_panels())
    )
