"""What a procedure tells before a dossier is made: its legal basis ("Căn cứ pháp lý", hidden
when empty) and the blank application forms (tờ khai, mẫu đơn) to download, on the portal and
the staff pages; the shipped procedures carry both."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from edoc.models import AuditEntry, User
from edoc.models.organisation import Role
from onestop.models import PaperTemplate, Procedure
from onestop.services import paper_template_set
from onestop.shipped import PROCEDURES, install_procedures

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(units) -> User:
    return User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)


@pytest.fixture
def shipped_catalogue(admin, agency, users) -> list[Procedure]:
    return install_procedures(admin=admin, agency=agency)


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_shipped_procedures_cite_their_legal_basis(client, shipped_catalogue):
    for procedure in shipped_catalogue:
        assert procedure.legal_basis_lines, procedure.code
    practice = Procedure.objects.get(code="SYT-KCB-01")
    assert "Nghị định số 109/2016/NĐ-CP" in practice.legal_basis
    assert "Thông tư số 278/2016/TT-BTC" in practice.legal_basis
    page = client.get(reverse("portal:procedure", args=[practice.code])).content.decode()
    section = page.split('id="legal-basis"', 1)[1].split("</section>", 1)[0]
    assert "Căn cứ pháp lý" in section
    for line in practice.legal_basis_lines:
        assert line in section


def test_an_empty_legal_basis_has_no_heading(client, procedure):
    assert procedure.legal_basis == ""
    page = client.get(reverse("portal:procedure", args=[procedure.code])).content.decode()
    assert "Căn cứ pháp lý" not in page and 'id="legal-basis"' not in page


def test_staff_see_the_legal_basis_and_forms(client, officer, shipped_catalogue):
    client.force_login(officer)
    practice = Procedure.objects.get(code="SYT-KCB-01")
    page = client.get(reverse("onestop:procedure_list")).text
    row = page.split(f'data-procedure="{practice.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Căn cứ pháp lý" in row and "Nghị định số 109/2016/NĐ-CP" in row
    template = PaperTemplate.objects.get(paper__procedure=practice)
    url = reverse("onestop:paper_template", args=[practice.pk, template.paper_id])
    assert url in row
    intake = client.get(reverse("onestop:intake", args=[practice.pk])).text
    assert url in intake
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "ĐƠN ĐỀ NGHỊ" in _text(response.content)


def test_the_shipped_application_forms_download_from_the_portal(client, shipped_catalogue):
    for spec in PROCEDURES:
        procedure = Procedure.objects.get(code=spec.code)
        templates = PaperTemplate.objects.filter(paper__procedure=procedure)
        assert templates.exists(), spec.code
        if not procedure.accepts_online:
            continue
        page = client.get(reverse("portal:procedure", args=[procedure.code])).content.decode()
        for template in templates:
            url = reverse("portal:paper_template", args=[procedure.code, template.paper_id])
            assert url in page
            assert template.title in page
            response = client.get(url)
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert "attachment" in response["Content-Disposition"]
            content = response.content
            text = _text(content)
            assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text, spec.code
            assert "Kính gửi: Sở Y tế Đồng Nai" in text
            assert b"LiberationSerif" in content  # the Vietnamese serif font is embedded
    submit = client.get(reverse("portal:submit", args=["SYT-KCB-01"])).content.decode()
    assert "/portal/thu-tuc/SYT-KCB-01/mau/" in submit  # the form next to its paper


def test_a_shipped_form_renders_in_vietnamese(shipped_catalogue, tmp_path):
    """Rendered with poppler (pdftoppm) without a font substitution warning."""
    template = PaperTemplate.objects.filter(paper__procedure__code="SYT-DUOC-01").get()
    path = tmp_path / "mau.pdf"
    path.write_bytes(default_storage.open(template.file.name).read())
    result = subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "font" not in result.stderr.lower()
    assert (tmp_path / "p-1.png").stat().st_size > 10_000


def test_seeding_again_fills_what_is_missing_and_keeps_edits(admin, agency, shipped_catalogue):
    practice = Procedure.objects.get(code="SYT-KCB-01")
    pharmacy = Procedure.objects.get(code="SYT-DUOC-01")
    Procedure.objects.filter(pk=practice.pk).update(legal_basis="")
    Procedure.objects.filter(pk=pharmacy.pk).update(legal_basis="Căn cứ do quản trị nhập")
    PaperTemplate.objects.filter(paper__procedure=practice).delete()
    assert install_procedures(admin=admin, agency=agency) == []
    practice.refresh_from_db()
    pharmacy.refresh_from_db()
    assert "Nghị định số 109/2016/NĐ-CP" in practice.legal_basis
    assert PaperTemplate.objects.filter(paper__procedure=practice).exists()
    assert pharmacy.legal_basis == "Căn cứ do quản trị nhập"


def test_a_form_template_is_checked_stored_and_audited(admin, procedure, settings):
    paper = procedure.papers.first()
    with pytest.raises(ValidationError):
        paper_template_set(
            user=admin, paper=paper, title="Mẫu", name="mau.exe", content=b"MZ\x90\x00"
        )
    with pytest.raises(ValidationError):
        paper_template_set(user=admin, paper=paper, title="Mẫu", name="mau.pdf", content=b"PK")
    docx = b"PK\x03\x04" + b"\x00" * 200
    template = paper_template_set(
        user=admin, paper=paper, title="Mẫu đơn đề nghị", name="mau-don.docx", content=docx
    )
    assert template.size == len(docx) and template.content_type.endswith("document")
    assert AuditEntry.objects.filter(action="procedure.form_template").exists()


def test_a_tampered_form_template_is_not_served(client, procedure, admin):
    from tests.conftest import make_pdf

    paper = procedure.papers.first()
    template = paper_template_set(
        user=admin, paper=paper, title="Mẫu đơn", name="mau.pdf", content=make_pdf()
    )
    url = reverse("portal:paper_template", args=[procedure.code, paper.pk])
    assert client.get(url).status_code == 200
    with default_storage.open(template.file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 altered")
    assert client.get(url).status_code == 404
    other = reverse("portal:paper_template", args=[procedure.code, paper.pk + 100])
    assert client.get(other).status_code == 404


def test_administrators_upload_a_form_in_the_admin(client, admin, procedure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import make_pdf

    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    paper = procedure.papers.first()
    url = reverse("admin:onestop_papertemplate_add")
    assert client.get(url).status_code == 200
    refused = client.post(
        url,
        {
            "paper": paper.pk,
            "title": "Mẫu đơn",
            "upload": SimpleUploadedFile("mau.pdf", b"not a pdf"),
        },
    )
    assert refused.status_code == 200 and not PaperTemplate.objects.exists()
    done = client.post(
        url,
        {
            "paper": paper.pk,
            "title": "Đơn đề nghị cấp chứng chỉ hành nghề",
            "upload": SimpleUploadedFile("don-de-nghi.pdf", make_pdf()),
        },
    )
    assert done.status_code == 302, done.content.decode()[-2000:]
    template = PaperTemplate.objects.get(paper=paper)
    assert template.original_name == "don-de-nghi.pdf"
    public = reverse("portal:paper_template", args=[procedure.code, paper.pk])
    assert client.get(public).content == default_storage.open(template.file.name).read()


def test_a_blank_form_renders_first_thing_in_a_fresh_process():
    """No PDF generated before in the process, so no font registered yet."""
    import sys

    code = (
        "import django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.test');"
        "django.setup();"
        "from onestop.blank_forms import blank_form_pdf;"
        "from onestop.shipped import PRACTICE_FORM;"
        "content = blank_form_pdf(PRACTICE_FORM, agency_name='Sở Y tế', papers=['Văn bằng']);"
        "assert content.startswith(b'%PDF'); print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
