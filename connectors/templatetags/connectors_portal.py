"""Template helpers of the portal sync's panel on the dossier page."""

from __future__ import annotations

from django import template
from django.db.models import Q

from connectors.models import Licence, PortalDossierLink, SyncMessage
from connectors.portal.national import NATIONAL_STATUS
from onestop.models import Dossier

register = template.Library()


@register.simple_tag
def portal_sync_state(dossier: Dossier) -> dict:
    """The dossier's sync state: its portal code when pulled, its pushes (newest first) and
    its licence with the licence's messages to Egov."""
    licence = Licence.objects.filter(dossier=dossier).first()
    undelivered = SyncMessage.objects.filter(delivered_at__isnull=True).filter(
        Q(dossier=dossier) | Q(licence__dossier=dossier)
    )
    names = {code: Dossier.Status(status).label for status, code in NATIONAL_STATUS.items()}
    pushes = list(
        SyncMessage.objects.filter(dossier=dossier, target=SyncMessage.Target.PORTAL).order_by(
            "-pk"
        )
    )
    for push in pushes:
        push.national_name = names.get(push.status_code, "")
    return {
        "undelivered": undelivered.exists(),
        "link": PortalDossierLink.objects.filter(dossier=dossier).first(),
        "pushes": pushes,
        "licence": licence,
        "licence_pushes": list(licence.messages.order_by("-pk")) if licence else [],
    }
