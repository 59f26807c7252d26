"""Receivers of onestop's signals (connected in `ConnectorsConfig.ready`)."""

from __future__ import annotations

from typing import Any

from connectors.portal.licences import licence_record_for
from connectors.portal.sync import status_push_write
from onestop.models import Dossier, DossierEvent


def on_dossier_status_recorded(
    sender: Any, dossier: Dossier, event: DossierEvent, **kwargs: Any
) -> None:
    """In the status change's transaction: the portal push (and, for a processed dossier of a
    licensing procedure, its licence) go to the outbox with the change."""
    if dossier.status == Dossier.Status.DONE:
        licence_record_for(dossier)
    status_push_write(dossier, event)
