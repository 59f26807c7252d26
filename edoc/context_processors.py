"""Navigation data for the staff layout: menu counts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/api/"):
        return {}
    from edoc.selectors.documents import pending_count

    return {"nav_pending_count": pending_count(user)}
