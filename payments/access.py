"""Who may do what with the agency's payments, decided here in one place.

- Seeing the payments as a whole (reconciliations, reports, the review list of bank
  transfers): the one-stop officers, who keep the cash book — the same check as the cash
  book's (`onestop.access.is_onestop_officer`).
- Giving a paid order's money back (refunds): not the one-stop officer who took the payment,
  but the head of the unit the agency's one-stop counter sits in (role `unit_head` of a unit
  with a member of the one-stop group: in the demo the Chánh Văn phòng), who answers for its
  cash, and the agency's system administrator (role `admin`). The agency's leaders (director,
  deputies) decide on dossiers, not on the cash, and the heads of other units have nothing to
  do with the counter's money.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.models.organisation import Role
from edoc.selectors.access import AGENCY_WIDE_ROLES
from onestop import access as onestop_access
from onestop.models import ONESTOP_GROUP


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


def report_agency_id(user: User) -> int | None:
    """The agency whose payment report `user` may read: its one-stop officers, and its
    leaders and administrators (who read it on the operations dashboard), or None."""
    agency_id = finance_agency_id(user)
    if agency_id is not None:
        return agency_id
    if user.is_authenticated and user.is_active and user.unit_id and user.role in AGENCY_WIDE_ROLES:
        return user.unit.agency_id
    return None


def can_refund(user: User, agency_id: int) -> bool:
    """Whether `user` may refund the agency's paid orders."""
    if not user.is_authenticated or not user.is_active or not user.unit_id:
        return False
    if user.unit.agency_id != agency_id:
        return False
    if user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.UNIT_HEAD
        and User.objects.filter(
            unit_id=user.unit_id, is_active=True, groups__name=ONESTOP_GROUP
        ).exists()
    )


def require_refunder(user: User, agency_id: int) -> None:
    if not can_refund(user, agency_id):
        raise PermissionDenied(
            _("Only the head of the one-stop counter's unit or an administrator may refund.")
        )
