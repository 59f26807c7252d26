# ruff: noqa: F811 (pytest fixtures imported from signing_support are parameters here)
"""Issue 9 #2: a signature is bound to the signing user. Certificates are registered to accounts
(by an administrator, or by their holder with the administrator's approval); a key whose
certificate is not registered and approved for the signer is refused, changes nothing and is
audited; the visible stamp names the certificate's holder. Real test PKI, real services."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from edoc.models import AuditEntry, Document
from edoc.services.files import file_read_verified
from signing.backends import Pkcs12Key, RemoteKey
from signing.errors import SigningRefused
from signing.models import SignatureRecord, SignerCertificate
from signing.services.signing import sign_document
from signing.signer_certificates import (
    signer_certificate_decide,
    signer_certificate_read,
    signer_certificate_request,
    signer_certificate_withdraw,
)
from tests.signing.pdf_tools import visible_text
from tests.signing.signing_support import (  # noqa: F401 (fixtures)
    REMOTE_PINS,
    _english,
    _no_token_unless_asked,
    certificate_admin,
    in_signing,
    open_item,
    pkcs12_data,
    register_certificate,
    registered_signers,
    remote_configured,
    remote_signer,
    shipped,
)
from tests.signing.test_signing_refusals import refused, snapshot
from workflows.models import WorkItem
from workflows.services.processes import work_item_complete

Status = SignerCertificate.Status


def refusals(document: Document) -> list[dict]:
    return list(
        AuditEntry.objects.filter(action="signing.refused", object_id=str(document.pk))
        .order_by("pk")
        .values_list("details", flat=True)
    )


def refused_directly(users, document: Document, item: WorkItem, key) -> SigningRefused:
    """`sign_document` itself (outside the task's transaction, so its refusal audit entry is
    kept as it is behind a request): refused, nothing changed, the task still open."""
    before = snapshot(document)
    with pytest.raises(SigningRefused) as caught:
        sign_document(user=users["director"], document=document, key=key, work_item=item)
    assert snapshot(document) == before
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.OPEN
    return caught.value


def pkcs12_key(test_pki, name: str) -> Pkcs12Key:
    return Pkcs12Key(test_pki.signers[name].pkcs12, test_pki.signers[name].passphrase)


def latest_content(document: Document) -> bytes:
    return file_read_verified(Document.objects.get(pk=document.pk).latest_file())


# --------------------------------------------------------------------------- signing


@pytest.mark.django_db
def test_another_persons_key_is_refused_changes_nothing_and_is_audited(
    in_signing, users, test_pki, trust_root, signing_settings
):
    document, sign = in_signing
    refused(users, document, sign, pkcs12_data(test_pki, "head"))  # through the task
    error = refused_directly(users, document, sign, pkcs12_key(test_pki, "head"))

    assert error.messages == [
        "The key belongs to Phạm Thị Hoa (certificate serial "
        f"{test_pki.signers['head'].cert.serial_number:X}), which is not a certificate "
        "registered to your account. Sign with your own certificate, registered and approved "
        "under “Signing certificates”."
    ]
    (refusal,) = refusals(document)
    assert refusal["reason"] == "certificate_not_registered"
    assert refusal["certificate_sha256"] == test_pki.signers["head"].cert.sha256.hex()
    assert "Phạm Thị Hoa" in refusal["certificate"] and refusal["key_source"] == "pkcs12"
    assert "passphrase" not in refusal or refusal["passphrase"] == "***"

    # With their own registered key the director signs.
    work_item_complete(user=users["director"], work_item=sign, data=pkcs12_data(test_pki))
    record = SignatureRecord.objects.get(document=document)
    assert record.signer == users["director"] and "Trần Văn Hùng" in record.certificate_subject


@pytest.mark.django_db
def test_the_sign_page_refuses_another_persons_key_in_vietnamese(
    in_signing, users, test_pki, trust_root, signing_settings
):
    document, sign = in_signing
    client = Client()
    client.force_login(users["director"])
    before = snapshot(document)
    key = io.BytesIO(test_pki.signers["specialist"].pkcs12)
    key.name = "chuyenvien.p12"

    response = client.post(
        reverse("signing_sign:document_sign", args=[document.pk]),
        {
            "action-method": "pkcs12",
            "action-pkcs12_file": key,
            "action-passphrase": test_pki.signers["specialist"].passphrase,
        },
        HTTP_ACCEPT_LANGUAGE="vi",
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Võ Thành Nam" in html
    assert "không phải chứng thư số đã đăng ký cho tài khoản của bạn" in html
    assert snapshot(document) == before
    assert WorkItem.objects.get(pk=sign.pk).status == WorkItem.Status.OPEN
    # The refusal outlives the rolled-back transaction of the task completion.
    assert [r["reason"] for r in refusals(document)] == ["certificate_not_registered"]


@pytest.mark.django_db
def test_pending_then_approved_and_withdrawn_registrations(
    in_signing, users, test_pki, trust_root, signing_settings
):
    document, sign = in_signing
    director = users["director"]
    own = SignerCertificate.objects.get(user=director)
    signer_certificate_withdraw(actor=director, record=own)  # e.g. a lost key

    error = refused_directly(users, document, sign, pkcs12_key(test_pki, "director"))
    assert "rejected or withdrawn for your account" in error.messages[0]

    request = signer_certificate_request(
        user=director, certificate=test_pki.signers["director"].cert
    )
    assert request.status == Status.PENDING
    refused(users, document, sign, pkcs12_data(test_pki))
    error = refused_directly(users, document, sign, pkcs12_key(test_pki, "director"))
    assert "still awaiting an administrator's approval" in error.messages[0]
    assert [r["reason"] for r in refusals(document)] == [
        "certificate_withdrawn",
        "certificate_pending",
    ]

    signer_certificate_decide(actor=certificate_admin(users), record=request, approve=True)
    work_item_complete(user=director, work_item=sign, data=pkcs12_data(test_pki))
    assert Document.objects.get(pk=document.pk).status == Document.Status.READY


@pytest.mark.django_db
def test_remote_signing_with_an_unapproved_certificate_is_refused(
    in_signing, users, test_pki, trust_root, signing_settings, remote_configured
):
    document, sign = in_signing
    director = users["director"]
    signer_certificate_withdraw(actor=director, record=SignerCertificate.objects.get(user=director))
    refused(users, document, sign, {"method": "remote", "pin": REMOTE_PINS["giamdoc"]})
    error = refused_directly(
        users, document, sign, RemoteKey(user_id="giamdoc", pin=REMOTE_PINS["giamdoc"])
    )

    assert "Trần Văn Hùng" in error.messages[0]
    (refusal,) = refusals(document)
    assert refusal["reason"] == "certificate_withdrawn" and refusal["key_source"] == "remote"


@pytest.mark.django_db
def test_the_stamp_names_the_certificate_holder_not_the_account(
    in_signing, users, test_pki, trust_root, signing_settings
):
    document, sign = in_signing
    director = users["director"]
    director.first_name, director.last_name, director.position = "Khác", "Tên Tài Khoản", "GĐ"
    director.save()

    work_item_complete(user=director, work_item=sign, data=pkcs12_data(test_pki))

    content = latest_content(document)
    stamp = visible_text(content)
    assert "Ký bởi: Trần Văn Hùng" in stamp  # the certificate's common name
    assert "Chức vụ: Giám đốc" in stamp  # its title
    assert "Cơ quan: Sở Y tế Đồng Nai" in stamp  # its organisation
    assert "Tên Tài Khoản" not in stamp and "GĐ" not in stamp.replace("Giám đốc", "")
    reader = PdfFileReader(io.BytesIO(content))
    (signature,) = reader.embedded_regular_signatures
    assert signature.signer_cert.subject.native["common_name"] == "Trần Văn Hùng"


# --------------------------------------------------------------------------- registration


def cert_file(test_pki, name: str = "director", kind: str = "pem") -> tuple[bytes, str]:
    material = test_pki.signers[name]
    if kind == "pem":
        return material.cert_pem, f"{name}.pem"
    if kind == "der":
        return material.cert.dump(), f"{name}.cer"
    return material.pkcs12, f"{name}.p12"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["pem", "der", "p12"])
def test_a_user_sends_their_certificate_and_waits_for_approval(users, test_pki, kind):
    data, name = cert_file(test_pki, "specialist", kind)
    passphrase = test_pki.signers["specialist"].passphrase if kind == "p12" else ""
    certificate, source = signer_certificate_read(data, file_name=name, passphrase=passphrase)

    record = signer_certificate_request(
        user=users["specialist"], certificate=certificate, source=source
    )

    assert record.status == Status.PENDING and record.requested_by == users["specialist"]
    assert record.source == ("pkcs12" if kind == "p12" else "certificate")
    assert record.sha256 == test_pki.signers["specialist"].cert.sha256.hex()
    assert record.common_name == "Võ Thành Nam" and record.title == "Chuyên viên"
    assert record.serial == f"{test_pki.signers['specialist'].cert.serial_number:X}"
    assert "PRIVATE KEY" not in record.certificate_pem  # the key is never kept
    entry = AuditEntry.objects.get(action="signing.certificate_request")
    assert (
        entry.actor == users["specialist"] and entry.details["certificate_sha256"] == record.sha256
    )


@pytest.mark.django_db
def test_approval_and_rejection_are_for_administrators_and_audited(users, test_pki):
    first = signer_certificate_request(
        user=users["specialist"], certificate=test_pki.signers["specialist"].cert
    )
    second = signer_certificate_request(
        user=users["head"], certificate=test_pki.signers["head"].cert
    )
    admin = certificate_admin(users)

    with pytest.raises(PermissionDenied):
        signer_certificate_decide(actor=users["director"], record=first, approve=True)
    with pytest.raises(ValidationError) as no_reason:
        signer_certificate_decide(actor=admin, record=second, approve=False)
    assert no_reason.value.messages == ["Give the reason for the rejection."]

    signer_certificate_decide(actor=admin, record=first, approve=True)
    signer_certificate_decide(actor=admin, record=second, approve=False, note="Sai người")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by) == (Status.APPROVED, admin)
    assert (second.status, second.decision_note) == (Status.REJECTED, "Sai người")
    with pytest.raises(ValidationError):
        signer_certificate_decide(actor=admin, record=first, approve=False, note="again")
    actions = list(
        AuditEntry.objects.filter(action__startswith="signing.certificate_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "signing.certificate_request",
        "signing.certificate_request",
        "signing.certificate_approve",
        "signing.certificate_reject",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_account", "This certificate is already registered to another account."),
        ("twice", "This certificate is already registered to this account (Approved)."),
        ("ca", "This is a certification authority's certificate"),
        ("expired", "expired on"),
        ("no_key_usage", "is not meant for signing"),
        ("garbage", "This is not a certificate file (PEM, DER, .cer)."),
        ("wrong_passphrase", "The passphrase is wrong"),
        ("no_passphrase", "enter its passphrase"),
    ],
)
def test_bad_registrations_are_refused_plainly(users, test_pki, registered_signers, case, message):
    director_cert = test_pki.signers["director"].cert
    count = SignerCertificate.objects.count()
    with pytest.raises(ValidationError) as caught:
        if case == "other_account":
            signer_certificate_request(user=users["deputy"], certificate=director_cert)
        elif case == "twice":
            register_certificate(users, users["director"], director_cert)
        elif case == "ca":
            signer_certificate_request(user=users["deputy"], certificate=test_pki.interm_cert)
        elif case in ("expired", "no_key_usage"):
            signer_certificate_request(
                user=users["deputy"], certificate=test_pki.signers[case].cert
            )
        elif case == "garbage":
            signer_certificate_read(b"not a certificate", file_name="x.cer")
        else:
            signer_certificate_read(
                test_pki.signers["director"].pkcs12,
                file_name="giamdoc.p12",
                passphrase="wrong" if case == "wrong_passphrase" else "",
            )
    assert message in " ".join(caught.value.messages)
    assert SignerCertificate.objects.count() == count


# --------------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_my_certificates_page_sends_a_key_files_certificate(users, test_pki):
    client = Client()
    client.force_login(users["deputy"])
    page = client.get(reverse("signing_sign:certificates"), HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200 and "Chứng thư số" in page.content.decode()
    assert 'id="nav-certificates"' in page.content.decode()

    key = io.BytesIO(test_pki.signers["giamdoc"].pkcs12)
    key.name = "phogiamdoc.p12"
    wrong = client.post(
        reverse("signing_sign:certificates"),
        {"certificate_file": key, "passphrase": "sai"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert wrong.status_code == 400 and SignerCertificate.objects.count() == 0
    assert "Mật khẩu" in wrong.content.decode() or "mật khẩu" in wrong.content.decode()

    key.seek(0)
    response = client.post(
        reverse("signing_sign:certificates"),
        {"certificate_file": key, "passphrase": test_pki.signers["giamdoc"].passphrase},
        HTTP_ACCEPT_LANGUAGE="vi",
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Trần Minh Đức" in html
    record = SignerCertificate.objects.get(user=users["deputy"])
    assert record.status == Status.PENDING and record.source == "pkcs12"
    assert f'id="certificate-{record.pk}" data-status="pending"' in html


@pytest.mark.django_db
def test_admin_registers_a_certificate_and_decides_requests(users, test_pki):
    admin_user = certificate_admin(users)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    der = io.BytesIO(test_pki.signers["director"].cert.dump())
    der.name = "giamdoc.cer"

    added = client.post(
        "/admin/signing/signercertificate/add/",
        {"user": users["director"].pk, "certificate_file": der},
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    registered = SignerCertificate.objects.get(user=users["director"])
    assert registered.status == Status.APPROVED and registered.source == "admin"
    assert AuditEntry.objects.filter(action="signing.certificate_register").count() == 1

    request = signer_certificate_request(
        user=users["head"], certificate=test_pki.signers["head"].cert
    )
    change = f"/admin/signing/signercertificate/{request.pk}/change/"
    no_reason = client.post(change, {"decision": "reject", "note": ""})
    assert no_reason.status_code == 200  # the form says why
    assert SignerCertificate.objects.get(pk=request.pk).status == Status.PENDING
    assert client.post(change, {"decision": "approve", "note": ""}).status_code == 302
    assert SignerCertificate.objects.get(pk=request.pk).status == Status.APPROVED
    listing = client.get("/admin/signing/signercertificate/?status__exact=approved")
    assert "Phạm Thị Hoa" in listing.content.decode()
