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


def can_rate(dossier: Dossier) -> bool:
    """The satisfaction question is offered once the result was returned, and only once."""
    from onestop.portal.models import SatisfactionRating

    return (
        dossier.status == Dossier.Status.RETURNED
        and not SatisfactionRating.objects.filter(dossier=dossier).exists()
    )


@transaction.atomic
def satisfaction_rate(*, dossier: Dossier, score: int):
    """Store the citizen's rating (1–5) of a returned dossier, once; audited. A second answer,
    a dossier whose result was not returned or a score out of range changes nothing."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError
    from django.utils.translation import gettext as _

    from edoc.services.audit import audit_record
    from onestop.portal.models import SatisfactionRating

    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("Choose a rating from 1 to 5.")}, code="score")
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status != Dossier.Status.RETURNED:
        raise ValidationError(
            _("The rating is asked once the result was returned."), code="not_returned"
        )
    try:
        with transaction.atomic():
            rating = SatisfactionRating.objects.create(dossier=locked, score=score)
    except IntegrityError:
        raise ValidationError(_("This dossier was already rated."), code="already_rated")
    audit_record(
        actor=None, action="dossier.satisfaction_rate", target=locked, details={"score": score}
    )
    return rating
