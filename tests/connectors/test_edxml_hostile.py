"""Hostile and broken edXML: each is refused with one EdxmlError, a stable code and a one-line
reason (issue 11 §6)."""

from __future__ import annotations

import base64
import io
import time
import zipfile

import pytest

from connectors.edxml import EdxmlError, parse_message
from tests.connectors.samples import NS, sample, text_of

NEW = "document_new_crlf.edxml"
STATUS = "status_arrived.edxml"


def refused(data: bytes | str, **options) -> EdxmlError:
    if isinstance(data, str):
        data = data.encode("utf-8")
    with pytest.raises(EdxmlError) as error:
        parse_message(data, **options)
    assert "\n" not in error.value.message and error.value.message
    return error.value


XXE = f"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><From>
<OrganId>&secret;</OrganId></From></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"""

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + f']>\n<edXML xmlns="{NS}">&lol9;</edXML>'
)


@pytest.mark.parametrize(
    "data",
    [
        XXE,
        LAUGHS,
        f'<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/edxml.dtd"><edXML xmlns="{NS}"/>',
        f'<!DOCTYPE edXML><edXML xmlns="{NS}"/>',
    ],
    ids=["xxe", "billion-laughs", "external-dtd", "dtd"],
)
def test_dtds_entities_and_external_references_are_refused(data):
    started = time.monotonic()
    assert refused(data).code == "forbidden_xml"
    assert time.monotonic() - started < 1


def test_the_size_is_checked_before_parsing():
    limit = 1024 * 1024
    assert refused(b"<" * (limit + 1), max_bytes=limit).code == "too_large"  # not "not well-formed"
    assert parse_message(sample(STATUS), max_bytes=len(sample(STATUS))).kind == "status"


def test_the_setting_is_the_default_limit(settings):
    settings.EDOC_EDXML_MAX_MB = 0
    assert refused(sample(STATUS)).code == "too_large"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "not_well_formed"),
        (b"1212" + sample(STATUS), "not_well_formed"),  # as one SDK sample is stored
        (sample(STATUS)[:-40], "not_well_formed"),
        (b'<?xml version="1.0" encoding="x-no-such"?><edXML/>', "not_well_formed"),
        (b"\xff\xfe<\x00e\x00", "not_well_formed"),
        (b"<html><body>edXML</body></html>", "not_edxml"),
        (b'<edXML xmlns="http://example.org/edxml"/>', "not_edxml"),
        (b"<edXML/>", "not_edxml"),  # no namespace is not the edXML namespace
        (f'<edXML xmlns="{NS}"/>'.encode(), "missing_field"),
    ],
    ids=[
        "empty",
        "junk-before",
        "truncated",
        "unknown-encoding",
        "bad-encoding",
        "html",
        "other-namespace",
        "no-namespace",
        "empty-edxml",
    ],
)
def test_malformed_and_foreign_documents(data, code):
    assert refused(data).code == code


OWN_ID = "000.00.23.H19,2026/11/20,45/SYT-VP</edXML:DocumentId>"


@pytest.mark.parametrize(
    ("old", "new", "code", "mentions"),
    [
        ("<edXML:OrganId>000.00.23.H19</edXML:OrganId>", "", "missing_field", "From/OrganId"),
        ("<edXML:CodeNumber>45</edXML:CodeNumber>", "<edXML:CodeNumber/>", "missing_field", "Code"),
        (
            "V/v triển khai liên thông văn bản điện tử năm 2027<",
            " \t <",
            "missing_field",
            "Subject",
        ),
        (
            "2026/11/20</edXML:PromulgationDate>",
            "20/11/2026</edXML:PromulgationDate>",
            "bad_date",
            "PromulgationDate",
        ),
        ("2026/12/15</edXML:DueDate>", "2026/02/30</edXML:DueDate>", "bad_date", "DueDate"),
        ("2026/11/20 09:30:00", "2026/11/20 25:30:00", "bad_timestamp", "Timestamp"),
        (OWN_ID, "45/SYT-VP</edXML:DocumentId>", "bad_document_id", "DocumentId"),
        (OWN_ID, OWN_ID.replace("2026/11/20", "2026/02/30"), "bad_document_id", "DocumentId"),
        (
            "<edXML:BussinessDocType>0<",
            "<edXML:BussinessDocType>9<",
            "unknown_business_type",
            "BussinessDocType",
        ),
        (
            "<edXML:Subject>",
            "<edXML:Subject>Hai trích yếu</edXML:Subject><edXML:Subject>",
            "duplicate_field",
            "Subject",
        ),
    ],
    ids=[
        "no-sender-id",
        "empty-code-number",
        "blank-subject",
        "date-format",
        "impossible-date",
        "impossible-time",
        "document-id-form",
        "document-id-date",
        "business-type",
        "two-subjects",
    ],
)
def test_missing_and_bad_header_fields(old, new, code, mentions):
    text = text_of(NEW)
    assert old in text
    error = refused(text.replace(old, new, 1))
    assert error.code == code and mentions in error.message


def test_a_document_without_recipients_is_refused():
    text = text_of(NEW)
    start, end = text.index("<edXML:To>"), text.rindex("</edXML:To>") + len("</edXML:To>")
    assert refused(text[:start] + text[end:]).code == "missing_field"


def test_a_status_without_its_document_or_time_is_refused():
    text = text_of(STATUS)
    no_id = text.replace(
        "<edXML:DocumentId>000.00.23.H19,2026/11/20,45/SYT-VP</edXML:DocumentId>", ""
    )
    assert refused(no_id).code == "missing_field"
    assert refused(
        text.replace("<edXML:Timestamp>2026/11/20 09:31:12</edXML:Timestamp>", "")
    ).code == ("missing_field")


def _with_payload(encoded: str, name: str = "cong_van.pdf") -> str:
    text = text_of(NEW)
    start = text.index('QCVN_102_2016">', text.index("<edXML:ContentTransferEncoded")) + len(
        'QCVN_102_2016">'
    )
    end = text.index("</edXML:ContentTransferEncoded>")
    return (text[:start] + encoded + text[end:]).replace("45_SYT-VP_lien_thong.pdf", name)


def _zip(*files: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_bad_base64_is_refused():
    assert refused(_with_payload("@@@ không phải base64 @@@")).code == "bad_base64"
    assert refused(_with_payload("")).code == "missing_field"


def test_a_damaged_zip_is_refused():
    damaged = _zip(("a.pdf", b"%PDF-1.7 " * 1000))
    damaged = damaged[:40] + bytes(200) + damaged[240:]
    assert refused(_with_payload(base64.b64encode(damaged).decode())).code == "bad_zip"
    truncated = b"PK\x03\x04" + bytes(30)
    assert refused(_with_payload(base64.b64encode(truncated).decode())).code == "bad_zip"


def test_a_zip_bomb_stops_at_the_limit():
    limit = 1024 * 1024
    bomb = _zip(("bom.pdf", bytes(20 * limit)))  # 20 MB of zeros in ~20 KB
    data = _with_payload(base64.b64encode(bomb).decode()).encode()
    assert len(data) < limit
    started = time.monotonic()
    error = refused(data, max_bytes=limit)
    assert error.code == "attachment_too_large"
    assert time.monotonic() - started < 2


def test_attachments_share_one_budget():
    limit = 1024 * 1024
    half = _zip(("a.pdf", b"%PDF-" + bytes(limit // 2)))
    text = _with_payload(base64.b64encode(half).decode())
    start = text.index("<Attachment>")
    end = text.index("</AttachmentEncoded>")
    twice = text[:end] + text[start:end] + text[end:]
    assert parse_message(text.encode(), max_bytes=limit).attachments[0].size == limit // 2 + 5
    assert refused(twice, max_bytes=limit).code == "attachment_too_large"


def test_a_zip_of_several_files_is_kept_as_it_came():
    """The SDK's wrapper holds one file; a ZIP of several is the attachment itself (no bomb
    risk: nothing is unpacked)."""
    several = _zip(("a.pdf", b"%PDF-1"), ("b.pdf", b"%PDF-2"))
    [attachment] = parse_message(
        _with_payload(base64.b64encode(several).decode(), "ho_so.zip").encode()
    ).attachments
    assert (attachment.encoding, attachment.sniffed_type, attachment.data) == (
        "base64",
        "application/zip",
        several,
    )


def test_a_nesting_bomb_stops_at_once():
    """edXML nests about ten levels; a message nesting a million is refused at the limit, not
    after building the whole tree (seconds of CPU for a few megabytes)."""
    depth = 1_000_000
    data = f'<edXML xmlns="{NS}">'.encode() + b"<a>" * depth + b"</a>" * depth + b"</edXML>"
    started = time.monotonic()
    assert refused(data, max_bytes=len(data)).code == "too_deep"
    assert time.monotonic() - started < 0.5
