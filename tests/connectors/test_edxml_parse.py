"""Reading edXML messages as different vendors write them (QCVN 102:2016, issue 11 §1)."""

from __future__ import annotations

import dataclasses
import datetime
import io
import zipfile

import pytest

from connectors.edxml import EdxmlError, parse_message
from connectors.edxml.builder import build_message, outgoing_attachment
from connectors.edxml.model import STATUS_CODES
from connectors.edxml.parser import VIETNAM
from tests.connectors.samples import (
    NS,
    sample,
    shuffled,
    text_of,
    with_prefix,
    without_prefix,
)

NEW = "document_new_crlf.edxml"
REPLACE = "document_replace_ns0.edxml"
STATUS = "status_arrived.edxml"


def parse_text(text: str):
    return parse_message(text.encode("utf-8"))


def test_a_document_in_the_sdk_layout_with_crlf_reads_completely():
    data = sample(NEW)
    assert b"\r\n" in data and b"<edXML:Subject>" in data
    message = parse_message(data)
    assert message.kind == "document"
    assert message.sender.organ_id == "000.00.23.H19"
    assert message.sender.organ_name == "Sở Y tế tỉnh Đồng Nai"
    assert message.sender.fax is None and message.sender.website is None  # empty elements
    assert [organ.organ_id for organ in message.to] == ["000.00.01.H19", "000.18.23.H19"]
    assert (message.code_number, message.code_notation) == ("45", "SYT-VP")
    assert message.promulgation_place == "Đồng Nai"
    assert message.promulgation_date == datetime.date(2026, 11, 20)
    assert message.document_type_name == "Công văn"
    assert message.subject == "V/v triển khai liên thông văn bản điện tử năm 2027"
    assert message.content is None
    assert message.signer_full_name == "Nguyễn Thị Hồng Nhung"
    assert message.signer_competence == "KT. GIÁM ĐỐC"
    assert message.due_date == datetime.date(2026, 12, 15)
    assert message.document_id.organ_id == "000.00.23.H19"
    assert message.document_id.date == datetime.date(2026, 11, 20)
    assert message.document_id.code == "45/SYT-VP" and message.document_id.uuid is None
    assert message.steering_type == "0"
    assert message.to_places[-1] == "Lưu: VT, VP"
    assert message.appendixes == [] and message.response_for == []
    assert message.trace_headers[0].organ_id == "000.00.23.H19"
    assert message.trace_headers[0].timestamp == datetime.datetime(
        2026, 11, 20, 9, 30, tzinfo=VIETNAM
    )
    assert message.business.doc_type == 0 and message.business.doc_type_name == "new"
    assert message.business.staff.staff == "Trần Thị Văn Thư"
    assert message.business.staff.mobile is None
    [attachment] = message.attachments
    assert attachment.name == "45_SYT-VP_lien_thong.pdf"
    assert attachment.encoding == "zip"
    assert attachment.inner_name == "5d1c2b7e-3f0a-4c59-9a77-0e6f1f3b2a10.pdf"
    assert attachment.declared_type == "application/pdf"
    assert attachment.manifest_type == "application/zip"  # the manifest names the wrapper
    assert attachment.sniffed_type == "application/pdf" and not attachment.type_mismatch
    assert attachment.data.startswith(b"%PDF-") and attachment.size == len(attachment.data)


def test_vietnamese_text_is_nfc_whatever_the_sender_wrote():
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Ho\u0302\u0300ng Nhung"  # NFD
    message = parse_text(text_of(NEW).replace("Nguyễn Thị Hồng Nhung", decomposed))
    assert message.signer_full_name == "Nguyễn Thị Hồng Nhung"


@pytest.mark.parametrize(
    "rewrite",
    [
        without_prefix,  # default namespace only
        lambda text: with_prefix(text, "ns0"),
        lambda text: with_prefix(text, "edXML"),
        lambda text: text.replace("\r\n", "\n"),
    ],
    ids=["default-namespace", "ns0", "edXML-everywhere", "LF"],
)
@pytest.mark.parametrize("name", [NEW, REPLACE, STATUS])
def test_prefixes_and_line_ends_do_not_matter(name, rewrite):
    assert parse_text(rewrite(text_of(name))) == parse_message(sample(name))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", [NEW, REPLACE, STATUS])
def test_element_order_does_not_matter(name, seed):
    assert parse_message(shuffled(sample(name), seed)) == parse_message(sample(name))


def test_the_prefix_string_alone_means_nothing():
    """An element whose prefix reads "edXML" but is bound to another namespace is not edXML."""
    text = text_of(STATUS).replace(
        '<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">',
        '<edXML:edXMLEnvelope xmlns:edXML="http://example.org/not-edxml">',
    )
    with pytest.raises(EdxmlError) as error:
        parse_text(text)
    assert error.value.code == "missing_field" and "edXMLEnvelope" in error.value.message


def test_both_spellings_of_business_read_the_same():
    spec = parse_message(sample(NEW))
    dictionary = parse_text(text_of(NEW).replace("Bussiness", "Business"))
    assert "Bussiness" not in text_of(REPLACE)  # the replace sample uses the dictionary spelling
    assert dictionary == spec and spec.business.reason == "Văn bản điện tử mới"


def test_a_replacement_carries_its_replacement_info_list():
    message = parse_message(sample(REPLACE))
    assert message.document_id.uuid == "3f6d2a4e-8c1b-4f0e-9d2a-7b5e6c4d3a21"
    assert message.document_id.organ_id is None
    business = message.business
    assert (business.doc_type, business.doc_type_name) == (3, "replace")
    assert business.reason == "Thay thế Quyết định 118 và 119 do sai sót thể thức"
    assert [(item.document_id.code, item.organ_ids) for item in business.replacements] == [
        ("118/QĐ-UBND", ["000.00.23.H19", "000.18.23.H19"]),
        ("119/QĐ-UBND", ["000.00.23.H19"]),
    ]
    assert business.replacements[0].document_id.date == datetime.date(2026, 10, 2)
    [attachment] = message.attachments
    assert attachment.encoding == "base64" and attachment.inner_name is None
    assert attachment.name == "QĐ 120 thay thế.pdf"
    assert attachment.content_id == "7c0ffee0-0000-4000-8000-000000000120"  # with or without cid:
    assert attachment.manifest_type == "application/octet-stream" and not attachment.type_mismatch


def test_recall_and_update_messages():
    recall = parse_text(
        text_of(NEW)
        .replace("<edXML:BussinessDocType>0<", "<edXML:BussinessDocType>1<")
        .replace("Văn bản điện tử mới", "Thu hồi do ban hành nhầm")
    )
    assert (recall.business.doc_type_name, recall.business.reason) == (
        "recall",
        "Thu hồi do ban hành nhầm",
    )
    update = parse_text(
        text_of(NEW)
        .replace("<edXML:BussinessDocType>0<", "<edXML:BussinessDocType>2<")
        .replace(
            "<edXML:Paper>0</edXML:Paper>",
            "<edXML:Paper>0</edXML:Paper><edXML:DocumentId>000.00.23.H19,2026/11/20,45/SYT-VP"
            "</edXML:DocumentId><edXML:BussinessDocumentInfo><edXML:DocumentInfo>1"
            "</edXML:DocumentInfo><edXML:DocumentReceiver>1</edXML:DocumentReceiver>"
            "<edXML:ReceiverList><edXML:Receiver><edXML:OrganId>000.00.01.H19</edXML:OrganId>"
            "<edXML:ReceiverType>0</edXML:ReceiverType></edXML:Receiver></edXML:ReceiverList>"
            "</edXML:BussinessDocumentInfo>",
        )
    )
    business = update.business
    assert business.doc_type_name == "update" and business.document_info == "1"
    assert business.document_id.code == "45/SYT-VP"
    assert [(item.organ_id, item.receiver_type) for item in business.receivers] == [
        ("000.00.01.H19", "0")
    ]


def test_a_replacement_without_its_list_is_refused():
    text = text_of(NEW).replace("<edXML:BussinessDocType>0<", "<edXML:BussinessDocType>3<")
    with pytest.raises(EdxmlError) as error:
        parse_text(text)
    assert error.value.code == "missing_field" and "ReplacementInfo" in error.value.message


@pytest.mark.parametrize("code", sorted(STATUS_CODES))
def test_each_status_code(code):
    text = text_of(STATUS).replace("<edXML:StatusCode>01<", f"<edXML:StatusCode>{code}<")
    message = parse_text(text)
    status = message.status
    assert message.kind == "status" and message.sender.organ_id == "000.18.23.H19"
    assert (status.code, status.meaning) == (code, STATUS_CODES[code])
    assert status.timestamp == datetime.datetime(2026, 11, 20, 9, 31, 12, tzinfo=VIETNAM)
    assert status.response_for.document_id.code == "45/SYT-VP"
    assert status.response_for.promulgation_date == datetime.date(2026, 11, 20)
    assert status.staff.department == "Phòng Hành chính - Quản trị"
    assert status.description.startswith("Văn thư")


def test_status_meanings_are_the_sdk_samples():
    assert STATUS_CODES == {
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


def test_a_status_with_an_unknown_code_is_refused():
    with pytest.raises(EdxmlError) as error:
        parse_text(text_of(STATUS).replace("<edXML:StatusCode>01<", "<edXML:StatusCode>07<"))
    assert error.value.code == "unknown_status"


def _zip_of(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def _message_with(*attachments):
    return dataclasses.replace(parse_message(sample(NEW)), attachments=list(attachments))


def test_zip_and_plain_base64_attachments_round_trip(pdf_bytes):
    pdf = pdf_bytes(["Kế hoạch"])
    message = _message_with(
        outgoing_attachment("ke_hoach.pdf", pdf, "application/pdf"),
        outgoing_attachment("phu_luc.pdf", pdf, "application/pdf", zipped=False),
    )
    parsed = parse_message(build_message(message))
    assert parsed == message
    assert [(a.encoding, a.data) for a in parsed.attachments] == [("zip", pdf), ("base64", pdf)]


def test_a_docx_or_a_zip_file_is_not_taken_for_the_sdk_wrapper():
    docx = _zip_of("word/document.xml", b"<w:document/>")  # one entry, but named .zip
    several = io.BytesIO()
    with zipfile.ZipFile(several, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
    parsed = parse_message(
        build_message(
            _message_with(
                outgoing_attachment(
                    "to_trinh.docx",
                    several.getvalue(),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    zipped=False,
                ),
                outgoing_attachment("ho_so.zip", docx, "application/zip", zipped=False),
            )
        )
    )
    word, archive = parsed.attachments
    assert word.encoding == "base64" and word.data == several.getvalue()
    assert word.sniffed_type.endswith("wordprocessingml.document") and not word.type_mismatch
    assert archive.encoding == "base64" and archive.sniffed_type.endswith(
        "wordprocessingml.document"
    )


def test_declared_and_sniffed_types_are_both_reported(pdf_bytes):
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
    disguised = outgoing_attachment("cong_van.pdf", executable, "application/pdf")
    manifest_disagrees = dataclasses.replace(
        outgoing_attachment("ke_hoach.pdf", pdf_bytes(), "application/pdf"),
        manifest_type="application/msword",
    )
    honest = outgoing_attachment("phu_luc.pdf", pdf_bytes(), "application/pdf")
    parsed = parse_message(build_message(_message_with(disguised, manifest_disagrees, honest)))
    first, second, third = parsed.attachments
    assert (first.declared_type, first.sniffed_type, first.type_mismatch) == (
        "application/pdf",
        "application/octet-stream",
        True,
    )
    assert (second.declared_type, second.manifest_type, second.sniffed_type) == (
        "application/pdf",
        "application/msword",
        "application/pdf",
    )
    assert second.type_mismatch and not third.type_mismatch


def test_a_name_that_lies_is_a_mismatch_even_when_only_the_wrapper_is_declared():
    """As in the SDK's own sample: ContentType application/zip, a name ending .doc, XML inside."""
    text = text_of(NEW).replace(
        "<ContentType>application/pdf</ContentType>",
        "<ContentType>application/zip</ContentType>",
    )
    text = text.replace("45_SYT-VP_lien_thong.pdf", "45_SYT-VP_lien_thong.doc")
    [attachment] = parse_text(text).attachments
    assert attachment.sniffed_type == "application/pdf" and attachment.type_mismatch


def test_a_date_written_with_a_time_reads_as_the_date():
    text = text_of(STATUS).replace(
        "<edXML:PromulgationDate>2026/11/20<", "<edXML:PromulgationDate>2026/11/20 10:12:10<"
    )
    assert parse_text(text).status.response_for.promulgation_date == datetime.date(2026, 11, 20)


def test_a_referenced_document_id_keeps_an_impossible_date_as_text():
    """The SDK's own samples refer to "…,2014/02/30,…": kept, without a date."""
    text = text_of(REPLACE).replace("2026/10/02,118", "2014/02/30,118")
    replacement = parse_text(text).business.replacements[0]
    assert replacement.document_id.value == "000.00.01.H19,2014/02/30,118/QĐ-UBND"
    assert replacement.document_id.date is None


@pytest.mark.parametrize("name", [NEW, REPLACE, STATUS])
def test_what_the_builder_writes_reads_back_the_same(name):
    message = parse_message(sample(name))
    built = build_message(message)
    assert parse_message(built) == message
    text = built.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns=')
    if message.business:
        assert "<edXML:BussinessDocType>" in text and "<edXML:Business" not in text


def test_base64_wrapped_in_lines_reads_the_same():
    text = text_of(NEW)
    start = text.index('QCVN_102_2016">', text.index("<edXML:ContentTransferEncoded")) + 15
    end = text.index("</edXML:ContentTransferEncoded>")
    payload = text[start:end]
    wrapped = "\r\n".join(payload[i : i + 76] for i in range(0, len(payload), 76))
    assert parse_text(text[:start] + "\r\n" + wrapped + "\r\n" + text[end:]) == parse_text(text)


def test_an_envelope_without_the_edxml_wrapper_reads_the_same():
    """Some writers send edXMLEnvelope as the root, with AttachmentEncoded inside it."""
    text = text_of(NEW)
    attachments = text[text.index("<AttachmentEncoded>") : text.index("</AttachmentEncoded>") + 20]
    body = text[text.index("<edXML:edXMLEnvelope") : text.index("</edXML:edXMLEnvelope>")]
    bare = body + attachments + "</edXML:edXMLEnvelope>"
    bare = bare.replace("<AttachmentEncoded>", '<AttachmentEncoded xmlns="' + NS + '">')
    assert parse_text(bare) == parse_text(text)
