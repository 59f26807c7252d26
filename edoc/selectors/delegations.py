"""Reads for the delegation page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from edoc.models import Delegation, User
from edoc.models.organisation import Role


def delegations_given(user: User) -> QuerySet[Delegation]:
    """Delegations `user` handed to others, newest first."""
    return (
        Delegation.objects.filter(delegator=user)
        .select_related("delegate__unit")
        .order_by("-start_date", "-pk")
    )


def delegations_received(user: User) -> QuerySet[Delegation]:
    """Delegations others handed to `user`, newest first."""
    return (
        Delegation.objects.filter(delegate=user)
        .select_related("delegator__unit")
        .order_by("-start_date", "-pk")
    )


def delegation_get_for_user(user: User, delegation_id: int) -> Delegation:
    """A delegation the user gave (any delegation for an administrator), or Http404."""
    queryset = Delegation.objects.all()
    if user.role != Role.ADMIN:
        queryset = queryset.filter(delegator=user)
    try:
        return queryset.get(pk=delegation_id)
    except Delegation.DoesNotExist:
        raise Http404("No such delegation.")
