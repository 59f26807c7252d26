"""The clerk's answer to an electronic arrival: register it (edoc's normal incoming
registration, status 03 back) or refuse it with a reason (status 02 back)."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connectors.exchange.outbox import status_queue
from connectors.models import Arrival
from edoc.models import Document, User
from edoc.selectors.access import is_agency_clerk
from edoc.services.audit import audit_record
from edoc.services.documents import document_update, incoming_register
from edoc.services.files import pdf_validate
from edoc.services.handling import document_comment
from edoc.text import nfc

# An arrival's stored file and its signature check (an update's corrected file takes the place
# of a waiting document's; an agreed replacement's file becomes the new document's arrival).
FILE_FIELDS = (
    "file_name",
    "file_blob",
    "file_sha256",
    "file_size",
    "signature_count",
    "signatures_valid",
    "signature_summary",
)


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
    _not_a_change(arrival)
    with default_storage.open(arrival.file_blob, "rb") as handle:
        pdf = pdf_validate(handle, arrival.file_name)  # a large file: copied in chunks
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
    _not_a_change(arrival)
    return _refused(user, arrival, reason, code="02")


def _not_a_change(arrival: Arrival) -> None:
    if arrival.is_change:
        raise ValidationError(
            _("A recall, update or replacement is agreed or refused, not registered.")
        )


REFUSAL_REQUIRED = {
    "1": gettext_lazy("Give the reason for refusing the recall."),
    "2": gettext_lazy("Give the reason for refusing the update."),
    "3": gettext_lazy("Give the reason for refusing the replacement."),
}


@transaction.atomic
def change_answer(user: User, arrival: Arrival, *, agree: bool, reason: str = "") -> Arrival:
    """The clerk's answer to a recall, an update or a replacement: agreeing sends 15 and acts
    on the earlier document (`_recall_agreed`, `_update_agreed`, `_replace_agreed`);
    refusing sends 16 and needs a reason."""
    reason = nfc(reason or "").strip()
    if not agree and not reason:
        raise ValidationError(
            {
                "reason": REFUSAL_REQUIRED.get(
                    arrival.business_type, _("Give the reason for refusing the document.")
                )
            }
        )
    arrival = _locked_waiting(user, arrival)
    if not arrival.is_change:
        raise ValidationError(_("This arrival is not a recall, update or replacement."))
    if not agree:
        return _refused(user, arrival, reason, code="16")
    agreed = {"1": _recall_agreed, "2": _update_agreed, "3": _replace_agreed}
    details, description = agreed[arrival.business_type](user, arrival)
    _answered(
        user,
        arrival,
        state=Arrival.State.AGREED,
        details={"reason": arrival.change_reason, **details},
        code="15",
        description=description,
    )
    return arrival


recall_answer = change_answer  # its first name, when it answered recalls only


def _recall_agreed(user: User, arrival: Arrival) -> tuple[dict[str, Any], str]:
    """A recall agreed: still waiting, the document leaves the queue; registered, its timeline
    says it was recalled and why."""
    note = _("Recalled by the sender: %(reason)s") % {"reason": arrival.recall_reason or "—"}
    _withdraw(user, arrival.original(), note)
    return {}, _("The recall is agreed.")


def _withdraw(user: User, original: Arrival | None, note: str) -> None:
    """An earlier arrival taken back: refused with `note` while waiting, the note on its
    registered document's timeline otherwise."""
    if original is not None and original.state == Arrival.State.ARRIVED:
        original.state = Arrival.State.REFUSED
        original.refusal_reason = note
        original.handled_by, original.handled_at = user, timezone.now()
        original.save()
    elif original is not None and original.document_id:
        document_comment(user=user, document=original.document, comment=note)


def _update_agreed(user: User, arrival: Arrival) -> tuple[dict[str, Any], str]:
    """An update agreed: its corrected subject and due date go to the earlier arrival — to the
    registered document through edoc's `document_update` (audited there), or to the waiting
    arrival's proposal, whose file becomes the corrected one. A registered document keeps its
    file versions (edoc adds versions to drafts only): the corrected file stays the update's,
    linked from the document's page."""
    original = Arrival.objects.select_for_update().get(pk=arrival.acts_on_id)
    header = arrival.header
    corrected = {"subject": header.get("subject"), "due_date": header.get("due_date")}
    changed = {
        name: value for name, value in corrected.items() if value != original.header.get(name)
    }
    new_file = arrival.file_sha256 != original.file_sha256
    if original.state == Arrival.State.ARRIVED:
        original.header = {**original.header, **changed}
        original.subject = original.header.get("subject") or original.subject
        if new_file:
            for name in FILE_FIELDS:
                setattr(original, name, getattr(arrival, name))
        original.save()
    elif original.state == Arrival.State.REGISTERED:
        fields = {}
        if "subject" in changed:
            fields["subject"] = changed["subject"]
        if "due_date" in changed:
            fields["deadline"] = (
                datetime.date.fromisoformat(changed["due_date"]) if changed["due_date"] else None
            )
        try:
            if fields:
                document_update(user=user, document=original.document, **fields)
        except PermissionDenied:
            raise ValidationError(
                _(
                    "The registered document can no longer be corrected by you (completed, or "
                    "registered by another unit): refuse the update with a reason."
                )
            )
        document_comment(
            user=user,
            document=original.document,
            comment=_("Updated by the sender: %(reason)s") % {"reason": arrival.change_reason},
        )
    else:
        raise ValidationError(
            _("The document this update corrects was refused or recalled: refuse the update.")
        )
    details = {"changes": sorted(changed), "new_file": new_file, "original": original.pk}
    return details, _("The update is agreed.")


def _replace_agreed(user: User, arrival: Arrival) -> tuple[dict[str, Any], str]:
    """A replacement agreed: each earlier document is marked replaced (waiting, it leaves the
    queue; registered, its page and timeline say by what), and the new document waits in the
    queue to be registered (unless it arrived on its own already)."""
    replaced = list(
        Arrival.objects.select_for_update().filter(
            document_key__in=arrival.replaced_keys(),
            sender_code=arrival.sender_code,
            agency_id=arrival.agency_id,
            business_type="0",
        )
    )
    note = _("Replaced by %(code)s: %(reason)s") % {
        "code": _code(arrival.header) or arrival.document_key,
        "reason": arrival.change_reason or "—",
    }
    for original in replaced:
        original.replaced_by = arrival
        original.save(update_fields=["replaced_by"])
        _withdraw(user, original, note)
    new = arrival.original()
    if new is None:
        new = Arrival.objects.create(
            agency_id=arrival.agency_id,
            route=arrival.route,
            document_key=arrival.document_key,
            sender_code=arrival.sender_code,
            business_type="0",
            header=arrival.header,
            subject=arrival.subject,
            **{name: getattr(arrival, name) for name in FILE_FIELDS},
        )
    details = {"replaced": [original.pk for original in replaced], "new_arrival": new.pk}
    return details, _("The replacement is agreed.")


def _code(header: dict[str, Any]) -> str:
    return "/".join(
        part for part in (header.get("code_number"), header.get("code_notation")) if part
    )


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
