"""Delegation (ủy quyền): a leader hands their handling to someone for a date range."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edoc.forms import DelegationForm
from edoc.selectors.delegations import (
    delegation_get_for_user,
    delegations_given,
    delegations_received,
)
from edoc.services.handling import delegation_create, delegation_revoke
from edoc.views.common import form_add_service_errors


@login_required
def delegation_list(request: HttpRequest) -> HttpResponse:
    """Delegations given and received; leaders may create new ones here."""
    user = request.user
    form = None
    if user.can_assign:
        if request.method == "POST":
            form = DelegationForm(request.POST, user=user)
            if form.is_valid():
                try:
                    delegation_create(user=user, **form.cleaned_data)
                except ValidationError as error:
                    form_add_service_errors(form, error)
                else:
                    messages.success(request, _("The delegation was created."))
                    return redirect("edoc:delegations")
        else:
            today = timezone.localdate()
            form = DelegationForm(user=user, initial={"start_date": today, "end_date": today})
    elif request.method == "POST":
        raise PermissionDenied(_("Only leaders can delegate their handling."))
    return render(
        request,
        "edoc/delegations.html",
        {
            "form": form,
            "given": delegations_given(user),
            "received": delegations_received(user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = delegation_get_for_user(request.user, pk)
    delegation_revoke(user=request.user, delegation=delegation)
    messages.success(request, _("The delegation was revoked."))
    return redirect("edoc:delegations")
