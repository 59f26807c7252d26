"""Navigation data for the staff layout: menu counts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/api/"):
        return {}
    from edoc.selectors.documents import pending_count
    from workflows.selectors import notification_unread_count, task_counts

    return {
        "nav_pending_count": pending_count(user),
        # Workflow counts are queried only when the layout shows them (not for htmx partials):
        # one query for open and overdue tasks, one for unread notifications.
        "nav_tasks": SimpleLazyObject(lambda: task_counts(user)),
        "nav_notifications_unread": SimpleLazyObject(lambda: notification_unread_count(user)),
    }
