"""The test PKI itself: certificates, served TSA/OCSP/CRL, signatures pyHanko accepts."""

from __future__ import annotations

import io
import urllib.request

from asn1crypto import crl, tsp

from tests.conftest import make_pdf


def test_certificates_have_the_promised_shape(test_pki):
    director = test_pki.signers["director"]
    assert director.common_name == "Trần Văn Hùng"
    assert director.cert.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert [c.subject for c in director.chain] == [
        test_pki.interm_cert.subject,
        test_pki.root_cert.subject,
    ]
    assert director.cert.ocsp_urls == [test_pki.ocsp_url]
    assert test_pki.signers["no_key_usage"].cert.key_usage_value.native == {"key_encipherment"}
    assert test_pki.signers["untrusted"].chain[-1].subject == test_pki.untrusted_root_cert.subject
    assert test_pki.signers["director"].pkcs12_path.read_bytes() == director.pkcs12


def test_server_answers_crl_and_tsa(test_pki, pki_server):
    assert test_pki.base_url == pki_server.base_url
    with urllib.request.urlopen(test_pki.crl_urls["interm"], timeout=5) as response:  # noqa: S310
        revoked = crl.CertificateList.load(response.read())["tbs_cert_list"]["revoked_certificates"]
    serials = {entry["user_certificate"].native for entry in revoked}
    assert test_pki.signers["revoked"].cert.serial_number in serials
    assert test_pki.signers["director"].cert.serial_number not in serials

    from pyhanko.sign.timestamps import HTTPTimeStamper

    from signing.validation.verify import run_coroutine

    stamper = HTTPTimeStamper(test_pki.tsa_url)
    token = run_coroutine(stamper.async_timestamp(b"\x00" * 32, "sha256"))
    assert token["content_type"].native == "signed_data"
    assert isinstance(
        tsp.TSTInfo.load(token["content"]["encap_content_info"]["content"].parsed.dump()),
        tsp.TSTInfo,
    )


def test_pyhanko_validates_a_b_lt_signature(test_pki, pdf_sign):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from signing.validation.verify import run_coroutine

    signed = pdf_sign(make_pdf(), "director", embed_validation_info=True)
    reader = PdfFileReader(io.BytesIO(signed))
    context = ValidationContext(
        trust_roots=[test_pki.root_cert], revocation_mode="hard-fail", allow_fetching=True
    )
    status = run_coroutine(async_validate_pdf_signature(reader.embedded_signatures[0], context))
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
