"""Editing a record on its page: part I, part II (chronic conditions with ICD-10 codes of the
catalogue, allergies, family history, risk factors), vaccinations and visits added by hand.
Each write is audited; officers edit only the records of their scope (others are 404)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from edoc.models import AuditEntry
from health import services
from health.models import Allergy, ChronicCondition, MedicalVisit, Vaccination
from tests.health.conftest import assign

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def bien_hoa_client(client, officers):
    client.force_login(officers["bien_hoa"])
    return client


def _urls(person, entry_pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("health:history_new", args=[person.pk, "condition"])),
        ("post", reverse("health:history_new", args=[person.pk, "condition"])),
        ("post", reverse("health:history_edit", args=[person.pk, "condition", entry_pk])),
        ("post", reverse("health:history_remove", args=[person.pk, "condition", entry_pk])),
        ("post", reverse("health:vaccination_new", args=[person.pk])),
        ("post", reverse("health:visit_new", args=[person.pk])),
        ("post", reverse("health:person_edit", args=[person.pk])),
    ]


def test_an_officer_of_another_district_gets_404_and_changes_nothing(
    client, people, officers, codes
):
    an = people["an"]
    condition = an.conditions.create(icd10=codes["I10"])
    client.force_login(officers["long_thanh"])
    for method, url in _urls(an, condition.pk):
        data = {"icd10": "E11", "full_name": "X", "dose_number": 1} if method == "post" else {}
        assert getattr(client, method)(url, data).status_code == 404, url
    assert list(an.conditions.values_list("icd10__code", flat=True)) == ["I10"]
    assert not Vaccination.objects.exists() and not MedicalVisit.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="health.history").exists()
    client.force_login(officers["none"])
    assert client.get(reverse("health:icd10_search"), {"q": "I10"}).status_code == 404


def test_the_page_offers_editing_to_officers_of_the_scope(bien_hoa_client, people):
    body = bien_hoa_client.get(reverse("health:person", args=[people["an"].pk])).content.decode()
    for button in ("btn-add-condition", "btn-add-allergy", "btn-add-family", "btn-add-risk"):
        assert f'id="{button}"' in body
    assert 'id="btn-add-vaccination"' in body and 'id="btn-add-visit"' in body
    assert 'id="btn-edit-admin"' in body


def test_a_chronic_condition_is_added_changed_and_removed_with_audit(
    bien_hoa_client, people, codes
):
    an = people["an"]
    url = reverse("health:history_new", args=[an.pk, "condition"])
    form = bien_hoa_client.get(url, **HTMX)
    assert form.status_code == 200 and 'id="form-condition"' in form.content.decode()
    added = bien_hoa_client.post(
        url, {"icd10": " i10 ", "since": "2015-04-01", "note": "Theo dõi tại trạm"}, **HTMX
    )
    body = added.content.decode()
    assert added.status_code == 200 and body.lstrip().startswith("<section")
    assert "Bệnh lý tăng huyết áp" in body and "01/04/2015" in body
    condition = ChronicCondition.objects.get(person=an)
    assert condition.icd10 == codes["I10"] and condition.note == "Theo dõi tại trạm"
    entry = AuditEntry.objects.get(action="health.history_added")
    assert entry.object_id == str(an.pk) and entry.details["section"] == "condition"
    assert entry.actor_username == "chuyenvien"

    edit = reverse("health:history_edit", args=[an.pk, "condition", condition.pk])
    assert 'value="I10"' in bien_hoa_client.get(edit, **HTMX).content.decode()
    bien_hoa_client.post(edit, {"icd10": "I10", "since": "2016-01-02", "note": ""}, **HTMX)
    condition.refresh_from_db()
    assert condition.since == date(2016, 1, 2) and condition.note == ""
    changed = AuditEntry.objects.get(action="health.history_changed")
    assert changed.details["fields"] == ["note", "since"]

    remove = reverse("health:history_remove", args=[an.pk, "condition", condition.pk])
    assert bien_hoa_client.get(remove).status_code == 405
    gone = bien_hoa_client.post(remove)
    assert gone.status_code == 302 and not ChronicCondition.objects.exists()
    removed = AuditEntry.objects.get(action="health.history_removed")
    assert removed.details["section"] == "condition" and "I10" in removed.details["was"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("X99.9", "Mã ICD-10 X99.9 không có trong danh mục."),
        ("tang huyet ap", "không phải mã ICD-10"),
        ("", "Trường này là bắt buộc."),
    ],
)
def test_a_bad_icd10_code_is_refused_with_a_message(bien_hoa_client, people, code, message):
    url = reverse("health:history_new", args=[people["an"].pk, "condition"])
    refused = bien_hoa_client.post(url, {"icd10": code})
    assert refused.status_code == 400 and message in refused.content.decode()
    again = bien_hoa_client.post(url, {"icd10": code}, **HTMX)  # htmx swaps 200 answers only
    assert again.status_code == 200 and message in again.content.decode()
    assert not ChronicCondition.objects.exists()
    assert not AuditEntry.objects.filter(action="health.history_added").exists()


def test_a_condition_twice_or_dated_before_birth_is_refused(bien_hoa_client, people, codes):
    an = people["an"]
    an.conditions.create(icd10=codes["I10"])
    url = reverse("health:history_new", args=[an.pk, "condition"])
    twice = bien_hoa_client.post(url, {"icd10": "I10"}).content.decode()
    assert "Bệnh này đã có trong hồ sơ." in twice
    early = bien_hoa_client.post(url, {"icd10": "E11", "since": "1980-01-01"}).content.decode()
    assert "trước ngày sinh" in early
    future = bien_hoa_client.post(url, {"icd10": "E11", "since": "2999-01-01"}).content.decode()
    assert "Ngày chẩn đoán (01/01/2999) ở tương lai." in future
    assert an.conditions.count() == 1


def test_allergy_family_history_and_risk_factor_entries(bien_hoa_client, people):
    an = people["an"]
    new = lambda kind: reverse("health:history_new", args=[an.pk, kind])  # noqa: E731
    bien_hoa_client.post(new("allergy"), {"kind": "drug", "agent": "Penicillin"})
    refused = bien_hoa_client.post(new("family"), {"relation": "Bố"})
    assert "Ghi tên bệnh hoặc mã ICD-10 của bệnh." in refused.content.decode()
    bien_hoa_client.post(new("family"), {"relation": "Bố", "icd10": "E11"})
    bien_hoa_client.post(new("risk"), {"kind": "smoking", "detail": "10 điếu/ngày"})
    page = bien_hoa_client.get(reverse("health:person", args=[an.pk])).content.decode()
    assert "Thuốc: Penicillin" in page
    assert "Bố: E11 Bệnh đái tháo đường" in page
    assert "Hút thuốc: 10 điếu/ngày" in page
    allergy = Allergy.objects.get()
    edit = reverse("health:history_edit", args=[an.pk, "allergy", allergy.pk])
    bien_hoa_client.post(edit, {"kind": "food", "agent": "Hải sản"})
    allergy.refresh_from_db()
    assert (allergy.kind, allergy.agent) == ("food", "Hải sản")
    kinds = AuditEntry.objects.filter(action="health.history_added").values_list(
        "details__section", flat=True
    )
    assert sorted(kinds) == ["allergy", "family", "risk"]


def test_input_is_nfc_normalised(bien_hoa_client, people):
    decomposed = "Ha\u0309i sa\u0309n"  # "Hải sản" typed with combining marks
    url = reverse("health:history_new", args=[people["an"].pk, "allergy"])
    bien_hoa_client.post(url, {"kind": "food", "agent": decomposed})
    assert Allergy.objects.get().agent == "Hải sản"


def test_a_vaccination_by_hand_and_doses_out_of_order_refused(
    bien_hoa_client, people, codes, facility
):
    an = people["an"]
    services.vaccination_add(
        actor=None,
        person=an,
        vaccine=codes["covid"],
        dose_number=2,
        given_on=date(2021, 9, 1),
        source="tcqg",
        row_key="1",
    )
    url = reverse("health:vaccination_new", args=[an.pk])
    data = {"vaccine": codes["covid"].pk, "dose_number": 1, "given_on": "2021-10-01"}
    refused = bien_hoa_client.post(url, data)
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "mũi 2 (01/09/2021) tiêm trước mũi 1 (01/10/2021)" in body
    assert an.vaccinations.count() == 1
    done = bien_hoa_client.post(
        url, data | {"given_on": "2021-07-01", "facility": facility.pk, "lot_number": "A1"}, **HTMX
    )
    assert done.status_code == 200 and "nhập tay" in done.content.decode()
    dose = an.vaccinations.get(dose_number=1)
    assert dose.source == services.MANUAL_SOURCE and dose.lot_number == "A1"
    assert AuditEntry.objects.filter(action="health.vaccination_added").count() == 2


def test_a_visit_by_hand_with_icd10_diagnoses(bien_hoa_client, people, codes, facility):
    an = people["an"]
    url = reverse("health:visit_new", args=[an.pk])
    data = {
        "facility": facility.pk,
        "admitted_at": "2024-05-02T08:00",
        "discharged_at": "2024-05-01T08:00",
        "main_diagnosis": "I10",
        "secondary_diagnoses": "E11; J45",
        "outcome": "2",
    }
    backwards = bien_hoa_client.post(url, data).content.decode()
    assert "Ngày ra (01/05/2024 08:00) trước ngày vào (02/05/2024 08:00)." in backwards
    unknown = bien_hoa_client.post(url, data | {"secondary_diagnoses": "E11; Z99.9"})
    assert "Mã ICD-10 Z99.9 không có trong danh mục." in unknown.content.decode()
    assert not MedicalVisit.objects.exists()
    done = bien_hoa_client.post(url, data | {"discharged_at": "2024-05-06T10:00"})
    assert done.status_code == 302
    visit = MedicalVisit.objects.get()
    assert visit.main_diagnosis == codes["I10"] and visit.outcome == "2"
    assert sorted(visit.secondary_diagnoses.values_list("code", flat=True)) == ["E11", "J45"]
    assert AuditEntry.objects.filter(action="health.visit_added").count() == 1


def test_part_one_is_editable_by_area_officers_in_their_communes(
    bien_hoa_client, client, people, places, users, facility
):
    an = people["an"]
    url = reverse("health:person_edit", args=[an.pk])
    form = bien_hoa_client.get(url, **HTMX).content.decode()
    assert 'value="Nguyễn Văn An"' in form and 'id="form-admin"' in form
    data = {
        "full_name": "Nguyễn Văn An",
        "birth_date": "1990-03-04",
        "sex": "male",
        "citizen_id": "075190001234",
        "commune": places["bien_hoa_commune"].pk,
        "phone": "0987654321",
        "ethnicity": "Kinh",
    }
    moved = bien_hoa_client.post(url, data | {"commune": places["long_thanh_commune"].pk})
    assert moved.status_code == 400
    done = bien_hoa_client.post(url, data, **HTMX)
    assert done.status_code == 200 and "0987654321" in done.content.decode()
    an.refresh_from_db()
    assert an.phone == "0987654321" and an.ethnicity == "Kinh"
    entry = AuditEntry.objects.get(action="health.person_updated")
    assert entry.details["fields"] == ["ethnicity", "phone"]

    assign(users["clerk"], "facility", facility=facility)
    an.visits.create(
        facility=facility,
        admitted_at="2024-01-01T08:00+07:00",
        main_diagnosis_id=_code("I10"),
        source="his",
        row_key="1",
    )
    client.force_login(users["clerk"])  # a facility officer: part II yes, part I no
    page = client.get(reverse("health:person", args=[an.pk])).content.decode()
    assert 'id="btn-add-condition"' in page and 'id="btn-edit-admin"' not in page
    assert client.post(url, data).status_code == 403


def _code(code: str) -> int:
    from health.models import Icd10Code

    return Icd10Code.objects.get(code=code).pk


def test_the_icd10_search_finds_codes_by_code_or_words(bien_hoa_client, officers):
    url = reverse("health:icd10_search")
    by_words = bien_hoa_client.get(
        url,
        {"icd10": "tang huyet"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="icd10",
        HTTP_HX_TRIGGER="id_icd10",
    )
    body = by_words.content.decode()
    assert 'data-icd10-code="I10"' in body and 'data-icd10-for="id_icd10"' in body
    by_code = bien_hoa_client.get(url, {"q": "e1"}).content.decode()
    assert 'data-icd10-code="E11"' in by_code and "I10" not in by_code
    several = bien_hoa_client.get(url, {"q": "E11; hen"}).content.decode()
    assert 'data-icd10-code="J45"' in several and "E11" not in several
    none = bien_hoa_client.get(url, {"q": "zzzz"}).content.decode()
    assert "Không tìm thấy mã ICD-10 nào." in none


def test_the_summary_has_part_two_and_the_latest_visits(bien_hoa_client, people, codes):
    an = people["an"]
    an.conditions.create(icd10=codes["E11"], note="Đang điều trị")
    an.allergies.create(kind="drug", agent="Penicillin")
    for day in range(1, 26):
        services.vaccination_add(
            actor=None,
            person=an,
            vaccine=codes["mr"],
            dose_number=1,
            given_on=date(2000, 1, day),
            source="tcqg",
            row_key=str(day),
        )
    url = reverse("health:person_summary", args=[an.pk])
    body = bien_hoa_client.post(url, {"reason": "Chuyển tuyến điều trị"}).content.decode()
    assert "Bệnh đái tháo đường" in body and "Penicillin" in body
    assert "20 lượt gần nhất trong 25" in body
    assert "25/01/2000" in body and "05/01/2000" not in body
    assert 'id="btn-add-condition"' not in body and "hx-post" not in body
