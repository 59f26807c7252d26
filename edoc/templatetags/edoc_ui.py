"""Template helpers of the staff UI: badges, overdue marks, menu state, the document page's
panels of other apps."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from edoc import hooks
from edoc.hooks import days_left_text
from edoc.models import Document
from edoc.selectors.access import can_register_incoming
from edoc.selectors.documents import is_overdue

register = template.Library()

URGENCY_CLASSES = {0: "badge-muted", 1: "badge-warning", 2: "badge-danger", 3: "badge-flash"}
STATUS_CLASSES = {
    Document.Status.REGISTERED: "badge-info",
    Document.Status.IN_PROGRESS: "badge-primary",
    Document.Status.COMPLETED: "badge-success",
    Document.Status.RETURNED: "badge-warning",
    Document.Status.DRAFT: "badge-muted",
    Document.Status.READY: "badge-info",
    Document.Status.ISSUED: "badge-success",
}


@register.filter
def overdue(deadline: datetime.date | None) -> bool:
    """True when the deadline has passed (same rule as the selectors)."""
    return is_overdue(deadline)


@register.filter
def can_register(user: Any) -> bool:
    """Whether the user may register incoming documents (clerks)."""
    return bool(getattr(user, "is_authenticated", False)) and can_register_incoming(user)


@register.simple_tag
def urgency_badge(urgency: Any) -> SafeString | str:
    """Độ khẩn as a coloured badge; the lowest level is shown muted."""
    if urgency is None:
        return ""
    css = URGENCY_CLASSES.get(urgency.level, "badge-flash")
    return format_html(
        '<span class="badge {} urgency-{}">{}</span>', css, urgency.code, urgency.name
    )


@register.simple_tag
def confidentiality_badge(confidentiality: Any) -> SafeString | str:
    """Độ mật as a badge, only for confidential levels."""
    if confidentiality is None or confidentiality.level == 0:
        return ""
    return format_html(
        '<span class="badge badge-secret" title="{}">{}</span>',
        _("Confidentiality"),
        confidentiality.name,
    )


@register.simple_tag
def status_badge(document: Document) -> SafeString:
    css = STATUS_CLASSES.get(document.status, "badge-muted")
    return format_html(
        '<span class="badge {} status-{}">{}</span>',
        css,
        document.status,
        document.get_status_display(),
    )


@register.simple_tag
def deadline_cell(deadline: datetime.date | None) -> SafeString | str:
    """The deadline, marked and labelled when it has passed."""
    if deadline is None:
        return ""
    text = deadline.strftime("%d/%m/%Y")
    left = days_left_text(deadline)
    left = format_html(' <small class="days-left">{}</small>', left) if left else ""
    if is_overdue(deadline):
        return format_html(
            '<span class="deadline overdue" title="{}">{} '
            '<span class="badge badge-danger">{}</span>{}</span>',
            _("Overdue"),
            text,
            _("Overdue"),
            left,
        )
    return format_html('<span class="deadline">{}{}</span>', text, left)


@register.simple_tag(takes_context=True)
def nav_active(context: dict[str, Any], *names: str) -> str:
    """The CSS class "active" when the current URL name is one of `names` (left menu)."""
    request: HttpRequest | None = context.get("request")
    match = getattr(request, "resolver_match", None)
    return "active" if match and match.url_name in names else ""


OPEN_STATUSES = (
    Document.Status.REGISTERED,
    Document.Status.IN_PROGRESS,
    Document.Status.RETURNED,
)


@register.filter
def document_overdue(document: Document) -> bool:
    """An open incoming document whose handling deadline has passed."""
    return document.status in OPEN_STATUSES and is_overdue(document.deadline)


@register.simple_tag
def document_deadline(document: Document) -> SafeString | str:
    """The document's deadline; marked overdue only while the document is still open."""
    if document.deadline is None:
        return ""
    if document.status in OPEN_STATUSES:
        return deadline_cell(document.deadline)
    return format_html('<span class="deadline">{}</span>', document.deadline.strftime("%d/%m/%Y"))


@register.simple_tag(takes_context=True)
def document_panels(context: template.Context, slot: str) -> SafeString:
    """{% document_panels "slot" %}: the panels other apps registered at this place of the
    document page (`edoc.hooks.register_document_panel`), each rendered like an
    `{% include %}` of its template with the page's context."""
    engine = context.template.engine
    # Rendered templates: each escaped what it rendered, like an {% include %}.
    return SafeString(
        "".join(engine.get_template(name).render(context) for name in hooks.document_panels(slot))
    )
