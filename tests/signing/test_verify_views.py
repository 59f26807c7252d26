"""The public verification page, the "Chữ ký số" panel of the document page, and the
verification of incoming PDFs at registration."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from defusedxml.ElementTree import fromstring
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import translation

from edoc.models import AuditEntry
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from signing.models import SigningSettings, TrustRoot, VerificationReport
from signing.validation.verify import pdf_verify
from tests.conftest import make_pdf
from tests.signing.pdf_tools import append_bytes, flip_signed_byte

VERIFY = "/verify/"
ETSI = "{http://uri.etsi.org/19102/v1.2.1#}"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anonymous() -> Client:
    """A browser without login that enforces CSRF like a real one."""
    return Client(enforce_csrf_checks=True)


def csrf_token(client: Client) -> str:
    response = client.get(VERIFY)
    assert response.status_code == 200
    return response.cookies["csrftoken"].value


def upload(client: Client, content: bytes, name: str = "van-ban.pdf", query: str = "", **fields):
    token = csrf_token(client)
    pdf = io.BytesIO(content)
    pdf.name = name
    # the token comes first, as in the page's form
    return client.post(VERIFY + query, {"csrfmiddlewaretoken": token, **fields, "file": pdf})


def data_url(html: str, link_id: str) -> bytes:
    match = re.search(rf'id="{link_id}" href="data:[^;]+;base64,([^"]+)"', html)
    assert match, f"no {link_id} link"
    return base64.b64decode(match.group(1))


# --------------------------------------------------------------------------- public page


@pytest.mark.django_db
def test_public_page_needs_no_login(anonymous):
    response = anonymous.get(VERIFY)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Xác thực văn bản điện tử" in html
    assert 'name="csrfmiddlewaretoken"' in html and 'type="file"' in html
    assert 'name="viewport"' in html  # mobile layout of base.html


@pytest.mark.django_db
def test_upload_shows_the_report_with_json_and_xml_downloads(anonymous, trust_root, pdf_sign):
    signed = pdf_sign(make_pdf(), "director")
    reports_before = VerificationReport.objects.count()
    stored_before = default_storage.listdir("")

    response = upload(anonymous, signed)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Trần Văn Hùng" in html
    assert "Hợp lệ, đáng tin cậy" in html
    report = json.loads(data_url(html, "download-json"))
    assert report["ok"] and report["signatures"][0]["pades_level"] == "B-T"
    xml = fromstring(data_url(html, "download-xml"))
    assert xml.tag == f"{ETSI}ValidationReport"
    # nothing uploaded is kept
    assert VerificationReport.objects.count() == reports_before
    assert default_storage.listdir("") == stored_before
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_json_and_xml_downloads_by_format(anonymous, trust_root, pdf_sign):
    signed = pdf_sign(make_pdf(), "director")

    as_json = upload(anonymous, signed, "cv.pdf", format="json")
    as_xml = upload(anonymous, signed, "cv.pdf", format="xml")

    assert as_json.status_code == 200 and as_json["Content-Type"].startswith("application/json")
    assert as_json["Content-Disposition"] == 'attachment; filename="cv-verification.json"'
    assert json.loads(as_json.content)["signature_count"] == 1
    assert as_xml.status_code == 200 and as_xml["Content-Type"].startswith("application/xml")
    assert fromstring(as_xml.content).tag == f"{ETSI}ValidationReport"


@pytest.mark.django_db
def test_tampered_file_is_reported_plainly(anonymous, trust_root, pdf_sign):
    response = upload(anonymous, flip_signed_byte(pdf_sign(make_pdf(), "director")))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Không còn nguyên vẹn" in html
    assert not json.loads(data_url(html, "download-json"))["ok"]


UNCHANGED = "không bị thay đổi sau khi ký"


@pytest.mark.django_db
def test_bytes_appended_after_signing_are_not_called_unchanged(anonymous, trust_root, pdf_sign):
    response = upload(anonymous, append_bytes(pdf_sign(make_pdf(), "director")))

    html = response.content.decode()
    report = json.loads(data_url(html, "download-json"))
    assert report["signatures"][0]["modified_after_signing"] and not report["ok"]
    assert UNCHANGED not in html
    verdict = html.split('class="sig-verdict', 1)[1].split("</p>", 1)[0]
    assert "VĂN BẢN ĐÃ BỊ SỬA ĐỔI SAU KHI KÝ" in verdict and "Bị sửa sau khi ký" in verdict
    assert 'data-ok="0"' in html


@pytest.mark.django_db
def test_panel_and_portal_follow_the_report_of_an_appended_file(
    users, catalogs, trust_root, pdf_sign, django_capture_on_commit_callbacks
):
    from onestop.portal.verification import result_verification

    content = append_bytes(pdf_sign(make_pdf(), "director"))
    with django_capture_on_commit_callbacks(execute=True):
        document = register_signed(users, catalogs, content)
    stored = VerificationReport.objects.get(document_file__document=document)
    assert not stored.all_valid and UNCHANGED not in stored.summary

    # A report stored before verdicts followed the report: judged again from its facts.
    stale = stored.report
    stale["ok"] = stale["signatures"][0]["ok"] = True
    stale["signatures"][0]["problems"] = []
    stale["summary"] = stale["signatures"][0]["summary"] = "Hợp lệ, đáng tin cậy; " + UNCHANGED
    VerificationReport.objects.filter(pk=stored.pk).update(report=stale)
    page = staff(users["clerk"]).get(reverse("edoc:document_detail", args=[document.pk]))
    panel = page.content.decode().split('id="signatures"', 1)[1]
    assert UNCHANGED not in panel and "VĂN BẢN ĐÃ BỊ SỬA ĐỔI SAU KHI KÝ" in panel
    assert "Bị sửa sau khi ký" in panel and 'data-ok="0"' in panel

    with translation.override("vi"):
        checked = result_verification(content)
    assert not checked.ok and not checked.signatures[0].ok
    assert UNCHANGED not in checked.summary and UNCHANGED not in checked.signatures[0].summary
    assert checked.summary.startswith("VĂN BẢN ĐÃ BỊ SỬA ĐỔI SAU KHI KÝ")


@pytest.mark.django_db
def test_unsigned_pdf_says_so_and_has_no_xml(anonymous, trust_root):
    response = upload(anonymous, make_pdf())

    html = response.content.decode()
    assert "Văn bản PDF không có chữ ký số." in html
    assert 'id="download-xml"' not in html
    refused = upload(anonymous, make_pdf(), format="xml")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "unsigned"


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused(anonymous, pdf_sign):
    pdf = io.BytesIO(make_pdf())
    pdf.name = "x.pdf"

    response = anonymous.post(VERIFY, {"file": pdf})

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "fields", "status", "code", "text"),
    [
        (b"not a pdf", {}, 400, "not_pdf", "không phải là tài liệu PDF"),
        (b"%PDF-1.7\n1 0 obj << /Type", {}, 400, "damaged", "bị hỏng"),
        (None, {}, 400, "no_file", "Hãy chọn tệp PDF"),
    ],
)
def test_refusals_share_one_shape(anonymous, content, fields, status, code, text):
    if content is None:
        response = anonymous.post(VERIFY, {"csrfmiddlewaretoken": csrf_token(anonymous)})
        as_json = anonymous.post(
            VERIFY, {"csrfmiddlewaretoken": csrf_token(anonymous), "format": "json"}
        )
    else:
        response = upload(anonymous, content, **fields)
        as_json = upload(anonymous, content, format="json")

    assert response.status_code == status
    html = response.content.decode()
    assert 'id="verify-error"' in html and text in html
    assert as_json.status_code == status
    assert set(as_json.json()) == {"error"}
    assert as_json.json()["error"]["code"] == code


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [1024 * 1024 + 10, 3 * 1024 * 1024], ids=["read", "header"])
def test_upload_larger_than_the_limit_is_refused(anonymous, settings, extra):
    """Just over the limit: the memory-only upload handler stops reading; far over it: the
    Content-Length alone refuses it before the body is read."""
    settings.EDOC_MAX_UPLOAD_MB = 1
    big = make_pdf() + b"%" + b"x" * extra

    response = upload(anonymous, big)
    as_json = upload(anonymous, big, query="?format=json")  # the body may never be read

    assert response.status_code == 413
    assert "1 MB" in response.content.decode()
    assert as_json.status_code == 413 and as_json.json()["error"]["code"] == "too_large"


@pytest.mark.django_db
def test_rate_limit_per_client_address(anonymous, settings):
    settings.EDOC_VERIFY_RATE_LIMIT = 3
    token = csrf_token(anonymous)

    def post(address: str):
        pdf = io.BytesIO(make_pdf())
        pdf.name = "x.pdf"
        return anonymous.post(
            VERIFY, {"file": pdf, "csrfmiddlewaretoken": token}, REMOTE_ADDR=address
        )

    statuses = [post("203.0.113.7").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    limited = post("203.0.113.7")
    assert "Bạn đã xác thực quá nhiều lần" in limited.content.decode()
    assert post("198.51.100.4").status_code == 200  # another client is not affected
    json_refusal = anonymous.post(
        VERIFY + "?format=json", {"csrfmiddlewaretoken": token}, REMOTE_ADDR="203.0.113.7"
    )
    assert json_refusal.status_code == 429
    assert json_refusal.json() == {
        "error": {
            "code": "rate_limited",
            "message": json_refusal.json()["error"]["message"],
        }
    }


# --------------------------------------------------------------------------- registration


def register_signed(users, catalogs, content: bytes):
    pdf = io.BytesIO(content)
    pdf.name = "cong-van-den.pdf"
    return incoming_register(
        user=users["clerk"],
        subject="Về việc thử nghiệm chữ ký số",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        pdf=pdf_validate(pdf, "cong-van-den.pdf"),
    )


@pytest.mark.django_db
def test_registration_verifies_the_incoming_pdf_and_stores_the_report(
    users, catalogs, trust_root, pdf_sign, django_capture_on_commit_callbacks
):
    signed = pdf_sign(make_pdf(), "org", embed_validation_info=True)

    with django_capture_on_commit_callbacks(execute=True):
        document = register_signed(users, catalogs, signed)

    document_file = document.files.get()
    report = VerificationReport.objects.get(document_file=document_file)
    assert report.trigger == VerificationReport.Trigger.REGISTRATION
    assert report.requested_by == users["clerk"]
    assert report.all_valid and report.signature_count == 1
    assert report.summary.startswith("Hợp lệ, đáng tin cậy")
    assert report.report["signatures"][0]["pades_level"] == "B-LT"
    assert report.etsi_report.startswith("<?xml")
    entry = AuditEntry.objects.filter(action="signature.verify").get()
    assert entry.object_id == str(document.pk) and entry.details["all_valid"] is True


@pytest.mark.django_db
def test_registration_of_an_unsigned_pdf_stores_a_report_too(
    users, catalogs, trust_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = register_signed(users, catalogs, make_pdf())

    report = VerificationReport.objects.get(document_file__document=document)
    assert report.signature_count == 0 and not report.all_valid
    assert report.summary == "Văn bản PDF không có chữ ký số." and report.etsi_report == ""


@pytest.mark.django_db
def test_nothing_is_verified_before_the_registration_commits(users, catalogs, trust_root):
    register_signed(users, catalogs, make_pdf())  # on_commit callbacks not run

    assert VerificationReport.objects.count() == 0


# --------------------------------------------------------------------------- document page


@pytest.fixture
def signed_document(users, catalogs, trust_root, pdf_sign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return register_signed(users, catalogs, pdf_sign(make_pdf(), "director"))


def staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_document_page_shows_the_stored_report(users, signed_document):
    response = staff(users["clerk"]).get(reverse("edoc:document_detail", args=[signed_document.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="signatures"' in html and "Chữ ký số" in html
    assert "Trần Văn Hùng" in html and "Hợp lệ, đáng tin cậy" in html
    assert 'id="reverify-v1"' in html and "Xác thực lại" in html
    assert 'id="report-json-v1"' in html and 'id="report-xml-v1"' in html


@pytest.mark.django_db
def test_staff_downloads_json_and_xml_of_the_stored_report(users, signed_document):
    client = staff(users["clerk"])
    document_file = signed_document.files.get()
    args = [signed_document.pk, document_file.pk]

    as_json = client.get(reverse("verification:report", args=[*args, "json"]))
    as_xml = client.get(reverse("verification:report", args=[*args, "xml"]))

    assert as_json.status_code == 200 and json.loads(as_json.content)["ok"]
    assert "attachment" in as_json["Content-Disposition"]
    assert fromstring(as_xml.content).tag == f"{ETSI}ValidationReport"
    assert AuditEntry.objects.filter(action="signature.report_download").count() == 2


@pytest.mark.django_db
def test_reverify_stores_a_new_report(users, signed_document):
    client = staff(users["clerk"])
    document_file = signed_document.files.get()
    url = reverse("verification:reverify", args=[signed_document.pk, document_file.pk])

    response = client.post(url)
    htmx = client.post(url, HTTP_HX_REQUEST="true")

    assert response.status_code == 302 and response["Location"].endswith("#signatures")
    assert htmx.status_code == 200 and 'id="signatures"' in htmx.content.decode()
    triggers = list(
        VerificationReport.objects.filter(document_file=document_file)
        .order_by("pk")
        .values_list("trigger", flat=True)
    )
    assert triggers == ["registration", "manual", "manual"]
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_reverify_notices_a_stored_file_that_changed(users, signed_document):
    document_file = signed_document.files.get()
    tampered = flip_signed_byte(pdf_validate_bytes(document_file))
    with default_storage.open(document_file.file.name, "wb") as handle:
        handle.write(tampered)
    url = reverse("verification:reverify", args=[signed_document.pk, document_file.pk])

    staff(users["clerk"]).post(url)

    latest = VerificationReport.objects.filter(document_file=document_file).latest()
    assert latest.report["error"]["code"] == "integrity" and not latest.all_valid


def pdf_validate_bytes(document_file) -> bytes:
    with default_storage.open(document_file.file.name, "rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_panel_actions_are_access_checked(users, signed_document):
    outsider = staff(users["other_specialist"])  # another unit: cannot see the document
    document_file = signed_document.files.get()
    args = [signed_document.pk, document_file.pk]

    assert outsider.post(reverse("verification:reverify", args=args)).status_code == 404
    assert outsider.get(reverse("verification:report", args=[*args, "json"])).status_code == 404
    anonymous = Client().get(reverse("verification:report", args=[*args, "xml"]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


# --------------------------------------------------------------------------- admin


@pytest.fixture
def admin_client_user(db, users) -> Client:
    admin_user = users["director"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    return staff(admin_user)


ADD_ROOT = "/admin/signing/trustroot/add/"


def form_errors(response) -> str:
    """The admin form's errors (what a failed assertion should show, not the page's head)."""
    adminform = (response.context or {}).get("adminform")
    errors = adminform.form.errors.as_data() if adminform else {}
    return f"{response.status_code}: {errors!r}; roots in the database: " + repr(
        list(TrustRoot.objects.values_list("name", "sha256_fingerprint"))
    )


@pytest.mark.django_db
def test_admin_uploads_a_trust_root_and_verification_uses_it(admin_client_user, test_pki, pdf_sign):
    der = io.BytesIO(test_pki.root_cert.dump())
    der.name = "root.cer"

    response = admin_client_user.post(
        ADD_ROOT,
        {"name": "Root CA quốc gia (thử nghiệm)", "is_active": "on", "certificate_file": der},
    )

    assert response.status_code == 302, form_errors(response)
    root = TrustRoot.objects.get()
    assert root.sha256_fingerprint == test_pki.root_cert.sha256.hex()
    assert "eDoc Test Root CA" in root.subject and root.not_after.year == 2100
    assert root.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert root.added_by.username == "giamdoc"
    entry = AuditEntry.objects.get(action="trust_root.create")
    assert entry.details["sha256"] == root.sha256_fingerprint
    assert pdf_verify(pdf_sign(make_pdf(), "director")).ok  # admin-managed roots apply


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello", "không phải là chứng thư số X.509 dạng PEM hoặc DER"),
        ("signer", "không phải là chứng thư số của tổ chức cung cấp dịch vụ chứng thực"),
        ("twice", "đã là chứng thư gốc tin cậy"),
    ],
)
def test_admin_refuses_bad_trust_roots(admin_client_user, test_pki, trust_root, content, message):
    if content == "signer":
        content = test_pki.signers["director"].cert_pem
    elif content == "twice":
        content = test_pki.root_pem

    response = admin_client_user.post(
        ADD_ROOT,
        {"name": "x", "is_active": "on", "certificate_text": content.decode()},
        HTTP_ACCEPT_LANGUAGE="vi",
    )

    assert response.status_code == 200 and message in response.content.decode(), form_errors(
        response
    )
    assert TrustRoot.objects.count() == 1


@pytest.mark.django_db
def test_admin_deletes_and_edits_are_audited(admin_client_user, trust_root):
    change = f"/admin/signing/trustroot/{trust_root.pk}/change/"

    admin_client_user.post(change, {"name": "Tên mới", "is_active": ""})
    admin_client_user.post(f"/admin/signing/trustroot/{trust_root.pk}/delete/", {"post": "yes"})

    assert list(
        AuditEntry.objects.filter(action__startswith="trust_root.").values_list("action", flat=True)
    ) == ["trust_root.update", "trust_root.delete"]
    assert not TrustRoot.objects.exists()


@pytest.mark.django_db
def test_signing_settings_are_a_singleton(admin_client_user, tsa_url):
    listing = admin_client_user.get("/admin/signing/signingsettings/")

    assert listing.status_code == 302 and listing["Location"].endswith("/signingsettings/1/change/")
    response = admin_client_user.post(
        "/admin/signing/signingsettings/1/change/",
        {"tsa_url": tsa_url, "fetch_revocation": "", "embed_validation_info": "on"},
    )
    assert response.status_code == 302
    row = SigningSettings.objects.get()
    assert row.pk == 1 and row.tsa_url == tsa_url and row.fetch_revocation is False
    assert AuditEntry.objects.filter(action="signing_settings.update").exists()
    assert admin_client_user.get("/admin/signing/signingsettings/add/").status_code == 403
