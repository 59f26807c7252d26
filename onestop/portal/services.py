"""The portal's writes: thin compositions of the one-stop services for the citizen's forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from onestop.models import Dossier, Procedure
from onestop.services import dossier_save_draft, dossier_submit_online


@transaction.atomic
def portal_dossier_send(
    *,
    procedure: Procedure,
    applicant: Mapping[str, Any],
    files: Mapping[int, UploadedFile],
    draft: Dossier | None = None,
    submit: bool,
) -> Dossier:
    """Save the citizen's form as a draft and, with `submit`, send it, in one transaction: a
    refused submission (e.g. a mandatory paper missing) leaves the draft as it was."""
    dossier = dossier_save_draft(procedure=procedure, applicant=applicant, files=files, draft=draft)
    if submit:
        dossier = dossier_submit_online(dossier=dossier)
    return dossier
