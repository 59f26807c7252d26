"""Navigation data for the staff layout: the workflow menu counts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from edoc.context_processors import staff_user


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = staff_user(request)
    if user is None:
        return {}
    from workflows.selectors import notification_unread_count, task_counts

    return {
        # Queried only when the layout shows them (not for htmx partials): one query for open
        # and overdue tasks, one for unread notifications.
        "nav_tasks": SimpleLazyObject(lambda: task_counts(user)),
        "nav_notifications_unread": SimpleLazyObject(lambda: notification_unread_count(user)),
    }
