"""Template helpers of the workflows pages: deadline colours, history labels and the
"Quy trình" panel of the document page (so the edoc views need not know about processes)."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows import selectors
from workflows.deadlines import days_left_text
from workflows.models import RunEvent

register = template.Library()

OVERDUE, DUE_SOON = "overdue", "due_soon"

EVENT_LABELS = {
    "started": gettext_lazy("started the process"),
    "completed": gettext_lazy("completed the step"),
    "returned": gettext_lazy("returned to an earlier step"),
    "claimed": gettext_lazy("claimed the task"),
    "reassigned": gettext_lazy("gave the task to someone else"),
    "reminded": gettext_lazy("reminder sent"),
    "escalated": gettext_lazy("overdue: reported to the unit head"),
    "finished": gettext_lazy("process finished"),
}


def _moments(context: template.Context) -> tuple[datetime.datetime, datetime.datetime]:
    """ "Now" and the end of "due soon" for this page: from the view when it gives them, else
    computed once per render."""
    now = context.get("deadline_now") or context.render_context.get("deadline_now")
    soon = context.get("due_soon_until") or context.render_context.get("due_soon_until")
    if now is None or soon is None:
        now = timezone.now()
        soon = selectors.due_soon_until(now)
        context.render_context["deadline_now"] = now
        context.render_context["due_soon_until"] = soon
    return now, soon


def deadline_state(
    deadline: datetime.datetime | None, now: datetime.datetime, soon: datetime.datetime
) -> str:
    """ "overdue" when passed, "due_soon" within one working day, else ""."""
    if deadline is None:
        return ""
    if deadline < now:
        return OVERDUE
    if deadline <= soon:
        return DUE_SOON
    return ""


@register.simple_tag(takes_context=True)
def deadline_row_class(context: template.Context, deadline: datetime.datetime | None) -> str:
    """The row class of a task: red when overdue, amber when due soon."""
    state = deadline_state(deadline, *_moments(context))
    return {OVERDUE: "row-overdue", DUE_SOON: "row-due-soon"}.get(state, "")


@register.simple_tag(takes_context=True)
def task_deadline(context: template.Context, deadline: datetime.datetime | None) -> SafeString:
    """A task's deadline (local date and time), flagged when overdue or due soon."""
    if deadline is None:
        return format_html('<span class="deadline none muted">{}</span>', _("No deadline"))
    now, soon = _moments(context)
    state = deadline_state(deadline, now, soon)
    text = timezone.localtime(deadline).strftime("%H:%M %d/%m/%Y")
    iso = deadline.isoformat()
    left = format_html('<small class="days-left">{}</small>', days_left_text(deadline, now))
    if state == OVERDUE:
        return format_html(
            '<time class="deadline overdue" datetime="{}">{}</time> '
            '<span class="badge badge-danger">{}</span> {}',
            iso,
            text,
            _("Overdue"),
            left,
        )
    if state == DUE_SOON:
        return format_html(
            '<time class="deadline due-soon" datetime="{}">{}</time> '
            '<span class="badge badge-warning">{}</span> {}',
            iso,
            text,
            _("Due soon"),
            left,
        )
    return format_html('<time class="deadline" datetime="{}">{}</time> {}', iso, text, left)


@register.filter
def event_label(event: RunEvent) -> str:
    """What happened in a history line, in words."""
    return str(EVENT_LABELS.get(event.kind, event.kind))


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """`mapping[key]` or the key itself (step names by id)."""
    return mapping.get(key, key) if mapping else key


@register.inclusion_tag("workflows/partials/document_processes.html", takes_context=True)
def document_processes(context: template.Context, document: Any) -> dict[str, Any]:
    """The "Quy trình" panel: the document's runs with their current step, and the user's open
    tasks on it. Renders nothing when the document has neither."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if document is None or user is None or not user.is_authenticated:
        return {"runs": [], "tasks": [], "startable": []}
    from workflows.services.processes import startable_definitions

    return {
        "startable": list(startable_definitions(user, document)),
        "document": document,
        "runs": selectors.document_runs(document.pk),
        "tasks": list(selectors.document_tasks_for_user(user, document.pk)),
        "user": user,
        "deadline_now": context.get("deadline_now"),
        "due_soon_until": context.get("due_soon_until"),
    }
