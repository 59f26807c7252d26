"""Who may see the agency's payments as a whole (reconciliations, reports, the review list of
bank transfers): the one-stop officers, who keep the cash book — the same check as the cash
book's (`onestop.access.is_onestop_officer`), in one place for the payments app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from edoc.models import User
from onestop import access as onestop_access


def finance_agency_id(user: User) -> int | None:
    """The agency whose payments `user` may reconcile and report on, or None."""
    if not onestop_access.is_onestop_officer(user):
        return None
    return user.unit.agency_id


def require_finance(user: User) -> int:
    """`finance_agency_id`, or `PermissionDenied`."""
    agency_id = finance_agency_id(user)
    if agency_id is None:
        raise PermissionDenied(_("Only one-stop officers of the agency may do this."))
    return agency_id
