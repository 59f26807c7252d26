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
