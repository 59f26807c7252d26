"""Shared fixtures of the signing tests: a real test PKI served over local HTTP.

Session-scoped (built once, about 2 s):
- `test_pki` → tools.testpki.pki.TestPki: `root_cert`, `interm_cert`, `tsa_cert`,
  `untrusted_root_cert` (asn1crypto certificates), `root_pem`/`root_pem_path`,
  `untrusted_root_pem`/`untrusted_root_pem_path`, `tsa_url`, `ocsp_url`, `crl_urls`,
  `base_url`, `directory`, the certomancer architectures `trusted`/`untrusted`, and
  `signers[name]` → SignerMaterial (`cert`, `chain`, `cert_pem`, `key_pem`, `cert_path`,
  `key_path`, `pkcs12` bytes, `pkcs12_path`, `passphrase`, `subject`, `common_name`) for
  "director", "head", "specialist" (people: digitalSignature + nonRepudiation), "org"
  (organisation seal), "revoked", "expired", "no_key_usage" (keyEncipherment only) and
  "untrusted" (chains to a second root that nobody trusts).
- `pki_server` → the running tools.testpki.pki.PkiServer (`base_url`, `host`, `port`),
  a real HTTP server on 127.0.0.1 with an ephemeral port, serving TSA, OCSP and CRLs.
- `tsa_url` → str, the RFC 3161 endpoint of the test TSA.
- `pdf_sign` → function `pdf_sign(pdf, signer="director", **options) -> bytes` that signs
  with raw pyHanko (see `sign_with_pyhanko`), for making test inputs.

Per test (database):
- `trust_root` → signing.models.TrustRoot for the test root CA (active).
- `signing_settings` → signing.models.SigningSettings (pk=1) pointing at the test TSA.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tools.testpki.pki import TestPki, start_test_pki


@pytest.fixture(scope="session")
def test_pki() -> Iterator[TestPki]:
    with tempfile.TemporaryDirectory(prefix="edoc-testpki-") as directory:
        pki = start_test_pki(Path(directory))
        try:
            yield pki
        finally:
            pki.stop()


@pytest.fixture(scope="session")
def pki_server(test_pki: TestPki):
    return test_pki.server


@pytest.fixture(scope="session")
def tsa_url(test_pki: TestPki) -> str:
    return test_pki.tsa_url


@pytest.fixture
def trust_root(db, test_pki: TestPki):
    from signing.models import TrustRoot

    root = test_pki.root_cert
    return TrustRoot.objects.create(
        name="eDoc Test Root CA",
        certificate_pem=test_pki.root_pem.decode(),
        sha256_fingerprint=hashlib.sha256(root.dump()).hexdigest(),
        subject=root.subject.human_friendly,
        not_after=root["tbs_certificate"]["validity"]["not_after"].native,
        is_active=True,
    )


@pytest.fixture
def signing_settings(db, tsa_url: str):
    from signing.models import SigningSettings

    settings, _ = SigningSettings.objects.update_or_create(
        pk=1,
        defaults={"tsa_url": tsa_url, "fetch_revocation": True, "embed_validation_info": True},
    )
    return settings


def sign_with_pyhanko(
    pki: TestPki,
    pdf: bytes,
    signer: str = "director",
    *,
    field_name: str = "Signature1",
    timestamp: bool = True,
    embed_validation_info: bool = False,
    use_pades_lta: bool = False,
    certify: bool = False,
    docmdp_permissions=None,
    new_field: bool = True,
    embed_chain: bool = True,
) -> bytes:
    """Sign `pdf` with a test signer through raw pyHanko (PAdES, incremental update).

    timestamp: RFC 3161 signature timestamp from the test TSA (B-T).
    embed_validation_info: fetch OCSP/CRL from the test server and embed them (B-LT).
    use_pades_lta: also a document timestamp (B-LTA; implies embed_validation_info).
    certify/docmdp_permissions: a certification signature (DocMDP), e.g. MDPPerm.FILL_FORMS.
    new_field=False signs an existing empty field named field_name.
    embed_chain=False embeds only the signer's certificate (not its CAs).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.sign.fields import MDPPerm
    from pyhanko_certvalidator import ValidationContext

    from signing.validation.verify import run_coroutine

    material = pki.signers[signer]
    signer_obj = signers.SimpleSigner.load_pkcs12_data(
        material.pkcs12, other_certs=[], passphrase=material.passphrase.encode()
    )
    if not embed_chain:
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        signer_obj = signers.SimpleSigner(
            signing_cert=signer_obj.signing_cert,
            signing_key=signer_obj.signing_key,
            cert_registry=SimpleCertificateStore.from_certs([material.cert]),
        )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    validation_context = None
    if embed_validation_info or use_pades_lta:
        trust = [pki.root_cert] if signer != "untrusted" else [pki.untrusted_root_cert]
        validation_context = ValidationContext(
            trust_roots=trust, allow_fetching=True, revocation_mode="hard-fail"
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=embed_validation_info or use_pades_lta,
        use_pades_lta=use_pades_lta,
        validation_context=validation_context,
        certify=certify,
        docmdp_permissions=docmdp_permissions or MDPPerm.FILL_FORMS,
    )
    timestamper = timestamps.HTTPTimeStamper(pki.tsa_url) if timestamp or use_pades_lta else None
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer_obj,
        timestamper=timestamper,
        new_field_spec=(
            fields.SigFieldSpec(sig_field_name=field_name, on_page=0, box=(400, 60, 560, 120))
            if new_field
            else None
        ),
    )
    out = io.BytesIO()
    # not sign_pdf(): its asyncio.run() fails where a loop already runs (Playwright tests)
    run_coroutine(pdf_signer.async_sign_pdf(writer, output=out))
    return out.getvalue()


@pytest.fixture(scope="session")
def pdf_sign(test_pki: TestPki) -> Callable[..., bytes]:
    def _sign(pdf: bytes, signer: str = "director", **options) -> bytes:
        return sign_with_pyhanko(test_pki, pdf, signer, **options)

    return _sign
