"""Citizen portal: procedures, online submission with drafts, and every refused input.

The portal is public: the tests use an anonymous client that asks for English, to show that
the portal still answers in Vietnamese.
"""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.urls import reverse

from onestop.models import Dossier, OnlineLevel, Procedure
from onestop.services import dossier_save_draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache (Redis in CI): start and end each test empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen(client):
    """An anonymous visitor whose browser prefers English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    return client


def _form(applicant: dict, papers, files: dict, action: str = "submit") -> dict:
    data = {key: value for key, value in applicant.items()}
    data["action"] = action
    for paper in papers:
        if paper.pk in files:
            data[f"paper_{paper.pk}"] = files[paper.pk]
    return data


def _media_files(settings) -> list[str]:
    found = []
    for root, _dirs, names in os.walk(settings.MEDIA_ROOT):
        found += [os.path.join(root, name) for name in names]
    return found


# --------------------------------------------------------------------------- procedures


def test_home_lists_online_procedures_in_vietnamese(citizen, procedure, agency, units):
    Procedure.objects.create(
        agency=agency,
        code="1.000001",
        name="Thủ tục chỉ nộp tại quầy",
        processing_days=5,
        online_level=OnlineLevel.COUNTER,
        handling_unit=units["pharmacy"],
    )
    response = citizen.get(reverse("portal:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in html
    assert "Thủ tục thực hiện trực tuyến" in html
    assert agency.name in html
    assert procedure.name in html
    assert "Thủ tục chỉ nộp tại quầy" not in html
    assert "nav-pending" not in html  # no staff menu
    assert "https://" not in html.split("<body")[0]  # no CDN in the head


def test_procedure_page_shows_papers_fee_time_and_level(citizen, procedure, papers):
    response = citizen.get(reverse("portal:procedure", args=[procedure.code]))
    html = response.content.decode()
    assert response.status_code == 200
    for paper in papers:
        assert paper.name in html
    assert "360.000 đ" in html
    assert "10 ngày làm việc" in html
    assert "Trực tuyến toàn trình" in html
    assert "bắt buộc" in html


def test_counter_only_procedure_has_no_portal_page(citizen, procedure):
    Procedure.objects.filter(pk=procedure.pk).update(online_level=OnlineLevel.COUNTER)
    urls = [reverse(name, args=[procedure.code]) for name in ("portal:procedure", "portal:submit")]
    for url in [*urls, "/portal/khong-co/"]:
        response = citizen.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "Không tìm thấy trang" in html and 'id="portal-header"' in html


# --------------------------------------------------------------------------- submission


def test_submit_online_happy_path(citizen, procedure, papers, applicant, upload, settings):
    url = reverse("portal:submit", args=[procedure.code])
    form_page = citizen.get(url).content.decode()
    assert "Lưu nháp" in form_page and "Nộp hồ sơ" in form_page
    assert 'name="csrfmiddlewaretoken"' in form_page
    assert f'for="id_paper_{papers[0].pk}"' in form_page

    response = citizen.post(
        url,
        _form(applicant, papers, {papers[0].pk: upload("pdf"), papers[1].pk: upload("pdf")}),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:submitted")
    dossier = Dossier.objects.get()
    assert dossier.status == Dossier.Status.NEW
    assert dossier.code.startswith(procedure.agency.code + "-")
    assert dossier.applicant_phone == "0912345678"
    assert dossier.files.count() == 2

    done = citizen.get(response["Location"])
    html = done.content.decode()
    assert dossier.code in html
    assert "https://dichvucong.example.vn/portal/t/" in html
    assert done["Cache-Control"] == "no-store"
    receipt = citizen.get(reverse("portal:receipt"))
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "case",
    ["missing_mandatory", "wrong_extension", "fake_pdf", "oversized", "bad_phone", "no_name"],
)
def test_bad_submission_shows_message_at_the_field_and_saves_nothing(
    case, citizen, procedure, papers, applicant, upload, settings
):
    files = {papers[0].pk: upload("pdf"), papers[1].pk: upload("pdf")}
    data_applicant = dict(applicant)
    field, message = f"paper_{papers[1].pk}", ""
    if case == "missing_mandatory":
        del files[papers[1].pk]
        message = "Giấy tờ này là bắt buộc"
    elif case == "wrong_extension":
        files[papers[1].pk] = upload("png")  # this paper accepts PDF only
        message = "Sai loại tệp"
    elif case == "fake_pdf":
        files[papers[1].pk] = upload("pdf", content=b"just text pretending to be a PDF")
        message = "không phải là tệp PDF thật"
    elif case == "oversized":
        field = f"paper_{papers[2].pk}"
        files[papers[2].pk] = upload("png", content=b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024))
        message = "lớn hơn 1 MB"
    elif case == "bad_phone":
        data_applicant["phone"] = "12345"
        field, message = "phone", "Nhập số điện thoại di động"
    elif case == "no_name":
        data_applicant["name"] = "   "
        field, message = "name", "Trường này là bắt buộc"

    response = citizen.post(
        reverse("portal:submit", args=[procedure.code]), _form(data_applicant, papers, files)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hồ sơ chưa được nộp" in html
    if field:
        block = html.split(f'id="field-{field}"', 1)[1].split('class="form-field', 1)[0]
        assert message in block, block
    else:
        assert message in html
    # Nothing was submitted; the papers that passed every check are kept in a private draft
    # (so the citizen chooses again only the refused one), nothing else is stored.
    assert not Dossier.objects.exclude(status=Dossier.Status.DRAFT).exists()
    refused = {
        "missing_mandatory": None,
        "wrong_extension": papers[1].pk,
        "fake_pdf": papers[1].pk,
        "oversized": papers[2].pk,
    }.get(case)
    kept = {pk for pk in files if pk != refused}
    draft = Dossier.objects.get()
    assert set(draft.files.values_list("paper_id", flat=True)) == kept
    assert len(_media_files(settings)) == len({record.file.name for record in draft.files.all()})


def test_a_refused_file_keeps_the_others(citizen, procedure, papers, applicant, upload, settings):
    """One refused file: the others stay uploaded ("Đã tải lên: name (size)", replaceable);
    the citizen chooses again only the refused one and submits."""
    url = reverse("portal:submit", args=[procedure.code])
    files = {
        papers[0].pk: upload("pdf", name="don-de-nghi.pdf"),
        papers[1].pk: upload("png", name="van-bang.png"),  # this paper accepts PDF only
        papers[2].pk: upload("png", name="anh-4x6.png"),
    }
    response = citizen.post(url, _form(applicant, papers, files))
    assert response.status_code == 400
    html = response.content.decode()
    draft = Dossier.objects.get(status=Dossier.Status.DRAFT)
    draft_url = reverse("portal:draft", args=[draft.draft_key])
    assert f'action="{draft_url}"' in html  # the next post continues the draft
    assert 'value="Nguyễn Văn An"' in html
    first = html.split(f'id="field-paper_{papers[0].pk}"', 1)[1].split('class="form-field', 1)[0]
    assert "Đã tải lên: don-de-nghi.pdf (" in first
    assert "anh-4x6.png" in html.split(f'id="field-paper_{papers[2].pk}"', 1)[1]
    second = html.split(f'id="field-paper_{papers[1].pk}"', 1)[1].split('class="form-field', 1)[0]
    assert "Sai loại tệp" in second and "Đã tải lên" not in second

    response = citizen.post(
        draft_url, _form(applicant, papers, {papers[1].pk: upload("pdf", name="van-bang.pdf")})
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Dossier.Status.NEW
    names = sorted(draft.files.values_list("original_name", flat=True))
    assert names == ["anh-4x6.png", "don-de-nghi.pdf", "van-bang.pdf"]


def test_a_request_larger_than_every_paper_allows_is_refused_unread(
    citizen, procedure, papers, applicant, upload, settings
):
    # 10 + 10 + 1 MB of papers: a 30 MB body is refused on its declared length alone.
    huge = upload("pdf", content=b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024))
    response = citizen.post(
        reverse("portal:submit", args=[procedure.code]),
        _form(applicant, papers, {papers[0].pk: huge}),
    )
    assert response.status_code == 413
    assert "Tổng dung lượng các tệp quá lớn" in response.content.decode()
    assert Dossier.objects.count() == 0 and _media_files(settings) == []


def test_draft_save_and_resume(citizen, procedure, papers, applicant, upload, settings):
    url = reverse("portal:submit", args=[procedure.code])
    response = citizen.post(
        url, _form(applicant, papers, {papers[0].pk: upload("pdf")}, action="draft")
    )
    draft = Dossier.objects.get()
    assert draft.status == Dossier.Status.DRAFT and draft.code is None
    draft_url = reverse("portal:draft", args=[draft.draft_key])
    assert response["Location"] == draft_url + "?saved=1"

    saved = citizen.get(response["Location"])
    html = saved.content.decode()
    assert "Đã lưu nháp" in html
    assert "https://dichvucong.example.vn" + draft_url in html  # EDOC_PUBLIC_BASE_URL
    assert saved["Cache-Control"] == "no-store"
    assert saved["Referrer-Policy"] == "same-origin"  # never sent to another site

    # Later, from another browser: the form comes back filled, the first paper kept.
    other = citizen.__class__(HTTP_ACCEPT_LANGUAGE="en")
    resumed = other.get(draft_url).content.decode()
    assert 'value="Nguyễn Văn An"' in resumed
    assert "Đã đính kèm" in resumed

    # Submitting without the second mandatory paper is refused; the draft stays as it was.
    refused = other.post(draft_url, _form(applicant, papers, {}))
    assert refused.status_code == 400
    draft.refresh_from_db()
    assert draft.status == Dossier.Status.DRAFT and draft.files.count() == 1

    sent = other.post(draft_url, _form(applicant, papers, {papers[1].pk: upload("pdf")}))
    assert sent.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Dossier.Status.NEW and draft.files.count() == 2
    # The draft link stops working once the dossier is sent.
    gone = other.get(draft_url)
    assert gone.status_code == 404
    assert "Liên kết không hợp lệ hoặc đã hết hạn" in gone.content.decode()


def test_unknown_draft_key_is_an_invalid_link(citizen, procedure, applicant):
    dossier_save_draft(procedure=procedure, applicant=applicant)
    response = citizen.get(reverse("portal:draft", args=["not-a-key"]))
    assert response.status_code == 404
    assert "Liên kết không hợp lệ hoặc đã hết hạn" in response.content.decode()


def test_submissions_are_rate_limited(citizen, procedure, papers, applicant, settings):
    settings.EDOC_PORTAL_SUBMIT_RATE = "2/600"
    url = reverse("portal:submit", args=[procedure.code])
    for _attempt in range(2):
        assert citizen.post(url, _form(applicant, papers, {})).status_code == 400
    response = citizen.post(url, _form(applicant, papers, {}))
    assert response.status_code == 429
    assert "Quá nhiều lần thử" in response.content.decode()
    assert response["Retry-After"] == "600"
