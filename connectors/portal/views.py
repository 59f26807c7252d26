"""Staff pages of the portal sync: "send now" on a dossier's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connectors.portal.outbox import deliver_due
from edoc.services.audit import audit_record
from onestop import selectors


@login_required
@require_POST
def dossier_sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Try the dossier's undelivered portal and Egov messages now (a user who may see the
    dossier; 404 otherwise), then back to its page with the outcome."""
    dossier = selectors.dossier_get_for_user(request.user, pk)
    result = deliver_due(ignore_backoff=True, dossier=dossier)
    audit_record(
        actor=request.user,
        action="portal.sync_now",
        target=dossier,
        details={"delivered": result.delivered, "failed": result.failed},
    )
    if result.failed or result.waiting:
        messages.error(
            request,
            _("%(failed)s message(s) could not be delivered; they will be retried.")
            % {"failed": result.failed + result.waiting},
        )
    else:
        messages.success(
            request, _("%(count)s message(s) delivered.") % {"count": result.delivered}
        )
    return redirect("onestop:dossier_detail", pk=dossier.pk)
