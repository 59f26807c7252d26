"""Navigation data for the staff layout: the registry's menu counts (each app adds its own
through a context processor of its own, listed in settings.TEMPLATES)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from edoc.models import User


def staff_user(request: HttpRequest) -> User | None:
    """The signed-in user of a staff page, None for anonymous visitors and for the API (whose
    responses show no menu)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/api/"):
        return None
    return user


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = staff_user(request)
    if user is None:
        return {}
    from edoc.selectors.access import can_approve_destruction, can_manage_retention
    from edoc.selectors.documents import pending_count

    retention = bool(user.unit_id) and (
        can_manage_retention(user) or can_approve_destruction(user, user.unit.agency_id)
    )
    return {"nav_pending_count": pending_count(user), "nav_retention": retention}
