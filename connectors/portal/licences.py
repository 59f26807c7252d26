"""Practising licences and certificates: recorded when a dossier of a licensing procedure is
processed (status 9, its signed result issued), suspended, reinstated or revoked by an
authorised officer; each change is audited and pushed to Egov through the outbox."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.models import Licence, LicenceProcedure, SyncMessage
from connectors.portal import conf
from connectors.portal.outbox import outbox_write
from edoc.models import User
from edoc.services.audit import audit_record
from edoc.text import nfc
from onestop.models import Dossier

PERMISSION = "connectors.change_licence"

# The change of status each action makes, and the statuses it may start from.
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "suspended": (Licence.Status.SUSPENDED, (Licence.Status.ACTIVE,)),
    "reinstated": (Licence.Status.ACTIVE, (Licence.Status.SUSPENDED,)),
    "revoked": (Licence.Status.REVOKED, (Licence.Status.ACTIVE, Licence.Status.SUSPENDED)),
}


def licence_json(licence: Licence) -> dict:
    """The licence as Egov receives it (docs/connectors-portal.md)."""
    dossier = licence.dossier
    return {
        "number": licence.number,
        "type": licence.licence_type,
        "holder_name": licence.holder_name,
        "citizen_id": licence.citizen_id,
        "scope": licence.scope,
        "issued_on": licence.issued_on.isoformat(),
        "issuer": dossier.agency.name,
        "status": licence.status,
        "status_reason": licence.status_reason,
        "status_changed_at": (
            licence.status_changed_at.isoformat() if licence.status_changed_at else None
        ),
        "dossier_code": dossier.code,
        "procedure_code": dossier.procedure.code,
    }


def _push(licence: Licence, event: str) -> SyncMessage | None:
    if not conf.egov_url():
        return None
    at = licence.status_changed_at or licence.created_at
    key = f"{licence.number}|{event}|{at.isoformat()}"
    return outbox_write(
        target=SyncMessage.Target.EGOV,
        key=key,
        payload={"event_id": key, "event": event, "licence": licence_json(licence)},
        licence=licence,
    )


def licence_record_for(dossier: Dossier) -> Licence | None:
    """When a dossier of a licensing procedure is processed, record the licence its result
    document is (number = the document's number and notation) and push it to Egov. Runs in
    the status change's transaction; None for other procedures or an already recorded one.
    A result document that is already another dossier's licence is refused (ValidationError:
    the status change is rolled back and the officer told why)."""
    licensing = LicenceProcedure.objects.filter(procedure_id=dossier.procedure_id).first()
    document = dossier.result
    if licensing is None or document is None or Licence.objects.filter(dossier=dossier).exists():
        return None
    number = "/".join(part for part in (document.number, document.notation) if part)
    number = number or dossier.code
    taken = Licence.objects.filter(number=number).select_related("dossier").first()
    if taken is not None:  # the officer's action is refused, nothing changes
        raise ValidationError(
            {
                "result_document": _(
                    "“%(number)s” is already the licence of dossier %(dossier)s: each licence "
                    "is a result document of its own."
                )
                % {"number": number, "dossier": taken.dossier.code}
            },
            code="licence_number_taken",
        )
    issued = document.issue_date or timezone.localdate(dossier.finished_at or timezone.now())
    licence = Licence.objects.create(
        number=number,
        licence_type=licensing.licence_type,
        dossier=dossier,
        holder_name=dossier.applicant_name,
        citizen_id=dossier.applicant_id_number,
        scope=licensing.scope,
        issued_on=issued,
    )
    audit_record(
        actor=None,
        action="licence.issue",
        target=licence,
        details={"number": licence.number, "dossier": dossier.code},
    )
    _push(licence, "issued")
    return licence


def licence_change_status(*, user: User, licence: Licence, action: str, reason: str) -> Licence:
    """Suspend, reinstate or revoke a licence (with the reason); audited, pushed to Egov.
    A revoked licence stays revoked. A refused attempt (no permission) is audited too."""
    if not user.has_perm(PERMISSION):
        with transaction.atomic():
            audit_record(
                actor=user,
                action="licence.refused",
                target=licence,
                details={"action": action},
            )
        raise PermissionDenied(_("You may not change licences."))
    return _change_status(user=user, licence=licence, action=action, reason=reason)


@transaction.atomic
def _change_status(*, user: User, licence: Licence, action: str, reason: str) -> Licence:
    if action not in ACTIONS:
        raise ValidationError(_("Unknown licence action."), code="unknown_action")
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    status, allowed = ACTIONS[action]
    if licence.status not in allowed:
        raise ValidationError(
            _("The licence is “%(status)s”: this change is not possible.")
            % {"status": licence.get_status_display()},
            code="wrong_status",
        )
    old = licence.status
    licence.status = status
    licence.status_reason = reason
    licence.status_changed_at = timezone.now()
    licence.status_changed_by = user
    licence.save(
        update_fields=["status", "status_reason", "status_changed_at", "status_changed_by"]
    )
    audit_record(
        actor=user,
        action=f"licence.{action}",
        target=licence,
        details={"from": old, "to": status, "reason": reason},
    )
    _push(licence, action)
    return licence
