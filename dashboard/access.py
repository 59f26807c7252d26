"""Who may open the operations dashboard: the agency's leaders and administrators (the whole
agency) and unit heads (their unit: every number goes through the other apps' access rules)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.models.organisation import Role
from edoc.selectors.access import AGENCY_WIDE_ROLES

DASHBOARD_ROLES = (*AGENCY_WIDE_ROLES, Role.UNIT_HEAD)


def can_view_dashboard(user: User) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.unit_id and user.role in DASHBOARD_ROLES
    )


def require_dashboard(user: User) -> None:
    if not can_view_dashboard(user):
        raise PermissionDenied(_("The dashboard is for the agency's leaders and unit heads."))
