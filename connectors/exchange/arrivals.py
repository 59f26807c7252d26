"""The clerk's answer to an electronic arrival: register it (edoc's normal incoming
registration, status 03 back) or refuse it with a reason (status 02 back)."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.exchange.outbox import status_queue
from connectors.models import Arrival
from edoc.models import Document, User
from edoc.selectors.access import is_agency_clerk
from edoc.services.audit import audit_record
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from edoc.services.handling import document_comment
from edoc.text import nfc


def _locked_waiting(user: User, arrival: Arrival) -> Arrival:
    if not is_agency_clerk(user) or arrival.agency_id != user.unit.agency_id:
        raise PermissionDenied(_("Only the agency's clerks answer electronic arrivals."))
    arrival = (
        Arrival.objects.select_for_update().select_related("route__organization").get(pk=arrival.pk)
    )
    if arrival.state != Arrival.State.ARRIVED:
        raise ValidationError(_("This arrival has already been answered."))
    return arrival


def arrival_file_read(user: User, arrival: Arrival) -> bytes:
    """The arrived PDF for the clerk to read before answering; checked against its SHA-256
    and audited like a document file download."""
    if not is_agency_clerk(user) or arrival.agency_id != user.unit.agency_id:
        raise PermissionDenied(_("Only the agency's clerks answer electronic arrivals."))
    with default_storage.open(arrival.file_blob, "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != arrival.file_sha256:
        raise ValidationError(_("The stored file of this arrival fails its integrity check."))
    audit_record(
        actor=user,
        action="connectors.arrival_download",
        target=arrival,
        details={"file_sha256": arrival.file_sha256},
    )
    return content


def arrival_proposal(arrival: Arrival) -> dict[str, Any]:
    """The registration proposal, from the message (never from the PDF), in the keys of
    edoc's PDF proposal (`edoc.services.proposals.PROPOSAL_FIELDS`) plus `type`."""
    header = arrival.header
    proposal = {
        "number": header.get("code_number"),
        "notation": header.get("code_notation"),
        "issuer": header["from"].get("organ_name") or arrival.route.organization.name,
        "place": header.get("promulgation_place"),
        "date": header.get("promulgation_date"),
        "subject": header.get("subject"),
        "signer": header.get("signer_full_name"),
        "type": header.get("document_type_name"),
    }
    return {key: value for key, value in proposal.items() if value}


@transaction.atomic
def arrival_register(user: User, arrival: Arrival, **fields: Any) -> Document:
    """Register the arrival's document (its PDF, the fields the clerk checked) through
    `incoming_register`; status 03 goes back to the sender."""
    arrival = _locked_waiting(user, arrival)
    if arrival.is_recall:
        raise ValidationError(_("A recall is agreed or refused, not registered."))
    with default_storage.open(arrival.file_blob, "rb") as handle:
        pdf = pdf_validate(io.BytesIO(handle.read()), arrival.file_name)
    if pdf.sha256 != arrival.file_sha256:
        raise ValidationError(_("The stored file of this arrival fails its integrity check."))
    document = incoming_register(
        user=user,
        pdf=pdf,
        extraction_proposal=arrival_proposal(arrival),
        **fields,
    )
    arrival.document = document
    _answered(
        user,
        arrival,
        state=Arrival.State.REGISTERED,
        details={"document": document.pk},
        code="03",
        description=_("Accepted and registered as incoming number %(number)s.")
        % {"number": document.book_number},
    )
    return document


@transaction.atomic
def arrival_refuse(user: User, arrival: Arrival, reason: str) -> Arrival:
    """Refuse the arrival with a reason; status 02 with the reason goes back to the sender."""
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for refusing the document.")})
    arrival = _locked_waiting(user, arrival)
    if arrival.is_recall:
        raise ValidationError(_("A recall is agreed or refused, not registered."))
    return _refused(user, arrival, reason, code="02")


@transaction.atomic
def recall_answer(user: User, arrival: Arrival, *, agree: bool, reason: str = "") -> Arrival:
    """The clerk's answer to a recall: agreeing (15) withdraws the document — still waiting, it
    leaves the queue; registered, its timeline says it was recalled and why; refusing (16)
    needs a reason."""
    reason = nfc(reason or "").strip()
    if not agree and not reason:
        raise ValidationError({"reason": _("Give the reason for refusing the recall.")})
    arrival = _locked_waiting(user, arrival)
    if not arrival.is_recall:
        raise ValidationError(_("This arrival is not a recall."))
    if not agree:
        return _refused(user, arrival, reason, code="16")
    note = _("Recalled by the sender: %(reason)s") % {"reason": arrival.recall_reason or "—"}
    original = arrival.original()
    if original is not None and original.state == Arrival.State.ARRIVED:
        original.state = Arrival.State.REFUSED
        original.refusal_reason = note
        original.handled_by, original.handled_at = user, timezone.now()
        original.save()
    elif original is not None and original.document_id:
        document_comment(user=user, document=original.document, comment=note)
    _answered(
        user,
        arrival,
        state=Arrival.State.AGREED,
        details={"reason": arrival.recall_reason},
        code="15",
        description=_("The recall is agreed."),
    )
    return arrival


def _refused(user: User, arrival: Arrival, reason: str, *, code: str) -> Arrival:
    arrival.refusal_reason = reason
    _answered(
        user,
        arrival,
        state=Arrival.State.REFUSED,
        details={"reason": reason},
        code=code,
        description=reason,
    )
    return arrival


def _answered(
    user: User,
    arrival: Arrival,
    *,
    state: str,
    details: dict[str, Any],
    code: str,
    description: str,
) -> None:
    """Record the clerk's answer (audited) and queue the status that tells the sender."""
    arrival.state = state
    arrival.handled_by = user
    arrival.handled_at = timezone.now()
    arrival.save()
    audit_record(
        actor=user,
        action=f"connectors.arrival_{state}",
        target=arrival,
        details={**details, "document_id": arrival.document_key},
    )
    status_queue(
        agency=arrival.agency,
        route=arrival.route,
        header=arrival.header,
        code=code,
        description=description,
        user=user,
    )
