"""Which single dossier this browser session may see on the portal.

A citizen gets access by a successful code + phone/ID look-up, by a valid tracking link (QR
token) or by submitting the dossier from this browser. The session keeps the dossier's id and
a hash of its tracking nonce, so one session sees one dossier (a new look-up replaces it) and
revoking the dossier's tracking links (a new nonce) also ends the sessions opened with them.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.http import HttpRequest

from edoc.services.audit import audit_record
from onestop.models import Dossier

SESSION_KEY = "portal_dossier"


def _nonce_hash(dossier: Dossier) -> str:
    return hashlib.sha256(dossier.tracking_nonce.encode()).hexdigest()


def access_grant(request: HttpRequest, dossier: Dossier, *, via: str) -> None:
    """Let this session see `dossier` (and only it); a fresh session key against fixation.
    Audited (`via`: "lookup", "tracking_link" or "submission"; the client address comes with
    the request context)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"id": dossier.pk, "nonce": _nonce_hash(dossier)}
    with transaction.atomic():  # the audit chain locks its head row
        audit_record(actor=None, action="dossier.portal_open", target=dossier, details={"via": via})


def access_revoke(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def session_dossier(request: HttpRequest) -> Dossier | None:
    """The dossier this session may see, or None (never a draft)."""
    grant = request.session.get(SESSION_KEY)
    if not isinstance(grant, dict):
        return None
    dossier = (
        Dossier.objects.select_related("procedure", "agency")
        .filter(pk=grant.get("id"))
        .exclude(status=Dossier.Status.DRAFT)
        .first()
    )
    if dossier is None or grant.get("nonce") != _nonce_hash(dossier):
        access_revoke(request)
        return None
    return dossier
