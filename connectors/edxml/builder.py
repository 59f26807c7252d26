"""Writing edXML messages (QCVN 102:2016) the way the official VPCP SDK lays them out.

The layout follows the SDK's sample files: the root `edXML` in the default namespace, the
envelope's elements with the `edXML:` prefix, `AttachmentEncoded` after the envelope with
`edXML:ContentTransferEncoded` declaring its prefix again; the spec's spelling `Bussiness*`;
dates `yyyy/MM/dd`, times `yyyy/MM/dd HH:mm:ss` in Vietnam's time. Attachments go as the SDK
sends them: base64 of a ZIP holding the one file (or plain base64 when asked). Whatever
`build_message` writes, `parse_message` reads back to an equal `Message` (tests/connectors).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import re
import uuid
import zipfile
from xml.sax.saxutils import escape, quoteattr

from connectors.edxml.attachments import sniff, types_disagree
from connectors.edxml.model import (
    NAMESPACE,
    Attachment,
    Business,
    DocumentId,
    Message,
    Organ,
    ResponseFor,
    Staff,
)
from connectors.edxml.parser import VIETNAM
from edoc.text import nfc

# Characters XML 1.0 cannot carry at all (control characters other than tab and line breaks).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the same file always gives the same message


def outgoing_attachment(
    name: str,
    data: bytes,
    content_type: str,
    *,
    description: str | None = None,
    zipped: bool = True,
) -> Attachment:
    """An attachment to send: `content_type` is declared in the manifest and the attachment
    (the file's own type, as the SDK's C# example does even when it zips); the content id is
    derived from the bytes."""
    name = nfc(name)
    digest = hashlib.sha256(data).hexdigest()
    sniffed = sniff(data)
    return Attachment(
        name=name,
        content_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"edoc:attachment:{digest}:{name}")),
        description=nfc(description) if description else None,
        declared_type=content_type,
        manifest_type=content_type,
        sniffed_type=sniffed,
        encoding="zip" if zipped else "base64",
        inner_name=name if zipped else None,
        size=len(data),
        sha256=digest,
        type_mismatch=types_disagree(sniffed, [content_type], name=name, zipped=zipped),
        data=data,
    )


def build_message(message: Message) -> bytes:
    """The edXML bytes (UTF-8) of a document or status message."""
    writer = _Writer()
    writer.raw('<?xml version="1.0" encoding="UTF-8"?>')
    writer.raw(f"<edXML xmlns={quoteattr(NAMESPACE)}>")
    writer.raw(f"<edXML:edXMLEnvelope xmlns:edXML={quoteattr(NAMESPACE)}>")
    writer.open("edXMLHeader")
    writer.open("MessageHeader")
    if message.kind == "status":
        _status_header(writer, message)
    else:
        _document_header(writer, message)
    writer.close("MessageHeader")
    if message.trace_headers or message.business:
        writer.open("TraceHeaderList")
        for trace in message.trace_headers:
            writer.open("TraceHeader")
            writer.leaf("OrganId", trace.organ_id)
            writer.leaf("Timestamp", _timestamp(trace.timestamp))
            writer.close("TraceHeader")
        if message.business:
            _business(writer, message.business)
        writer.close("TraceHeaderList")
    writer.close("edXMLHeader")
    if message.attachments:
        writer.open("edXMLBody")
        writer.raw('<edXML:edXMLManifest version="1.0">')
        for attachment in message.attachments:
            writer.open("Reference")
            writer.leaf("ContentId", f"cid:{attachment.content_id}")
            writer.leaf("ContentType", attachment.manifest_type)
            writer.leaf("Description", attachment.description)
            writer.leaf("AttachmentName", attachment.name)
            writer.close("Reference")
        writer.close("edXMLManifest")
        writer.close("edXMLBody")
    writer.close("edXMLEnvelope")
    if message.attachments:
        writer.raw("<AttachmentEncoded>")
        for attachment in message.attachments:
            writer.raw("<Attachment>")
            writer.leaf("ContentId", f"cid:{attachment.content_id}", prefix="")
            writer.leaf("AttachmentName", attachment.name, prefix="")
            writer.leaf("Description", attachment.description, prefix="")
            writer.leaf("ContentType", attachment.declared_type, prefix="")
            writer.raw(
                f"<edXML:ContentTransferEncoded xmlns:edXML={quoteattr(NAMESPACE)}>"
                f"{_encoded(attachment)}</edXML:ContentTransferEncoded>"
            )
            writer.raw("</Attachment>")
        writer.raw("</AttachmentEncoded>")
    writer.raw("</edXML>")
    return writer.bytes()


def _document_header(writer: _Writer, message: Message) -> None:
    """MessageHeader of a document, in the standard's order (1.1 From … 1.14 DocumentId)."""
    _organ(writer, "From", message.sender)
    for organ in message.to:
        _organ(writer, "To", organ)
    writer.open("Code")
    writer.leaf("CodeNumber", message.code_number)
    writer.leaf("CodeNotation", message.code_notation)
    writer.close("Code")
    writer.open("PromulgationInfo")
    writer.leaf("Place", message.promulgation_place)
    writer.leaf("PromulgationDate", _date(message.promulgation_date))
    writer.close("PromulgationInfo")
    if message.document_type or message.document_type_detail or message.document_type_name:
        writer.open("DocumentType")
        writer.leaf("Type", message.document_type)
        writer.leaf("TypeDetail", message.document_type_detail)
        writer.leaf("TypeName", message.document_type_name)
        writer.close("DocumentType")
    writer.leaf("Subject", message.subject)
    writer.leaf("Content", message.content)
    if message.signer_competence or message.signer_position or message.signer_full_name:
        writer.open("SignerInfo")
        writer.leaf("Competence", message.signer_competence)
        writer.leaf("Position", message.signer_position)
        writer.leaf("FullName", message.signer_full_name)
        writer.close("SignerInfo")
    writer.leaf("DueDate", _date(message.due_date))
    if message.to_places:
        writer.open("ToPlaces")
        for place in message.to_places:
            writer.leaf("Place", place)
        writer.close("ToPlaces")
    other = (
        message.priority,
        message.sphere_of_promulgation,
        message.typer_notation,
        message.promulgation_amount,
        message.page_amount,
    )
    if any(other) or message.appendixes:
        writer.open("OtherInfo")
        writer.leaf("Priority", message.priority)
        writer.leaf("SphereOfPromulgation", message.sphere_of_promulgation)
        writer.leaf("TyperNotation", message.typer_notation)
        writer.leaf("PromulgationAmount", message.promulgation_amount)
        writer.leaf("PageAmount", message.page_amount)
        if message.appendixes:
            writer.open("Appendixes")
            for appendix in message.appendixes:
                writer.leaf("Appendix", appendix)
            writer.close("Appendixes")
        writer.close("OtherInfo")
    for reply in message.response_for:
        _response_for(writer, reply)
    writer.leaf("SteeringType", message.steering_type)
    writer.leaf("DocumentId", _document_id(message.document_id))


def _status_header(writer: _Writer, message: Message) -> None:
    """MessageHeader of a status, in the order of the SDK's status_*.edxml samples."""
    status = message.status
    _organ(writer, "From", message.sender)
    _response_for(writer, status.response_for)
    _staff(writer, status.staff)
    writer.leaf("StatusCode", status.code)
    writer.leaf("Description", status.description)
    writer.leaf("Timestamp", _timestamp(status.timestamp))


def _organ(writer: _Writer, name: str, organ: Organ) -> None:
    writer.open(name)
    writer.leaf("OrganId", organ.organ_id)
    writer.leaf("OrganizationInCharge", organ.organization_in_charge)
    writer.leaf("OrganName", organ.organ_name)
    writer.leaf("OrganAdd", organ.address)
    writer.leaf("Email", organ.email)
    writer.leaf("Telephone", organ.telephone)
    writer.leaf("Fax", organ.fax)
    writer.leaf("Website", organ.website)
    writer.close(name)


def _response_for(writer: _Writer, reply: ResponseFor) -> None:
    writer.open("ResponseFor")
    writer.leaf("OrganId", reply.organ_id)
    writer.leaf("Code", reply.code)
    writer.leaf("PromulgationDate", _date(reply.promulgation_date))
    writer.leaf("DocumentId", _document_id(reply.document_id))
    writer.close("ResponseFor")


def _staff(writer: _Writer, staff: Staff | None) -> None:
    if staff is None:
        return
    writer.open("StaffInfo")
    writer.leaf("Department", staff.department)
    writer.leaf("Staff", staff.staff)
    writer.leaf("Mobile", staff.mobile)
    writer.leaf("Email", staff.email)
    writer.close("StaffInfo")


def _business(writer: _Writer, business: Business) -> None:
    writer.open("Bussiness")
    writer.leaf("DocumentId", _document_id(business.document_id))
    writer.leaf("BussinessDocType", str(business.doc_type))
    writer.leaf("BussinessDocReason", business.reason)
    writer.leaf("Paper", business.paper)
    if business.document_info or business.document_receiver or business.receivers:
        writer.open("BussinessDocumentInfo")
        writer.leaf("DocumentInfo", business.document_info)
        writer.leaf("DocumentReceiver", business.document_receiver)
        if business.receivers:
            writer.open("ReceiverList")
            for receiver in business.receivers:
                writer.open("Receiver")
                writer.leaf("OrganId", receiver.organ_id)
                writer.leaf("ReceiverType", receiver.receiver_type)
                writer.close("Receiver")
            writer.close("ReceiverList")
        writer.close("BussinessDocumentInfo")
    if business.replacements:
        writer.open("ReplacementInfoList")
        for replacement in business.replacements:
            writer.open("ReplacementInfo")
            writer.leaf("DocumentId", _document_id(replacement.document_id))
            writer.open("OrganIdList")
            for organ_id in replacement.organ_ids:
                writer.leaf("OrganId", organ_id)
            writer.close("OrganIdList")
            writer.close("ReplacementInfo")
        writer.close("ReplacementInfoList")
    _staff(writer, business.staff)
    writer.close("Bussiness")


def _encoded(attachment: Attachment) -> str:
    if attachment.encoding != "zip":
        return base64.b64encode(attachment.data).decode("ascii")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo(attachment.inner_name or attachment.name, date_time=ZIP_TIME)
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, attachment.data)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _date(value: datetime.date | None) -> str | None:
    return value.strftime("%Y/%m/%d") if value else None


def _timestamp(value: datetime.datetime | None) -> str | None:
    return value.astimezone(VIETNAM).strftime("%Y/%m/%d %H:%M:%S") if value else None


def _document_id(value: DocumentId | None) -> str | None:
    return value.value if value else None


class _Writer:
    """Elements as text, one per line (LF), text escaped and stripped of what XML cannot hold."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def raw(self, text: str) -> None:
        self.parts.append(text)

    def open(self, name: str) -> None:
        self.parts.append(f"<edXML:{name}>")

    def close(self, name: str) -> None:
        self.parts.append(f"</edXML:{name}>")

    def leaf(self, name: str, value: str | None, *, prefix: str = "edXML:") -> None:
        if value is None or value == "":
            return
        text = escape(NOT_XML.sub("", str(value)), {"\r": "&#13;"})
        self.parts.append(f"<{prefix}{name}>{text}</{prefix}{name}>")

    def bytes(self) -> bytes:
        return ("\n".join(self.parts) + "\n").encode("utf-8")
