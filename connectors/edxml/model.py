"""What an edXML message (QCVN 102:2016) says, as plain dataclasses.

Field names are the JSON keys of `manage.py edxml parse --json` (product interface: keep them).
All text is NFC-normalised and stripped; an empty optional element reads as None.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import Any

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

# BussinessDocType (TraceHeaderList/Bussiness), as the VPCP SDK example names its sample files:
# edoc_new, edoc_revocation, edoc_update, edoc_replace(ment).
BUSINESS_TYPES = {0: "new", 1: "recall", 2: "update", 3: "replace"}

# StatusCode meanings, from the official VPCP SDK example (SDKVXP_Example, resources/
# status_*.edxml; the same names in its C# counterpart's ultils.readStatus/writeStatus): the file
# name gives the code's name, the sample's Description its wording. 01 status_inbox (Đã đến: the
# receiving software has it, the clerk has not acted), 02 status_rejection (Từ chối không tiếp
# nhận), 03 status_acceptance (Tiếp nhận, vào sổ văn bản đến), 04 status_assignment (Lãnh đạo:
# Phân công xử lý), 05 status_processing (Đang xử lý), 06 status_finish (Hoàn thành xử lý),
# 13 status_cancellation (sent by the SENDER: Văn thư yêu cầu lấy lại văn bản điện tử kèm lý do),
# 15 status_change-acceptance (the receiver's clerk agrees to the update / take-back request),
# 16 status_change-rejection (the receiver's clerk refuses it). See tests/connectors/data/README.md.
STATUS_CODES = {
    "01": "arrived",
    "02": "refused",
    "03": "accepted",
    "04": "assigned",
    "05": "in_progress",
    "06": "completed",
    "13": "taken_back",
    "15": "change_accepted",
    "16": "change_refused",
}


@dataclass(frozen=True)
class Organ:
    """From / To / a status's sender: an organisation and its electronic identifier."""

    organ_id: str
    organ_name: str | None = None
    organization_in_charge: str | None = None
    address: str | None = None
    email: str | None = None
    telephone: str | None = None
    fax: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class DocumentId:
    """`OrganId,yyyy/MM/dd,Number/Notation` (parts filled) or a UUID (`uuid` filled)."""

    value: str
    organ_id: str | None = None
    date: datetime.date | None = None
    code: str | None = None
    uuid: str | None = None


@dataclass(frozen=True)
class Staff:
    department: str | None = None
    staff: str | None = None
    mobile: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class TraceHeader:
    organ_id: str | None
    timestamp: datetime.datetime | None


@dataclass(frozen=True)
class Receiver:
    organ_id: str
    receiver_type: str | None = None


@dataclass(frozen=True)
class Replacement:
    """One ReplacementInfo: the document replaced, and at which organisations."""

    document_id: DocumentId
    organ_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Business:
    """TraceHeaderList/Bussiness: new, recall, update or replace, with the reason and details."""

    doc_type: int = 0
    doc_type_name: str = "new"
    reason: str | None = None
    paper: str | None = None
    document_id: DocumentId | None = None
    staff: Staff | None = None
    document_info: str | None = None
    document_receiver: str | None = None
    receivers: list[Receiver] = field(default_factory=list)
    replacements: list[Replacement] = field(default_factory=list)


@dataclass(frozen=True)
class Attachment:
    """One attached file, decoded. `data` is not part of the JSON output."""

    name: str
    content_id: str | None
    description: str | None
    declared_type: str | None  # the Attachment's ContentType
    manifest_type: str | None  # the manifest Reference's ContentType (may disagree)
    sniffed_type: str  # what the bytes are
    encoding: str  # "zip" (VPCP SDK form: base64 of a ZIP holding the file) or "base64"
    inner_name: str | None  # the file's name inside the ZIP
    size: int
    sha256: str
    type_mismatch: bool
    data: bytes = field(repr=False, compare=False)


@dataclass(frozen=True)
class ResponseFor:
    """The document a status (or a reply) is about."""

    organ_id: str | None = None
    code: str | None = None
    promulgation_date: datetime.date | None = None
    document_id: DocumentId | None = None


@dataclass(frozen=True)
class Status:
    code: str
    meaning: str
    description: str | None
    timestamp: datetime.datetime
    staff: Staff | None
    response_for: ResponseFor


@dataclass(frozen=True)
class Message:
    """A parsed edXML message: a document (`kind` "document") or a status ("status")."""

    kind: str
    sender: Organ
    to: list[Organ] = field(default_factory=list)
    document_id: DocumentId | None = None
    code_number: str | None = None
    code_notation: str | None = None
    promulgation_place: str | None = None
    promulgation_date: datetime.date | None = None
    document_type: str | None = None
    document_type_detail: str | None = None
    document_type_name: str | None = None
    subject: str | None = None
    content: str | None = None
    signer_competence: str | None = None
    signer_position: str | None = None
    signer_full_name: str | None = None
    due_date: datetime.date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: str | None = None
    sphere_of_promulgation: str | None = None
    typer_notation: str | None = None
    promulgation_amount: str | None = None
    page_amount: str | None = None
    appendixes: list[str] = field(default_factory=list)
    steering_type: str | None = None
    response_for: list[ResponseFor] = field(default_factory=list)
    trace_headers: list[TraceHeader] = field(default_factory=list)
    business: Business | None = None
    attachments: list[Attachment] = field(default_factory=list)
    status: Status | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON form (`edxml parse --json`): dates ISO 8601, attachments without bytes,
        "from" for the sender."""
        data = _jsonable(dataclasses.asdict(self, dict_factory=_without_data))
        return {("from" if key == "sender" else key): value for key, value in data.items()}


def _without_data(items: list[tuple[str, Any]]) -> dict[str, Any]:
    return {key: value for key, value in items if key != "data"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime.date):  # datetime too: isoformat keeps the +07:00 offset
        return value.isoformat()
    return value
