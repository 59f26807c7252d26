"""Who may do what with dossiers (used by services, selectors and views alike).

- One-stop officers: members of the "Bộ phận một cửa" group working in the dossier's agency —
  intake, acceptance, supplements, fees, withdrawal, returning results, apology letters.
- The procedure's handling unit (its staff) and the agency's leaders (director, deputies):
  see the dossier, request supplements and payments, attach the result.
- The drastic decisions: stopping a dossier (→ 8) and finishing it from its page (→ 9) belong
  to the handling unit's head and the agency's leaders; withdrawing it at the citizen's request
  (→ 7) and refusing it at intake (→ 3) to the one-stop officers.
- System administrators see everything of their agency.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.models.organisation import LEADER_ROLES, Role
from edoc.selectors.access import AGENCY_WIDE_ROLES
from onestop.models import ONESTOP_GROUP, Dossier


def is_onestop_officer(user: User, agency_id: int | None = None) -> bool:
    """A member of the one-stop group (of the given agency)."""
    if not user.is_authenticated or not user.is_active or not user.unit_id:
        return False
    if agency_id is not None and user.unit.agency_id != agency_id:
        return False
    return user.groups.filter(name=ONESTOP_GROUP).exists()


def is_onestop_staff(user: User) -> bool:
    """Whether the one-stop menu is for this user at all."""
    if not user.is_authenticated or not user.unit_id:
        return False
    return bool(
        user.role in AGENCY_WIDE_ROLES
        or is_onestop_officer(user)
        or user.unit.procedures_handled.exists()
    )


def visible_dossiers_q(user: User) -> Q:
    """The dossiers a member of staff may see (never citizens' unsent drafts)."""
    if not user.is_authenticated or not user.is_active or not user.unit_id:
        return Q(pk__in=[])
    agency_id = user.unit.agency_id
    base = Q(agency_id=agency_id) & ~Q(status=Dossier.Status.DRAFT)
    if user.role in AGENCY_WIDE_ROLES or is_onestop_officer(user, agency_id):
        return base
    return base & (Q(procedure__handling_unit_id=user.unit_id) | Q(handler=user))


def visible_dossiers(user: User) -> QuerySet[Dossier]:
    return Dossier.objects.filter(visible_dossiers_q(user))


def can_view(user: User, dossier: Dossier) -> bool:
    return visible_dossiers(user).filter(pk=dossier.pk).exists()


def can_handle(user: User, dossier: Dossier) -> bool:
    """Handling unit staff, the dossier's specialist and the agency's leaders."""
    if not user.is_authenticated or not user.unit_id or user.unit.agency_id != dossier.agency_id:
        return False
    return (
        user.role in LEADER_ROLES
        or user.unit_id == dossier.procedure.handling_unit_id
        or dossier.handler_id == user.pk
    )


def is_unit_head(user: User, dossier: Dossier) -> bool:
    """The head of the procedure's handling unit."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.UNIT_HEAD
        and user.unit_id == dossier.procedure.handling_unit_id
    )


def can_decide(user: User, dossier: Dossier) -> bool:
    """Stop a dossier or finish it from its page: the handling unit's head or a leader of the
    dossier's agency."""
    if not user.is_authenticated or not user.is_active or not user.unit_id:
        return False
    if user.unit.agency_id != dossier.agency_id:
        return False
    return user.role in LEADER_ROLES or is_unit_head(user, dossier)


def require_decider(user: User, dossier: Dossier) -> None:
    if not can_decide(user, dossier):
        raise PermissionDenied(
            _("Only the head of the handling unit or a leader of the agency may do this.")
        )


def require_officer(user: User, agency_id: int) -> None:
    if not is_onestop_officer(user, agency_id):
        raise PermissionDenied(_("Only one-stop officers of the agency may do this."))


def require_officer_or_handler(user: User, dossier: Dossier) -> None:
    if not (is_onestop_officer(user, dossier.agency_id) or can_handle(user, dossier)):
        raise PermissionDenied(_("You do not handle this dossier."))
