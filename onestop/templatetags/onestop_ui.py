"""Template helpers of the one-stop pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from onestop import access, hooks, selectors
from onestop.models import Dossier

register = template.Library()

STATUS_CLASSES = {
    Dossier.Status.NEW: "badge-info",
    Dossier.Status.ACCEPTED: "badge-info",
    Dossier.Status.PROCESSING: "badge-warning",
    Dossier.Status.SUPPLEMENT: "badge-warning",
    Dossier.Status.FINANCIAL: "badge-warning",
    Dossier.Status.DONE: "badge-success",
    Dossier.Status.RETURNED: "badge-success",
}


@register.filter
def onestop_staff(user) -> bool:
    """Whether the one-stop menu entry is shown."""
    return access.is_onestop_staff(user)


@register.simple_tag
def onestop_menu_label() -> str:
    return _("One-stop")


@register.simple_tag
def dossier_status(dossier: Dossier) -> str:
    css = STATUS_CLASSES.get(dossier.status, "badge-muted")
    return format_html(
        '<span class="badge {} dossier-status" data-status="{}">{}. {}</span>',
        css,
        dossier.status,
        dossier.status,
        dossier.get_status_display(),
    )


@register.filter
def vnd(amount) -> str:
    """12345678 → "12.345.678 đ"."""
    if amount in (None, ""):
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đ"


@register.filter
def working_days_left(dossier: Dossier) -> str:
    """ "còn 3 ngày làm việc" until the dossier's appointment (whole working days)."""
    return selectors.days_left_text(dossier)


@register.simple_tag(takes_context=True)
def dossier_panels(context: template.Context) -> SafeString:
    """{% dossier_panels %}: the panels upper apps registered for the dossier's staff page
    (`onestop.hooks.register_dossier_panel`), each rendered like an `{% include %}`."""
    engine = context.template.engine
    return SafeString(
        "".join(engine.get_template(name).render(context) for name in hooks.dossier_panels())
    )
