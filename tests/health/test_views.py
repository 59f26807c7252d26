from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from edoc.models import AuditEntry
from health import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def bien_hoa_client(client, officers):
    client.force_login(officers["bien_hoa"])
    return client


def test_people_without_a_health_role_get_404_and_no_menu(client, officers, people):
    client.force_login(officers["none"])
    assert client.get(reverse("health:people")).status_code == 404
    assert client.get(reverse("health:person", args=[people["an"].pk])).status_code == 404
    home = client.get(reverse("edoc:pending"))
    assert b'id="nav-health"' not in home.content


def test_the_list_shows_masked_ids_of_the_district_only_and_is_audited(bien_hoa_client, people):
    response = bien_hoa_client.get(reverse("health:people"))
    body = response.content.decode()
    assert 'id="nav-health"' in body
    assert "Nguyễn Văn An" in body and "Trần Thị Bình" not in body
    assert "0751******34" in body and "075190001234" not in body
    assert "0912****78" in body and "0912345678" not in body
    assert AuditEntry.objects.filter(action="health.people_listed").count() == 1


@pytest.mark.parametrize("query", ["nguyen van an", "Nguyễn Văn", "VAN AN", "07519000"])
def test_search_by_name_with_or_without_diacritics_or_by_id(bien_hoa_client, people, query):
    body = bien_hoa_client.get(reverse("health:people"), {"q": query}).content.decode()
    assert "Nguyễn Văn An" in body
    entry = AuditEntry.objects.get(action="health.people_searched")
    assert entry.details["query"] == query and entry.details["shown"] == 1


def test_search_never_finds_other_districts(bien_hoa_client, people):
    body = bien_hoa_client.get(reverse("health:people"), {"q": "tran thi binh"}).content.decode()
    assert "Trần Thị Bình" not in body and "Không tìm thấy hồ sơ nào." in body


def test_a_person_page_with_timeline_is_audited_and_others_are_404(
    bien_hoa_client, people, codes, facility, officers
):
    an = people["an"]
    services.vaccination_add(
        actor=None,
        person=an,
        vaccine=codes["covid"],
        dose_number=2,
        given_on=date(2021, 9, 1),
        facility=facility,
        source="tcqg",
        row_key="9",
    )
    an.conditions.create(icd10=codes["I10"])
    response = bien_hoa_client.get(reverse("health:person", args=[an.pk]))
    body = response.content.decode()
    assert "075190001234" in body  # the record itself shows the full ID
    assert "Bệnh lý tăng huyết áp" in body and "Vắc xin COVID-19 AstraZeneca" in body
    assert "Tiêm chủng" in body
    assert "no-store" in response["Cache-Control"]  # edoc.middleware: never cached
    entry = AuditEntry.objects.get(action="health.person_viewed")
    assert entry.object_id == str(an.pk) and entry.actor_username == "chuyenvien"
    other = bien_hoa_client.get(reverse("health:person", args=[people["binh"].pk]))
    assert other.status_code == 404
    assert bien_hoa_client.get(reverse("health:person", args=[999999])).status_code == 404
    assert AuditEntry.objects.filter(action="health.person_viewed").count() == 1


def test_the_printable_summary_needs_the_right_and_a_reason(
    client, bien_hoa_client, people, officers
):
    an = people["an"]
    url = reverse("health:person_summary", args=[an.pk])
    assert bien_hoa_client.get(url).status_code == 405
    refused = bien_hoa_client.post(url, {"reason": "x"})
    assert refused.status_code == 400
    assert not AuditEntry.objects.filter(action="health.person_exported").exists()
    printed = bien_hoa_client.post(url, {"reason": "Chuyển tuyến điều trị tại BV tỉnh"})
    assert printed.status_code == 200 and "Nguyễn Văn An" in printed.content.decode()
    entry = AuditEntry.objects.get(action="health.person_exported")
    assert entry.details["reason"] == "Chuyển tuyến điều trị tại BV tỉnh"
    client.force_login(officers["province"])  # sees An, but may not export
    assert client.post(url, {"reason": "Chuyển tuyến điều trị"}).status_code == 403


def test_an_officer_creates_a_record_in_their_district_only(bien_hoa_client, places, officers):
    url = reverse("health:person_create")
    form = bien_hoa_client.get(url).content.decode()
    assert places["bien_hoa_commune"].name in form
    assert places["long_thanh_commune"].name not in form
    data = {
        "full_name": "Vũ Thị Giang",
        "birth_date": "1999-12-31",
        "sex": "female",
        "citizen_id": "07519900",
        "commune": places["bien_hoa_commune"].pk,
    }
    refused = bien_hoa_client.post(url, data)
    assert refused.status_code == 400 and "12 chữ số" in refused.content.decode()
    other = bien_hoa_client.post(
        url, data | {"citizen_id": "", "commune": places["long_thanh_commune"].pk}
    )
    assert other.status_code == 400
    from health.models import Person

    assert not Person.objects.exists()
    done = bien_hoa_client.post(url, data | {"citizen_id": "075199001357"})
    person = Person.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "health:person", args=[person.pk]
    )
    assert person.district == places["bien_hoa"]
    assert AuditEntry.objects.filter(action="health.person_created").count() == 1


def test_people_without_a_health_role_cannot_create(client, officers):
    client.force_login(officers["none"])
    assert client.get(reverse("health:person_create")).status_code == 404


# ---------------------------------------------------------------------------- import pages


def _records_file(places, name="ho-so.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    commune = places["bien_hoa_commune"].code
    content = (
        "Họ và tên,Ngày sinh,Giới tính,Mã xã\r\n"
        f"Lê Văn Một,01/02/1980,Nam,{commune}\r\n"
        f"Lê Văn Hai,31/02/1980,Nam,{commune}\r\n"
    ).encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_officer_uploads_a_records_file_and_follows_the_job(
    bien_hoa_client, places, django_capture_on_commit_callbacks
):
    from edoc.background import wait_until_idle
    from health.models import ImportJob

    page = bien_hoa_client.get(reverse("health:import_new"))
    assert page.status_code == 200
    options = page.content.decode()
    assert 'value="records"' in options and 'value="qd130"' not in options
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = bien_hoa_client.post(
            reverse("health:import_new"), {"kind": "records", "file": _records_file(places)}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("health:import", args=[job.pk])
    assert len(queued) == 1  # the task is queued once the upload is committed
    assert AuditEntry.objects.filter(action="health.import_uploaded", object_id=str(job.pk))
    progress = bien_hoa_client.get(
        reverse("health:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 2s"' in progress.content.decode()
    assert "HX-Refresh" not in progress

    from health.imports import import_run

    import_run(job.pk)
    assert wait_until_idle(10)
    progress = bien_hoa_client.get(
        reverse("health:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    assert progress["HX-Refresh"] == "true" and "every 2s" not in progress.content.decode()
    page = bien_hoa_client.get(reverse("health:import", args=[job.pk])).content.decode()
    assert 'id="count-created">1<' in page and 'id="count-rejected">1<' in page
    assert "31/02/1980" in page or "Ngày sinh" in page
    csv_file = bien_hoa_client.get(reverse("health:import_problems", args=[job.pk]))
    lines = csv_file.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("3,")
    assert AuditEntry.objects.filter(action="health.import_problems_downloaded").count() == 1
    listing = bien_hoa_client.get(reverse("health:imports")).content.decode()
    assert "ho-so.csv" in listing


def test_an_unreadable_upload_is_a_form_error_and_creates_no_job(bien_hoa_client, places):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from health.models import ImportJob

    bad = SimpleUploadedFile("ho-so.csv", b"a,b\r\n1,2\r\n", content_type="text/csv")
    response = bien_hoa_client.post(reverse("health:import_new"), {"kind": "records", "file": bad})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    pdf = SimpleUploadedFile("ho-so.pdf", b"%PDF-1.7", content_type="application/pdf")
    response = bien_hoa_client.post(reverse("health:import_new"), {"kind": "records", "file": pdf})
    assert response.status_code == 400
    response = bien_hoa_client.post(
        reverse("health:import_new"), {"kind": "qd130", "file": _records_file(places)}
    )
    assert response.status_code == 400  # not a kind a district officer imports
    assert not ImportJob.objects.exists()


def test_jobs_are_seen_by_their_uploader_and_the_province_only(client, officers, places):
    from health import imports

    validated = imports.import_validate("records", _records_file(places), "ho-so.csv")
    job = imports.import_start(actor=officers["bien_hoa"], validated=validated, run=False)
    for user, status in [("bien_hoa", 200), ("province", 200), ("long_thanh", 404), ("none", 404)]:
        client.force_login(officers[user])
        assert client.get(reverse("health:import", args=[job.pk])).status_code == status, user
        progress = client.get(reverse("health:import_progress", args=[job.pk]))
        assert progress.status_code == status
    client.force_login(officers["long_thanh"])
    assert "ho-so.csv" not in client.get(reverse("health:imports")).content.decode()
    client.force_login(users_without_import(officers))
    assert client.get(reverse("health:import_new")).status_code == 403


def users_without_import(officers):
    """A commune officer: a health role that does not import."""
    from health.models import AdminUnit
    from tests.health.conftest import assign

    user = officers["none"]
    commune = AdminUnit.objects.filter(edition="2008", level="commune").first()
    assign(user, "commune", commune)
    return user


def test_the_record_template_downloads_as_csv_and_xlsx(bien_hoa_client):
    csv_file = bien_hoa_client.get(reverse("health:import_template", args=["csv"]))
    assert csv_file.content.decode("utf-8-sig").startswith("Số CCCD,Họ và tên")
    xlsx = bien_hoa_client.get(reverse("health:import_template", args=["xlsx"]))
    assert xlsx.content[:2] == b"PK"
    assert "attachment" in xlsx["Content-Disposition"]


def test_a_stopped_job_is_resumed_from_its_page(bien_hoa_client, officers, places):
    from health import imports
    from health.models import ImportJob

    validated = imports.import_validate("records", _records_file(places), "ho-so.csv")
    job = imports.import_start(actor=officers["bien_hoa"], validated=validated, run=False)
    ImportJob.objects.filter(pk=job.pk).update(status="interrupted", error="worker lost")
    page = bien_hoa_client.get(reverse("health:import", args=[job.pk])).content.decode()
    assert 'id="btn-import-resume"' in page
    response = bien_hoa_client.post(reverse("health:import_resume", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status in ("queued", "running", "done")
    assert AuditEntry.objects.filter(action="health.import_resumed").exists()
