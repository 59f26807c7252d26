"""Verification of signed PDFs against the real test PKI (TSA, OCSP and CRL over HTTP)."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring
from pyhanko.sign.fields import MDPPerm

from signing.models import SigningSettings, TrustRoot
from signing.validation.options import VerificationOptions, verification_options
from signing.validation.reading import PdfUnreadable
from signing.validation.report import SCHEMA
from signing.validation.verify import pdf_verify
from tests.conftest import make_pdf
from tests.signing.pdf_tools import (
    add_page_content,
    append_bytes,
    fill_field,
    flip_signed_byte,
    form_pdf,
)

REPORT_KEYS = {
    "schema",
    "verified_at",
    "file",
    "ok",
    "signature_count",
    "summary",
    "summary_en",
    "certification",
    "trust_roots",
    "fetch_revocation",
    "document_timestamps",
    "signatures",
    "error",
}
SIGNATURE_KEYS = {
    "index",
    "field",
    "kind",
    "subfilter",
    "signer",
    "chain",
    "signing_time",
    "timestamp",
    "intact",
    "valid",
    "trusted",
    "revoked",
    "revocation",
    "trust_problem",
    "coverage",
    "modified_after_signing",
    "modification_level",
    "modifications_allowed",
    "modification_note",
    "docmdp_permission",
    "ltv",
    "pades_level",
    "ades",
    "ok",
    "problems",
    "summary",
    "summary_en",
}
ETSI = "{http://uri.etsi.org/19102/v1.2.1#}"


@pytest.fixture
def trusted(test_pki) -> VerificationOptions:
    return VerificationOptions(trust_roots=(test_pki.root_cert,), fetch_revocation=True)


def test_timestamped_signature_is_valid_trusted_b_t(test_pki, pdf_sign, trusted):
    result = pdf_verify(pdf_sign(make_pdf(), "director"), trusted)

    assert result.ok and result.signature_count == 1
    assert set(result.report) == REPORT_KEYS and result.report["schema"] == SCHEMA
    signature = result.signatures[0]
    assert set(signature) == SIGNATURE_KEYS
    assert signature["intact"] and signature["valid"] and signature["trusted"]
    assert not signature["revoked"] and signature["problems"] == []
    assert signature["field"] == "Signature1" and signature["kind"] == "approval"
    assert signature["signer"]["common_name"] == "Trần Văn Hùng"
    assert [c["subject"] for c in signature["chain"]] == [
        "CN=Trần Văn Hùng, T=Giám đốc, OU=Ban Giám đốc Sở, O=Sở Y tế Đồng Nai, C=VN",
        "CN=eDoc Test Issuing CA, O=eDoc Test PKI, C=VN",
        "CN=eDoc Test Root CA, O=eDoc Test PKI, C=VN",
    ]
    assert [c["is_trust_root"] for c in signature["chain"]] == [False, False, True]
    assert signature["timestamp"]["trusted"]
    assert "Time Stamping Authority" in signature["timestamp"]["tsa"]
    assert signature["signing_time"] is not None
    assert signature["coverage"] == "ENTIRE_FILE" and signature["modification_level"] == "NONE"
    assert not signature["modified_after_signing"]
    assert signature["pades_level"] == "B-T"
    assert signature["ltv"] == {"validation_info_embedded": False, "validatable_offline": False}
    assert signature["ades"] == {
        "indication": "TOTAL_PASSED",
        "subindication": "OK",
        "process": "LTVM",
    }
    assert result.report["summary"].startswith("Hợp lệ, đáng tin cậy")
    assert result.report["summary_en"].startswith("Valid and trusted")


def test_embedded_revocation_data_makes_b_lt_verifiable_offline(test_pki, pdf_sign):
    signed = pdf_sign(make_pdf(), "director", embed_validation_info=True)
    offline = VerificationOptions(trust_roots=(test_pki.root_cert,), fetch_revocation=False)

    result = pdf_verify(signed, offline)

    signature = result.signatures[0]
    assert result.ok and signature["pades_level"] == "B-LT"
    assert signature["ltv"]["validation_info_embedded"]
    assert signature["ltv"]["validatable_offline"]
    assert signature["modification_level"] == "LTA_UPDATES"
    assert signature["coverage"] == "ENTIRE_REVISION"


def test_b_t_without_embedded_data_needs_online_revocation(test_pki, pdf_sign):
    offline = VerificationOptions(trust_roots=(test_pki.root_cert,), fetch_revocation=False)

    result = pdf_verify(pdf_sign(make_pdf(), "director"), offline)

    signature = result.signatures[0]
    assert signature["intact"] and signature["valid"] and not signature["trusted"]
    assert signature["problems"] == ["untrusted"] and not result.ok


def test_document_timestamp_makes_b_lta(pdf_sign, trusted):
    result = pdf_verify(pdf_sign(make_pdf(), "org", use_pades_lta=True), trusted)

    signature = result.signatures[0]
    assert result.ok and signature["pades_level"] == "B-LTA"
    assert signature["ades"]["process"] == "LTA"
    assert len(result.report["document_timestamps"]) == 1
    assert result.report["document_timestamps"][0]["trusted"]


def test_revoked_signer_is_flagged(pdf_sign, trusted):
    result = pdf_verify(pdf_sign(make_pdf(), "revoked"), trusted)

    signature = result.signatures[0]
    assert signature["intact"] and signature["valid"]
    assert signature["revoked"] and not signature["trusted"]
    assert signature["revocation"]["reason"] == "key_compromise"
    assert signature["revocation"]["date"].startswith("2024-06-01")
    assert signature["problems"] == ["revoked"] and not result.ok
    assert "thu hồi" in result.report["summary"]


def test_untrusted_root_is_not_trusted(test_pki, pdf_sign, trusted):
    signed = pdf_sign(make_pdf(), "untrusted")

    result = pdf_verify(signed, trusted)

    signature = result.signatures[0]
    assert signature["intact"] and signature["valid"] and not signature["trusted"]
    assert signature["trust_problem"] == "NO_CERTIFICATE_CHAIN_FOUND"
    assert signature["chain"][-1]["subject"] == "CN=Untrusted Root CA, O=Untrusted Test PKI, C=VN"
    assert not any(c["is_trust_root"] for c in signature["chain"])
    assert not result.ok

    # trusting that root for one run is enough
    both = VerificationOptions(
        trust_roots=(test_pki.root_cert, test_pki.untrusted_root_cert), fetch_revocation=True
    )
    assert pdf_verify(signed, both).signatures[0]["trusted"]


def test_nothing_is_fetched_for_certificates_outside_the_trust_roots(test_pki, pdf_sign, trusted):
    """URLs in a certificate that does not chain to a trust root are attacker-controlled on
    the public page: neither its CRL nor its issuer is fetched."""
    signed = pdf_sign(make_pdf(), "untrusted", embed_chain=False)  # its CA is only by URL
    test_pki.server.requests.clear()

    pdf_verify(signed, trusted)

    assert not [path for path in test_pki.server.requests if path.startswith("/untrusted/")]
    assert not [path for path in test_pki.server.requests if "/certs/" in path]
    # (pyhanko-certvalidator's default context would have fetched
    #  /untrusted/certs/other-root/ca.crt from the certificate's AIA extension)


@pytest.mark.parametrize(
    ("signer", "problem"),
    [("expired", "OUT_OF_BOUNDS_NO_POE"), ("no_key_usage", "CHAIN_CONSTRAINTS_FAILURE")],
)
def test_expired_or_non_signing_certificate_is_not_trusted(pdf_sign, trusted, signer, problem):
    result = pdf_verify(pdf_sign(make_pdf(), signer, timestamp=False), trusted)

    signature = result.signatures[0]
    assert signature["intact"] and not signature["trusted"]
    assert signature["trust_problem"] == problem
    assert signature["pades_level"] == "B-B" and not result.ok


def test_flipped_byte_in_signed_range_is_not_intact(pdf_sign, trusted):
    result = pdf_verify(flip_signed_byte(pdf_sign(make_pdf(), "director")), trusted)

    signature = result.signatures[0]
    assert not signature["intact"] and "not_intact" in signature["problems"]
    assert signature["ades"]["indication"] == "TOTAL_FAILED"
    assert not result.ok
    assert "không còn nguyên vẹn" in result.report["summary"].lower()


def test_content_added_after_signing_is_flagged_as_modified(pdf_sign, trusted):
    result = pdf_verify(add_page_content(pdf_sign(make_pdf(), "director")), trusted)

    signature = result.signatures[0]
    assert signature["intact"] and signature["trusted"]  # the signed revision itself is fine
    assert signature["modification_level"] == "OTHER"
    assert signature["modified_after_signing"] and signature["modifications_allowed"] is False
    assert signature["modification_note"]
    assert signature["problems"] == ["modified"] and not result.ok
    assert result.report["summary"].startswith("VĂN BẢN ĐÃ BỊ SỬA ĐỔI SAU KHI KÝ")
    assert result.report["summary_en"].startswith("THE DOCUMENT WAS MODIFIED AFTER SIGNING")


def test_bytes_appended_after_signing_are_reported_as_a_modification(pdf_sign, trusted):
    result = pdf_verify(append_bytes(pdf_sign(make_pdf(), "director")), trusted)

    signature = result.signatures[0]
    assert signature["intact"] and signature["trusted"]  # the signed revision itself is fine
    assert signature["modified_after_signing"] and signature["coverage"] == "ENTIRE_REVISION"
    assert signature["problems"] == ["modified"] and not signature["ok"] and not result.ok
    for summary in (signature["summary"], result.report["summary"]):
        assert "không bị thay đổi sau khi ký" not in summary
        assert summary.startswith("VĂN BẢN ĐÃ BỊ SỬA ĐỔI SAU KHI KÝ")
    assert "appended" in result.report["summary_en"]


@pytest.mark.parametrize(
    "make",
    [
        lambda sign: sign(make_pdf(), "director"),
        lambda sign: append_bytes(sign(make_pdf(), "director")),
        lambda sign: add_page_content(sign(make_pdf(), "director")),
        lambda sign: fill_field(
            sign(form_pdf(), "director", certify=True, docmdp_permissions=MDPPerm.FILL_FORMS),
            "number",
            "Số: 12/KH-SYT",
        ),
        lambda sign: flip_signed_byte(sign(make_pdf(), "director")),
    ],
    ids=["as-signed", "appended", "new-content", "form-filled", "flipped"],
)
def test_summaries_follow_the_report(pdf_sign, trusted, make):
    """No summary says "unchanged" for a file the report calls modified, and ok/problems/
    summaries are one function of the report's facts (recomputed from a stored copy too)."""
    import copy

    from signing.validation.verdict import report_verdict

    report = pdf_verify(make(pdf_sign), trusted).report
    verdict = report_verdict(report)
    assert verdict.ok == report["ok"]
    for entry, signature in zip(report["signatures"], verdict.signatures, strict=True):
        assert (signature.ok, list(signature.problems)) == (entry["ok"], entry["problems"])
        if entry["modified_after_signing"]:
            assert "no changes after signing" not in entry["summary_en"]
            assert "không bị thay đổi sau khi ký" not in entry["summary"]
    if any(e["modified_after_signing"] and not e["ok"] for e in report["signatures"]):
        assert "không bị thay đổi sau khi ký" not in report["summary"]
    stale = copy.deepcopy(report)  # a report stored with stale verdicts is judged afresh
    for entry in stale["signatures"]:
        entry["ok"], entry["problems"], entry["summary"] = True, [], "Hợp lệ"
    stale["ok"] = True
    assert report_verdict(stale) == verdict


def test_certification_with_form_filling_allows_numbering(pdf_sign, trusted):
    certified = pdf_sign(
        form_pdf(), "director", certify=True, docmdp_permissions=MDPPerm.FILL_FORMS
    )
    numbered = fill_field(certified, "number", "15/KH-SYT")

    result = pdf_verify(numbered, trusted)

    signature = result.signatures[0]
    assert result.ok
    assert signature["kind"] == "certification" and signature["docmdp_permission"] == "FILL_FORMS"
    assert signature["modification_level"] == "FORM_FILLING"
    assert signature["modifications_allowed"] is True
    assert result.report["certification"] == {"field": "Signature1", "permission": "FILL_FORMS"}
    assert "chỉ có thay đổi điền biểu mẫu" in result.report["summary"]


def test_certification_without_changes_refuses_form_filling(pdf_sign, trusted):
    certified = pdf_sign(
        form_pdf(), "director", certify=True, docmdp_permissions=MDPPerm.NO_CHANGES
    )

    result = pdf_verify(fill_field(certified, "number", "15"), trusted)

    signature = result.signatures[0]
    assert signature["modification_level"] == "FORM_FILLING"
    assert signature["modifications_allowed"] is False
    assert "modified" in signature["problems"] and not result.ok


def test_sequential_signatures_each_get_a_report_and_an_etsi_entry(pdf_sign, trusted):
    first = pdf_sign(make_pdf(), "specialist", field_name="Initials")
    both = pdf_sign(first, "director", field_name="Director")

    result = pdf_verify(both, trusted)

    assert result.ok and result.signature_count == 2
    assert [s["field"] for s in result.signatures] == ["Initials", "Director"]
    assert result.signatures[0]["coverage"] == "ENTIRE_REVISION"
    assert result.signatures[0]["modification_level"] in ("FORM_FILLING", "ANNOTATIONS")
    assert result.signatures[1]["coverage"] == "ENTIRE_FILE"
    assert result.report["summary"].startswith("Tất cả 2 chữ ký hợp lệ")

    xml = fromstring(result.etsi_xml.encode())
    assert xml.tag == f"{ETSI}ValidationReport"
    reports = xml.findall(f"{ETSI}SignatureValidationReport")
    assert len(reports) == 2
    indications = [
        r.find(f"{ETSI}SignatureValidationStatus/{ETSI}MainIndication").text for r in reports
    ]
    assert indications == ["urn:etsi:019102:mainindication:total-passed"] * 2
    ids = [vo.get("id") for vo in xml.iterfind(f"{ETSI}SignatureValidationObjects/*")]
    assert ids and len(ids) == len(set(ids))


def test_failed_signature_in_etsi_report(pdf_sign, trusted):
    result = pdf_verify(pdf_sign(make_pdf(), "untrusted"), trusted)

    xml = fromstring(result.etsi_xml.encode())
    status = xml.find(f"{ETSI}SignatureValidationReport/{ETSI}SignatureValidationStatus")
    assert status.find(f"{ETSI}MainIndication").text.endswith("indeterminate")
    assert status.find(f"{ETSI}SubIndication").text.endswith("NO_CERTIFICATE_CHAIN_FOUND")


def test_unsigned_pdf_has_no_signature(trusted):
    result = pdf_verify(make_pdf(), trusted)

    assert result.signature_count == 0 and not result.ok and result.etsi_xml == ""
    assert result.report["summary"] == "Văn bản PDF không có chữ ký số."


def test_an_unsigned_pdf_is_not_read_by_pyhanko(trusted, pdf_sign, monkeypatch):
    """Most incoming PDFs hold no signature: PDFium counts them at C speed and pyHanko's
    reader (Python, the whole cross-reference table) is left out; a signed one is read."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    opened: list[int] = []
    original = PdfFileReader.__init__

    def counted(self, *args, **kwargs):
        opened.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(PdfFileReader, "__init__", counted)
    unsigned, signed = make_pdf(), pdf_sign(make_pdf(), "org")
    opened.clear()
    result = pdf_verify(unsigned, trusted)
    assert result.signature_count == 0 and result.report["signatures"] == []
    assert opened == []
    assert pdf_verify(signed, trusted).signature_count == 1 and opened
    from edoc.pdfcheck import pdf_signature_count

    assert (pdf_signature_count(unsigned), pdf_signature_count(signed)) == (0, 1)
    assert pdf_signature_count(b"%PDF-1.7 not a pdf") is None  # then pyHanko decides


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"GIF89a not a pdf", "not_pdf"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog", "damaged"),
        (make_pdf()[:700], "damaged"),
        (make_pdf(encrypt_with="secret"), "encrypted"),
    ],
)
def test_unreadable_files_raise_with_a_code(trusted, content, code):
    with pytest.raises(PdfUnreadable) as caught:
        pdf_verify(content, trusted)
    assert caught.value.code == code and caught.value.message


@pytest.mark.django_db
def test_options_come_from_active_trust_roots_and_settings(test_pki, trust_root):
    TrustRoot.objects.create(
        name="inactive",
        certificate_pem=test_pki.untrusted_root_pem.decode(),
        sha256_fingerprint=test_pki.untrusted_root_cert.sha256.hex(),
        is_active=False,
    )
    SigningSettings.objects.create(pk=1, fetch_revocation=False)

    options = verification_options()

    assert [r.sha256 for r in options.trust_roots] == [test_pki.root_cert.sha256]
    assert options.fetch_revocation is False
    extra = verification_options([test_pki.untrusted_root_cert])
    assert len(extra.trust_roots) == 2
