# ruff: noqa: F811 (pytest fixtures imported from signing_support are parameters here)
"""Signing outgoing documents for real: PKCS#12, SoftHSM2 token, remote signer subprocess,
TSA/OCSP/CRL of the test PKI served on loopback; verified with signing.validation."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader

from edoc.models import AuditEntry, Document, DocumentFile, User
from edoc.models.organisation import Role
from edoc.services.files import file_read_verified
from signing import fields as pdf_fields
from signing.backends import Pkcs12Key
from signing.models import SignatureRecord
from signing.services.pdf import SigningPolicy, run, sign_pdf_bytes
from signing.stamps import PersonalStamp
from signing.validation.options import VerificationOptions
from signing.validation.verify import pdf_verify
from tests.conftest import make_pdf
from tests.signing.signing_support import (  # noqa: F401 (fixtures)
    REMOTE_PINS,
    _english,
    _no_token_unless_asked,
    in_signing,
    new_draft,
    open_item,
    org_token,
    pkcs12_data,
    registered_signers,
    remote_configured,
    remote_signer,
    shipped,
    softhsm_token,
)
from workflows.models import ProcessDefinition
from workflows.services.definitions import definition_create, version_publish
from workflows.services.processes import work_item_complete


def verify(test_pki, content: bytes):
    return pdf_verify(content, VerificationOptions(trust_roots=(test_pki.root_cert,)))


def latest_content(document: Document) -> bytes:
    return file_read_verified(Document.objects.get(pk=document.pk).latest_file())


@pytest.mark.django_db
def test_pkcs12_signature_is_valid_trusted_and_certifies(
    in_signing, users, test_pki, trust_root, signing_settings
):
    document, sign = in_signing
    before = document.latest_file()
    work_item_complete(user=users["director"], work_item=sign, data=pkcs12_data(test_pki))

    document.refresh_from_db()
    assert document.status == Document.Status.READY
    record = SignatureRecord.objects.get(document=document)
    assert record.kind == SignatureRecord.Kind.CERTIFICATION
    assert record.key_source == SignatureRecord.KeySource.PKCS12
    assert record.signer == users["director"]
    assert record.field_name == "edoc_sig_sign"
    assert record.level == "B-LT"  # TSA configured and OCSP reachable
    assert "Trần Văn Hùng" in record.certificate_subject
    assert record.source_file == before and record.signed_file.version == before.version + 1
    assert record.signed_file == document.latest_file()

    report = verify(test_pki, latest_content(document)).report
    assert report["ok"], report["summary_en"]
    (signature,) = report["signatures"]
    assert signature["intact"] and signature["valid"] and signature["trusted"]
    assert signature["timestamp"]["valid"]
    assert signature["kind"] == "certification"
    assert signature["docmdp_permission"] == "FILL_FORMS"
    assert signature["ltv"]["validation_info_embedded"]

    # Number, date and every signature field were placed before this first signature.
    reader = PdfFileReader(io.BytesIO(latest_content(document)))
    names = pdf_fields.field_names(reader)
    assert names == {
        "edoc_number": False,
        "edoc_issue_date": False,
        "edoc_sig_sign": True,
        "edoc_seal": False,
    }


@pytest.mark.django_db
def test_b_b_without_tsa_and_b_t_without_revocation_data(
    in_signing, users, test_pki, trust_root, signing_settings
):
    document, sign = in_signing
    signing_settings.tsa_url = ""
    signing_settings.save()
    work_item_complete(user=users["director"], work_item=sign, data=pkcs12_data(test_pki))
    assert SignatureRecord.objects.get(document=document).level == "B-B"

    signing_settings.tsa_url = test_pki.tsa_url
    signing_settings.fetch_revocation = False
    signing_settings.save()
    now = datetime.datetime.now(datetime.UTC)
    material = test_pki.signers["head"]
    signed = run(
        sign_pdf_bytes(
            make_pdf(["Bản khác"]),
            Pkcs12Key(material.pkcs12, material.passphrase),
            field_name="edoc_sig_sign",
            plan=pdf_fields.FieldPlan(),
            stamp=PersonalStamp(name="Phạm Thị Hoa", position="Trưởng phòng", signed_at=now),
            policy=SigningPolicy.load(),
            now=now,
        )
    )
    assert signed.level == "B-T"


def two_signer_definition(admin: User) -> ProcessDefinition:
    clerks = {"rule": "role", "role": "clerk", "unit": "agency"}
    graph = {
        "start": "draft",
        "steps": [
            {"id": "draft", "name": "Soạn thảo", "type": "user", "action": "submit",
             "assignee": {"rule": "initiator"}, "next": "sign_head"},
            {"id": "sign_head", "name": "Trưởng phòng ký nháy", "type": "user", "action": "sign",
             "assignee": {"rule": "role", "role": "unit_head", "unit": "owner_unit"},
             "next": "sign"},
            {"id": "sign", "name": "Giám đốc ký", "type": "user", "action": "sign",
             "assignee": {"rule": "signer"}, "next": "issue"},
            {"id": "issue", "name": "Văn thư phát hành", "type": "user", "action": "issue",
             "assignee": clerks, "next": "done"},
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }  # fmt: skip
    definition = definition_create(
        user=admin, key="two-signers", name="Hai người ký", subject_kind="outgoing", graph=graph
    )
    version_publish(user=admin, definition=definition)
    ProcessDefinition.objects.filter(pk=definition.pk).update(auto_start=True)
    return definition


@pytest.mark.django_db
def test_two_sequential_signatures_stay_valid_then_number_and_seal(
    users,
    units,
    catalogs,
    pdf_bytes,
    test_pki,
    trust_root,
    signing_settings,
    org_token,
    registered_signers,
):
    from edoc.services.documents import outgoing_submit

    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    two_signer_definition(admin)
    document = new_draft(users, catalogs, pdf_bytes(["KẾ HOẠCH", "Về việc thử nghiệm"]))
    outgoing_submit(user=users["specialist"], document=document)

    work_item_complete(
        user=users["head"],
        work_item=open_item(document, "sign_head"),
        data=pkcs12_data(test_pki, "head"),
    )
    document.refresh_from_db()
    assert document.status == Document.Status.IN_REVIEW  # the director has not signed yet
    work_item_complete(
        user=users["director"], work_item=open_item(document, "sign"), data=pkcs12_data(test_pki)
    )
    document.refresh_from_db()
    assert document.status == Document.Status.READY

    report = verify(test_pki, latest_content(document)).report
    assert report["ok"], report["summary_en"]
    head, director = report["signatures"]
    assert head["field"] == "edoc_sig_sign_head" and head["kind"] == "certification"
    assert director["field"] == "edoc_sig_sign" and director["kind"] == "approval"
    assert head["modification_level"] in ("FORM_FILLING", "LTA_UPDATES")

    # The clerk numbers and issues: the number and date go into the prepared fields, then the
    # organisation seal from the SoftHSM2 token is applied.
    work_item_complete(user=users["clerk"], work_item=open_item(document, "issue"))
    document.refresh_from_db()
    assert document.status == Document.Status.ISSUED and document.symbol == "01/KH-SYT"
    versions = list(document.files.order_by("version"))
    assert len(versions) == 5  # upload, head, director, numbered, sealed
    assert "01/KH-SYT" in versions[3].comment

    seal = SignatureRecord.objects.get(document=document, kind=SignatureRecord.Kind.ORGANISATION)
    assert seal.key_source == SignatureRecord.KeySource.PKCS11
    assert seal.signer == users["clerk"] and seal.field_name == "edoc_seal"
    assert "Sở Y tế Đồng Nai" in seal.certificate_subject

    content = latest_content(document)
    report = verify(test_pki, content).report
    assert report["ok"], report["summary_en"]
    head, director, sealed = report["signatures"]
    assert director["modification_level"] == "FORM_FILLING"  # numbering only filled a form
    assert director["modifications_allowed"] is True
    assert sealed["field"] == "edoc_seal" and sealed["trusted"]

    reader = PdfFileReader(io.BytesIO(content))
    form = {str(f.get_object()["/T"]): f.get_object() for f in reader.root["/AcroForm"]["/Fields"]}
    assert str(form["edoc_number"]["/V"]) == "Số: 01/KH-SYT"
    assert str(form["edoc_issue_date"]["/V"]).startswith("Đồng Nai, ngày ")

    audit = set(
        AuditEntry.objects.filter(object_id=str(document.pk)).values_list("action", flat=True)
    )
    assert {"signing.sign", "signing.key_use", "signing.number_fill"} <= audit

    # One flipped byte in the signed range and verification fails.
    flipped = bytearray(content)
    position = content.index(b"/Type /Catalog") if b"/Type /Catalog" in content else 200
    flipped[position + 1] ^= 0x01
    assert not verify(test_pki, bytes(flipped)).ok


@pytest.mark.django_db
def test_remote_signing_through_the_signer_process(
    in_signing, users, test_pki, trust_root, signing_settings, remote_configured
):
    document, sign = in_signing
    work_item_complete(
        user=users["director"],
        work_item=sign,
        data={"method": "remote", "pin": REMOTE_PINS["giamdoc"]},
    )
    record = SignatureRecord.objects.get(document=document)
    assert record.key_source == SignatureRecord.KeySource.REMOTE
    assert record.level == "B-LT"
    report = verify(test_pki, latest_content(document)).report
    assert report["ok"], report["summary_en"]
    entry = AuditEntry.objects.get(action="signing.key_use", object_id=str(document.pk))
    assert entry.details["key"] == "remote (CSC API)" and entry.details["credential"] == "giamdoc-1"
    assert REMOTE_PINS["giamdoc"] not in str(entry.details)


@pytest.mark.django_db
def test_remote_signing_with_a_wrong_pin_is_refused(
    in_signing, users, test_pki, trust_root, signing_settings, remote_configured
):
    document, sign = in_signing
    with pytest.raises(ValidationError) as caught:
        work_item_complete(
            user=users["director"], work_item=sign, data={"method": "remote", "pin": "000000"}
        )
    assert caught.value.message_dict == {"pin": ["The remote signing service refused the PIN."]}
    assert not SignatureRecord.objects.filter(document=document).exists()


@pytest.mark.django_db
def test_seal_level_b_lta_when_enabled(
    in_signing, users, test_pki, trust_root, signing_settings, org_token, settings
):
    settings.EDOC_SIGNING_LTA = "1"
    document, sign = in_signing
    work_item_complete(user=users["director"], work_item=sign, data=pkcs12_data(test_pki))
    assert SignatureRecord.objects.get(document=document).level == "B-LTA"
    report = verify(test_pki, latest_content(document)).report
    assert report["ok"] and report["document_timestamps"]


@pytest.mark.django_db
def test_documents_not_prepared_for_signing_issue_as_before(
    in_signing, users, test_pki, signing_settings
):
    """An outgoing document issued without signatures keeps its file: nothing to fill."""
    from edoc.services.documents import outgoing_approve, outgoing_issue

    document, sign = in_signing
    outgoing_approve(user=users["director"], document=document)
    outgoing_issue(user=users["clerk"], document=Document.objects.get(pk=document.pk))
    assert DocumentFile.objects.filter(document=document).count() == 1


def signature_picture() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (300, 120), "white")
    ImageDraw.Draw(picture).line([(10, 90), (80, 20), (150, 100), (290, 30)], fill="navy", width=6)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_signature_picture_in_the_stamp(in_signing, users, test_pki, trust_root, signing_settings):
    document, sign = in_signing
    work_item_complete(
        user=users["director"],
        work_item=sign,
        data={**pkcs12_data(test_pki), "signature_image": signature_picture()},
    )
    content = latest_content(document)
    assert verify(test_pki, content).ok
    reader = PdfFileReader(io.BytesIO(content))
    (field,) = [
        f.get_object()
        for f in reader.root["/AcroForm"]["/Fields"]
        if str(f.get_object()["/T"]) == "edoc_sig_sign"
    ]
    appearance = field["/AP"]["/N"]
    images = [
        xobject
        for xobject in appearance["/Resources"]["/XObject"].values()
        if xobject.get_object().get("/Subtype") == "/Image"
    ]
    assert images and "/SMask" in images[0].get_object()  # white made transparent


def test_fields_go_where_the_draft_leaves_room():
    """A Decree 30 draft (edoc.pdfgen): the number and date fields cover the header's blank
    "Số:      /KH-SYT" and date lines, the signature sits between the title and the name."""
    import dataclasses

    import pdfplumber

    from edoc.pdfgen import render_pdf, sample_document

    draft = render_pdf(dataclasses.replace(sample_document(), number="", date=None))
    hints = pdf_fields.detect_layout(draft)
    with pdfplumber.open(io.BytesIO(draft)) as pdf:
        first, last = pdf.pages[0], pdf.pages[-1]
        number_line = next(w for w in first.extract_words() if w["text"] == "Số:")
        title = next(w for w in last.extract_words() if w["text"] == "GIÁM" and w["x0"] > 300)
        name = next(w for w in last.extract_words() if w["text"] == "Hải")
        height = first.height
    x1, y1, x2, y2 = hints[pdf_fields.NUMBER_FIELD].box
    assert x1 < number_line["x0"] and y1 < height - number_line["bottom"] < y2
    assert hints[pdf_fields.DATE_FIELD].box[0] > first.width / 2
    x1, y1, x2, y2 = hints[pdf_fields.MAIN_FIELD_HINT].box
    assert height - name["top"] <= y1 < y2 <= height - title["bottom"]
    assert x1 < name["x0"] < x2
