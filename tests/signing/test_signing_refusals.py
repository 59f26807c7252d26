# ruff: noqa: F811 (pytest fixtures imported from signing_support are parameters here)
"""Bad input: each refusal has a clear message and leaves the document exactly as it was (no
new version, no stored file, no signature record, the task still open)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from pyhanko.sign.fields import MDPPerm

from edoc.models import Document, DocumentFile
from edoc.services.files import StoredBlob, ValidatedPdf
from signing.models import SignatureRecord
from tests.conftest import make_pdf
from tests.signing.signing_support import (  # noqa: F401 (fixtures)
    _english,
    in_signing,
    new_draft,
    open_item,
    pkcs12_data,
    registered_signers,
    shipped,
    stored_blobs,
    to_signing,
)
from workflows.models import WorkItem
from workflows.services.processes import work_item_complete


def snapshot(document: Document) -> dict:
    return {
        "files": list(
            DocumentFile.objects.filter(document=document).values_list("version", "sha256")
        ),
        "blobs": stored_blobs(),
        "records": SignatureRecord.objects.filter(document=document).count(),
        "status": Document.objects.get(pk=document.pk).status,
    }


def refused(users, document: Document, item: WorkItem, data: dict) -> ValidationError:
    before = snapshot(document)
    with pytest.raises(ValidationError) as caught:
        work_item_complete(user=users["director"], work_item=item, data=data)
    assert snapshot(document) == before
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.OPEN
    return caught.value


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("signer", "passphrase", "field", "message"),
    [
        (
            "director",
            "not-the-passphrase",
            "passphrase",
            "The passphrase is wrong, or the file is not a PKCS#12 key file.",
        ),
        (
            "expired",
            None,
            None,
            "The certificate of Common Name: Đỗ Thị Hết Hạn, Organization: Sở Y tế Đồng Nai, "
            "Country: VN expired on",
        ),
        ("revoked", None, None, "has been revoked"),
        ("no_key_usage", None, None, "is not meant for signing"),
        ("untrusted", None, None, "not issued by a certification authority this agency trusts"),
    ],
)
def test_bad_keys_are_refused(
    in_signing,
    users,
    test_pki,
    trust_root,
    signing_settings,
    signer,
    passphrase,
    field,
    message,
):
    document, item = in_signing
    error = refused(users, document, item, pkcs12_data(test_pki, signer, passphrase))
    if field:
        assert error.message_dict == {field: [message]}
    else:
        assert message in " ".join(error.messages)


@pytest.mark.django_db
def test_missing_key_file_is_a_form_error(in_signing, users, test_pki):
    document, item = in_signing
    error = refused(users, document, item, {"method": "pkcs12", "pkcs12_data": b"not a key"})
    assert error.message_dict == {
        "passphrase": ["The passphrase is wrong, or the file is not a PKCS#12 key file."]
    }
    error = refused(users, document, item, {})
    assert error.messages == ["Choose how to sign: with your key file or by remote signing."]


@pytest.mark.django_db
def test_tsa_that_does_not_answer(in_signing, users, test_pki, trust_root, signing_settings):
    signing_settings.tsa_url = "http://127.0.0.1:9/tsa"  # nothing listens on the discard port
    signing_settings.save()
    document, item = in_signing
    error = refused(users, document, item, pkcs12_data(test_pki))
    assert error.messages == [
        "The timestamp authority (http://127.0.0.1:9/tsa) did not answer; nothing was signed."
    ]


def replace_file(document: Document, content: bytes, user) -> None:
    """Put a file in the draft that the upload checks would have refused (another way in)."""
    pdf = ValidatedPdf(
        content=content,
        name="x.pdf",
        sha256=__import__("hashlib").sha256(content).hexdigest(),
        page_count=1,
    )
    with StoredBlob(pdf) as blob, transaction.atomic():
        last = document.files.order_by("-version").first()
        DocumentFile.objects.create(
            document=document,
            version=last.version + 1,
            file=blob.name,
            original_name="x.pdf",
            size=pdf.size,
            sha256=pdf.sha256,
            page_count=1,
            uploaded_by=user,
        )


@pytest.mark.django_db
def test_encrypted_pdf_is_refused(in_signing, users, test_pki, trust_root, signing_settings):
    document, item = in_signing
    replace_file(document, make_pdf(["Mật"], encrypt_with="secret"), users["specialist"])
    error = refused(users, document, item, pkcs12_data(test_pki))
    assert error.messages == ["The PDF is encrypted or password-protected; it cannot be signed."]


@pytest.mark.django_db
def test_pdf_certified_with_no_changes_allowed_is_refused(
    shipped, users, catalogs, test_pki, trust_root, signing_settings, pdf_sign
):
    locked = pdf_sign(
        make_pdf(["Đã chứng thực"]),
        "head",
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
        timestamp=False,
    )
    document = new_draft(users, catalogs, locked)
    item = to_signing(users, document)
    error = refused(users, document, item, pkcs12_data(test_pki))
    assert error.messages == [
        "The document was certified by its author with no changes allowed; it cannot be "
        "signed again."
    ]


@pytest.mark.django_db
def test_signed_by_others_without_our_field_gets_its_own_field(
    shipped, users, catalogs, test_pki, trust_root, signing_settings, pdf_sign, registered_signers
):
    """An approval-signed PDF (no certification) can take one more signature."""
    document = new_draft(users, catalogs, pdf_sign(make_pdf(["Đã ký"]), "head", timestamp=False))
    item = to_signing(users, document)
    work_item_complete(user=users["director"], work_item=item, data=pkcs12_data(test_pki))
    record = SignatureRecord.objects.get(document=document)
    assert record.kind == SignatureRecord.Kind.PERSONAL and record.field_name == "edoc_sig_sign"


@pytest.mark.django_db
def test_damaged_stored_file_is_refused(
    shipped, users, catalogs, test_pki, trust_root, signing_settings
):
    from django.core.files.storage import default_storage

    # A file of its own: stored files are shared by content, other tests must not see it.
    document = new_draft(users, catalogs, make_pdf(["Tệp sẽ bị sửa trong kho lưu trữ"]))
    item = to_signing(users, document)
    name = document.latest_file().file.name
    with default_storage.open(name, "rb") as handle:
        original = handle.read()
    default_storage.delete(name)
    default_storage.save(name, io.BytesIO(b"%PDF-1.4 tampered"))
    try:
        error = refused(users, document, item, pkcs12_data(test_pki))
    finally:
        default_storage.delete(name)
        default_storage.save(name, io.BytesIO(original))
    assert "no longer matches its recorded checksum" in error.messages[0]
