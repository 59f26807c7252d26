"""Reading edXML messages (QCVN 102:2016) from other agencies' software, safely.

Real messages from different vendors disagree, so elements are matched by namespace URI and
local name only (the `edXML:` prefix, a default namespace or `ns0:` are the same), in any order,
with LF or CRLF; the spec's own misspelling `Bussiness*` and the dictionary spelling are both
read. Hostile input is bounded: the size is checked before parsing, defusedxml refuses DTDs,
entities and external references, attachments are decoded within the same size budget (a ZIP
bomb stops at the limit). Whatever is wrong raises one `EdxmlError` with a code and a one-line
reason; nothing else escapes.

Mandatory: a document message needs From/OrganId, at least one To/OrganId, Code (CodeNumber,
CodeNotation), PromulgationInfo/PromulgationDate and Subject; a status message needs
From/OrganId, ResponseFor/DocumentId, StatusCode (a known code) and Timestamp.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import zoneinfo
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.conf import settings
from django.utils.translation import gettext as _

from connectors.edxml.attachments import decode_payload, sniff, types_disagree
from connectors.edxml.errors import EdxmlError, bad_value, duplicated, missing
from connectors.edxml.model import (
    BUSINESS_TYPES,
    NAMESPACE,
    STATUS_CODES,
    Attachment,
    Business,
    DocumentId,
    Message,
    Organ,
    Receiver,
    Replacement,
    ResponseFor,
    Staff,
    Status,
    TraceHeader,
)
from edoc.text import nfc

# edXML nests about ten levels (an XML-DSig Signature a few more): deeper is refused as it is
# read, before a nesting bomb builds its tree.
MAX_DEPTH = 32
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")  # edXML dates and times are Vietnam's local time
DATE = re.compile(r"([0-9]{4})/([0-9]{2})/([0-9]{2})")
# A date element written with a time (the C# SDK's DateTime fields) is read as its date.
DATE_WITH_TIME = re.compile(r"([0-9]{4})/([0-9]{2})/([0-9]{2})(?: [0-9]{2}:[0-9]{2}:[0-9]{2})?")
TIMESTAMP = re.compile(r"([0-9]{4})/([0-9]{2})/([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# Both spellings of the Business elements: the spec's (written by eDoc) first.
SPELLINGS = {
    "Bussiness": ("Bussiness", "Business"),
    "BussinessDocType": ("BussinessDocType", "BusinessDocType"),
    "BussinessDocReason": ("BussinessDocReason", "BusinessDocReason"),
    "BussinessDocumentInfo": ("BussinessDocumentInfo", "BusinessDocumentInfo"),
}


def max_message_bytes() -> int:
    """The largest message accepted (settings.EDOC_EDXML_MAX_MB); also the most its attachments
    may unpack to, all together."""
    return settings.EDOC_EDXML_MAX_MB * 1024 * 1024


def too_large(size: int, limit: int) -> EdxmlError:
    return EdxmlError(
        "too_large",
        _("The message is %(size)s MB, more than the %(limit)s MB accepted.")
        % {"size": round(size / (1024 * 1024), 1), "limit": limit // (1024 * 1024)},
    )


def parse_message(data: bytes, *, max_bytes: int | None = None) -> Message:
    """Parse an edXML message (document or status) from its bytes."""
    limit = max_message_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise too_large(len(data), limit)
    try:
        parser = DefusedXMLParser(target=_DepthLimited(), forbid_dtd=True)
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        raise EdxmlError(
            "forbidden_xml",
            _("The message declares a DTD, entities or external references, which are refused."),
        )
    except ParseError as error:
        raise EdxmlError(
            "not_well_formed",
            _("The message is not well-formed XML (%(error)s).") % {"error": error},
        )
    except (LookupError, ValueError):  # an unknown or impossible encoding declaration
        raise EdxmlError(
            "not_well_formed", _("The message is not well-formed XML (unreadable encoding).")
        )
    return _Reader(limit).message(root)


class _DepthLimited(TreeBuilder):
    """ElementTree's builder, refusing elements nested deeper than MAX_DEPTH."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0

    def start(self, tag, attrs):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise EdxmlError(
                "too_deep",
                _("The message nests elements more than %(depth)s levels deep.")
                % {"depth": MAX_DEPTH},
            )
        return super().start(tag, attrs)

    def end(self, tag):
        self.depth -= 1
        return super().end(tag)


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _names(name: str) -> tuple[str, ...]:
    return SPELLINGS.get(name, (name,))


class _Reader:
    """One message's reading: keeps the attachment budget."""

    def __init__(self, limit: int) -> None:
        self.budget = limit

    # --- structure ---------------------------------------------------------------------------

    def message(self, root: Element) -> Message:
        if root.tag == _q("edXML"):
            envelope = self.one(root, "edXML", "edXMLEnvelope", required=True)
        elif root.tag == _q("edXMLEnvelope"):
            envelope = root
        else:
            raise EdxmlError(
                "not_edxml",
                _("This is not an edXML message: its root is %(tag)s, not edXML in %(ns)s.")
                % {"tag": root.tag[:120], "ns": NAMESPACE},
            )
        header = self.one(envelope, "edXMLEnvelope", "edXMLHeader", required=True)
        message_header = self.one(header, "edXMLHeader", "MessageHeader", required=True)
        sender = self.organ(
            self.one(message_header, "MessageHeader", "From", required=True), "From"
        )
        if self.one(message_header, "MessageHeader", "StatusCode") is not None:
            return Message(
                kind="status",
                sender=sender,
                trace_headers=self.trace_headers(header),
                status=self.status(message_header),
            )
        return self.document(root, envelope, header, message_header, sender)

    def document(
        self, root: Element, envelope: Element, header: Element, mh: Element, sender: Organ
    ) -> Message:
        to = [self.organ(element, "To") for element in self.all(mh, "To")]
        if not to:
            raise missing("MessageHeader/To")
        code = self.one(mh, "MessageHeader", "Code", required=True)
        promulgation = self.one(mh, "MessageHeader", "PromulgationInfo", required=True)
        document_type = self.one(mh, "MessageHeader", "DocumentType")
        signer = self.one(mh, "MessageHeader", "SignerInfo")
        other = self.one(mh, "MessageHeader", "OtherInfo")
        to_places = self.one(mh, "MessageHeader", "ToPlaces")
        appendixes = self.one(other, "OtherInfo", "Appendixes") if other is not None else None
        document_id = self.text(mh, "MessageHeader", "DocumentId")
        return Message(
            kind="document",
            sender=sender,
            to=to,
            document_id=self.document_id(document_id, "MessageHeader/DocumentId", strict=True)
            if document_id
            else None,
            code_number=self.text(code, "Code", "CodeNumber", required=True),
            code_notation=self.text(code, "Code", "CodeNotation", required=True),
            promulgation_place=self.text(promulgation, "PromulgationInfo", "Place"),
            promulgation_date=self.date(
                promulgation, "PromulgationInfo", "PromulgationDate", required=True
            ),
            document_type=self.text(document_type, "DocumentType", "Type"),
            document_type_detail=self.text(document_type, "DocumentType", "TypeDetail"),
            document_type_name=self.text(document_type, "DocumentType", "TypeName"),
            subject=self.text(mh, "MessageHeader", "Subject", required=True),
            content=self.text(mh, "MessageHeader", "Content"),
            signer_competence=self.text(signer, "SignerInfo", "Competence"),
            signer_position=self.text(signer, "SignerInfo", "Position"),
            signer_full_name=self.text(signer, "SignerInfo", "FullName"),
            due_date=self.date(mh, "MessageHeader", "DueDate"),
            to_places=self.texts(to_places, "Place"),
            priority=self.text(other, "OtherInfo", "Priority"),
            sphere_of_promulgation=self.text(other, "OtherInfo", "SphereOfPromulgation"),
            typer_notation=self.text(other, "OtherInfo", "TyperNotation"),
            promulgation_amount=self.text(other, "OtherInfo", "PromulgationAmount"),
            page_amount=self.text(other, "OtherInfo", "PageAmount"),
            appendixes=self.texts(appendixes, "Appendix"),
            steering_type=self.text(mh, "MessageHeader", "SteeringType"),
            response_for=[
                reply
                for element in self.all(mh, "ResponseFor")
                if (reply := self.response_for(element)) != ResponseFor()
            ],
            trace_headers=self.trace_headers(header),
            business=self.business(header),
            attachments=self.attachments(root, envelope),
        )

    def organ(self, element: Element, path: str) -> Organ:
        return Organ(
            organ_id=self.text(element, path, "OrganId", required=True),
            organ_name=self.text(element, path, "OrganName"),
            organization_in_charge=self.text(element, path, "OrganizationInCharge"),
            address=self.text(element, path, "OrganAdd"),
            email=self.text(element, path, "Email"),
            telephone=self.text(element, path, "Telephone"),
            fax=self.text(element, path, "Fax"),
            website=self.text(element, path, "Website"),
        )

    def staff(self, parent: Element, path: str) -> Staff | None:
        element = self.one(parent, path, "StaffInfo")
        if element is None:
            return None
        staff = Staff(
            department=self.text(element, "StaffInfo", "Department"),
            staff=self.text(element, "StaffInfo", "Staff"),
            mobile=self.text(element, "StaffInfo", "Mobile"),
            email=self.text(element, "StaffInfo", "Email"),
        )
        return None if staff == Staff() else staff

    def response_for(self, element: Element) -> ResponseFor:
        document_id = self.text(element, "ResponseFor", "DocumentId")
        return ResponseFor(
            organ_id=self.text(element, "ResponseFor", "OrganId"),
            code=self.text(element, "ResponseFor", "Code"),
            promulgation_date=self.date(element, "ResponseFor", "PromulgationDate"),
            document_id=self.document_id(document_id, "ResponseFor/DocumentId", strict=False)
            if document_id
            else None,
        )

    def status(self, mh: Element) -> Status:
        code = self.text(mh, "MessageHeader", "StatusCode", required=True)
        if code not in STATUS_CODES:
            raise EdxmlError(
                "unknown_status",
                _("StatusCode “%(code)s” is not a status code of QCVN 102:2016 (%(known)s).")
                % {"code": code[:20], "known": ", ".join(STATUS_CODES)},
            )
        response_for = self.response_for(
            self.one(mh, "MessageHeader", "ResponseFor", required=True)
        )
        if response_for.document_id is None:
            raise missing("ResponseFor/DocumentId")
        return Status(
            code=code,
            meaning=STATUS_CODES[code],
            description=self.text(mh, "MessageHeader", "Description"),
            timestamp=self.timestamp(mh, "MessageHeader", "Timestamp", required=True),
            staff=self.staff(mh, "MessageHeader"),
            response_for=response_for,
        )

    def trace_headers(self, header: Element) -> list[TraceHeader]:
        trace_list = self.one(header, "edXMLHeader", "TraceHeaderList")
        return [
            TraceHeader(
                organ_id=self.text(element, "TraceHeader", "OrganId"),
                timestamp=self.timestamp(element, "TraceHeader", "Timestamp"),
            )
            for element in self.all(trace_list, "TraceHeader")
        ]

    def business(self, header: Element) -> Business | None:
        trace_list = self.one(header, "edXMLHeader", "TraceHeaderList")
        element = self.one(trace_list, "TraceHeaderList", "Bussiness")
        if element is None:
            return None
        path = "Bussiness"
        doc_type_text = self.text(element, path, "BussinessDocType", required=True)
        if doc_type_text not in ("0", "1", "2", "3"):
            raise bad_value(
                "unknown_business_type",
                "Bussiness/BussinessDocType",
                doc_type_text,
                _("0 (new), 1 (recall), 2 (update) or 3 (replace)"),
            )
        doc_type = int(doc_type_text)
        info = self.one(element, path, "BussinessDocumentInfo")
        receivers = self.one(info, "BussinessDocumentInfo", "ReceiverList")
        replacements = [
            self.replacement(item)
            for item in self.all(self.one(element, path, "ReplacementInfoList"), "ReplacementInfo")
        ]
        if doc_type == 3 and not replacements:
            raise missing("Bussiness/ReplacementInfoList/ReplacementInfo")
        document_id = self.text(element, path, "DocumentId")
        return Business(
            doc_type=doc_type,
            doc_type_name=BUSINESS_TYPES[doc_type],
            reason=self.text(element, path, "BussinessDocReason"),
            paper=self.text(element, path, "Paper"),
            document_id=self.document_id(document_id, "Bussiness/DocumentId", strict=False)
            if document_id
            else None,
            staff=self.staff(element, path),
            document_info=self.text(info, "BussinessDocumentInfo", "DocumentInfo"),
            document_receiver=self.text(info, "BussinessDocumentInfo", "DocumentReceiver"),
            receivers=[
                Receiver(
                    organ_id=self.text(item, "Receiver", "OrganId", required=True),
                    receiver_type=self.text(item, "Receiver", "ReceiverType"),
                )
                for item in self.all(receivers, "Receiver")
            ],
            replacements=replacements,
        )

    def replacement(self, element: Element) -> Replacement:
        document_id = self.text(element, "ReplacementInfo", "DocumentId", required=True)
        organs = self.one(element, "ReplacementInfo", "OrganIdList")
        return Replacement(
            document_id=self.document_id(document_id, "ReplacementInfo/DocumentId", strict=False),
            organ_ids=self.texts(organs, "OrganId"),
        )

    def attachments(self, root: Element, envelope: Element) -> list[Attachment]:
        body = self.one(envelope, "edXMLEnvelope", "edXMLBody")
        manifest = self.one(body, "edXMLBody", "edXMLManifest")
        references = {}
        for reference in self.all(manifest, "Reference"):
            content_id = _content_id(self.text(reference, "Reference", "ContentId"))
            if content_id:
                references.setdefault(content_id, reference)
        # After the envelope (the SDK's place) or inside it (some writers).
        encoded = self.all(envelope, "AttachmentEncoded")
        if root is not envelope:
            encoded = [*self.all(root, "AttachmentEncoded"), *encoded]
        found = []
        for container in encoded:
            for number, element in enumerate(self.all(container, "Attachment"), start=1):
                found.append(self.attachment(element, references, number))
        return found

    def attachment(self, element: Element, references: dict, number: int) -> Attachment:
        path = "Attachment"
        content_id = _content_id(self.text(element, path, "ContentId"))
        reference = references.get(content_id) if content_id else None
        name = (
            self.text(element, path, "AttachmentName")
            or self.text(reference, "Reference", "AttachmentName")
            or self.text(element, path, "Description")
            or f"attachment-{number}"
        )
        encoded = self.one(element, path, "ContentTransferEncoded", required=True)
        if not (encoded.text or "").strip():
            raise missing("Attachment/ContentTransferEncoded")
        payload = decode_payload(encoded.text, name=name, limit=self.budget)
        self.budget -= len(payload.data)
        declared = self.text(element, path, "ContentType")
        manifest_type = self.text(reference, "Reference", "ContentType")
        sniffed = sniff(payload.data)
        return Attachment(
            name=name,
            content_id=content_id,
            description=self.text(element, path, "Description")
            or self.text(reference, "Reference", "Description"),
            declared_type=declared,
            manifest_type=manifest_type,
            sniffed_type=sniffed,
            encoding=payload.encoding,
            inner_name=nfc(payload.inner_name) if payload.inner_name else None,
            size=len(payload.data),
            sha256=hashlib.sha256(payload.data).hexdigest(),
            type_mismatch=types_disagree(
                sniffed, [declared, manifest_type], name=name, zipped=payload.encoding == "zip"
            ),
            data=payload.data,
        )

    # --- elements and values -----------------------------------------------------------------

    @staticmethod
    def all(parent: Element | None, name: str) -> list[Element]:
        if parent is None:
            return []
        tags = {_q(spelling) for spelling in _names(name)}
        return [child for child in parent if child.tag in tags]

    def one(
        self, parent: Element | None, path: str, name: str, *, required: bool = False
    ) -> Element | None:
        found = self.all(parent, name)
        if len(found) > 1:
            raise duplicated(f"{path}/{name}")
        if not found:
            if required:
                raise missing(f"{path}/{name}")
            return None
        return found[0]

    def text(
        self, parent: Element | None, path: str, name: str, *, required: bool = False
    ) -> str | None:
        element = self.one(parent, path, name, required=required)
        value = nfc(element.text) if element is not None and element.text else ""
        if not value:
            if required:
                raise missing(f"{path}/{name}")
            return None
        return value

    def texts(self, parent: Element | None, name: str) -> list[str]:
        return [
            value
            for element in self.all(parent, name)
            if element.text and (value := nfc(element.text))
        ]

    def date(
        self, parent: Element | None, path: str, name: str, *, required: bool = False
    ) -> datetime.date | None:
        value = self.text(parent, path, name, required=required)
        if value is None:
            return None
        match = DATE_WITH_TIME.fullmatch(value)
        day = _calendar_date(match) if match else None
        if day is None:
            raise bad_value("bad_date", f"{path}/{name}", value, _("a date yyyy/MM/dd"))
        return day

    def timestamp(
        self, parent: Element | None, path: str, name: str, *, required: bool = False
    ) -> datetime.datetime | None:
        value = self.text(parent, path, name, required=required)
        if value is None:
            return None
        match = TIMESTAMP.fullmatch(value)
        try:
            if match is None:
                raise ValueError(value)
            return datetime.datetime(*(int(part) for part in match.groups()), tzinfo=VIETNAM)
        except ValueError:
            raise bad_value(
                "bad_timestamp", f"{path}/{name}", value, _("a time yyyy/MM/dd HH:mm:ss")
            )

    @staticmethod
    def document_id(value: str, path: str, *, strict: bool) -> DocumentId:
        """A message's own DocumentId must carry a real date (`strict`); one it refers to keeps
        its text when the date is impossible (the SDK's own samples refer to 2014/02/30)."""
        if UUID.fullmatch(value):
            return DocumentId(value=value, uuid=value.lower())
        parts = [part.strip() for part in value.split(",", 2)]
        if len(parts) == 3 and parts[0] and "/" in parts[2] and (match := DATE.fullmatch(parts[1])):
            day = _calendar_date(match)
            if day is not None or not strict:
                return DocumentId(value=value, organ_id=parts[0], date=day, code=parts[2])
        raise bad_value(
            "bad_document_id", path, value, _("“OrganId,yyyy/MM/dd,Number/Notation” or a UUID")
        )


def _calendar_date(match: re.Match) -> datetime.date | None:
    try:
        return datetime.date(*(int(part) for part in match.groups()[:3]))
    except ValueError:
        return None


def _content_id(value: str | None) -> str | None:
    """ "cid:209" and "209" name the same attachment (the manifest and the attachment of one
    vendor's message write it differently)."""
    if not value:
        return None
    value = value.strip()
    return value[4:].strip() if value.lower().startswith("cid:") else value
