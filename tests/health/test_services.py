from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from edoc.models import AuditEntry
from health import services
from health.models import MedicalVisit, Person, Vaccination

pytestmark = pytest.mark.django_db


def test_person_create_normalises_and_places_and_audits(places, users):
    decomposed = unicodedata.normalize("NFD", "  Lê   Thị Hồng  ")
    person = services.person_create(
        actor=users["clerk"],
        full_name=decomposed,
        birth_date=date(2001, 1, 2),
        sex="female",
        citizen_id="",
        commune=places["long_thanh_commune"],
    )
    assert person.full_name == "Lê Thị Hồng"
    assert unicodedata.is_normalized("NFC", person.full_name)
    assert person.name_folded == "le thi hong"
    assert person.citizen_id is None  # empty → NULL: many people may have none
    assert person.district == places["long_thanh"] and person.province_code == "75"
    entry = AuditEntry.objects.get(action="health.person_created")
    assert entry.object_id == str(person.pk) and entry.actor_username == "vanthu"


@pytest.mark.parametrize(
    "change",
    [
        {"citizen_id": "07519000123"},  # 11 digits
        {"citizen_id": "07519000123X"},
        {"birth_date": date(2999, 1, 1)},
        {"full_name": "   "},
        {"sex": "x"},
        {"phone": "call me"},
    ],
)
def test_invalid_fields_save_nothing(places, users, change):
    fields = {
        "full_name": "Phạm Văn Cường",
        "birth_date": date(1970, 5, 6),
        "sex": "male",
        "citizen_id": "075170001111",
        "commune": places["bien_hoa_commune"],
    } | change
    with pytest.raises(ValidationError):
        services.person_create(actor=users["clerk"], **fields)
    assert not Person.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="health.").exists()


def test_a_district_is_not_a_commune(places, users):
    with pytest.raises(ValidationError) as error:
        services.person_create(
            actor=users["clerk"],
            full_name="A",
            birth_date=date(1990, 1, 1),
            sex="male",
            commune=places["bien_hoa"],
        )
    assert "commune" in error.value.message_dict


def test_update_changes_and_audits_the_fields_and_refuses_bad_input(people, places, users):
    an = people["an"]
    updated = services.person_update(
        actor=users["clerk"], person=an, commune=places["long_thanh_commune"], phone="0987654321"
    )
    assert updated.district == places["long_thanh"]
    entry = AuditEntry.objects.filter(action="health.person_updated").get()
    assert entry.details == {"fields": ["commune", "phone"]}
    with pytest.raises(ValidationError):
        services.person_update(actor=users["clerk"], person=an, citizen_id="075285004321")
    an.refresh_from_db()
    assert an.citizen_id == "075190001234" and an.phone == "0987654321"
    assert AuditEntry.objects.filter(action="health.person_updated").count() == 1


def test_vaccination_add_is_idempotent_by_source_and_row_key(people, codes, facility, users):
    an = people["an"]
    kwargs = dict(
        actor=users["clerk"],
        person=an,
        vaccine=codes["covid"],
        dose_number=1,
        given_on=date(2021, 8, 1),
        facility=facility,
        lot_number="AZ123",
        source="tcqg-2021.csv",
        row_key="17",
    )
    first = services.vaccination_add(**kwargs)
    again = services.vaccination_add(**kwargs)
    assert first.created and not again.created and again.row.pk == first.row.pk
    assert Vaccination.objects.count() == 1
    assert AuditEntry.objects.filter(action="health.vaccination_added").count() == 1
    other_file = services.vaccination_add(**kwargs | {"source": "covid-list.xlsx"})
    assert other_file.created and Vaccination.objects.count() == 2


@pytest.mark.parametrize(
    "change", [{"given_on": date(1980, 1, 1)}, {"dose_number": 0}, {"row_key": ""}]
)
def test_a_bad_vaccination_changes_nothing(people, codes, users, change):
    kwargs = (
        dict(
            actor=users["clerk"],
            person=people["an"],
            vaccine=codes["mr"],
            dose_number=1,
            given_on=date(2021, 8, 1),
            source="f.csv",
            row_key="1",
        )
        | change
    )
    with pytest.raises(ValidationError):
        services.vaccination_add(**kwargs)
    assert not Vaccination.objects.exists()


def test_visit_add_is_idempotent_and_keeps_the_diagnoses(people, codes, facility, users):
    admitted = timezone.make_aware(datetime(2024, 5, 2, 8, 30))
    kwargs = dict(
        actor=users["clerk"],
        person=people["binh"],
        facility=facility,
        admitted_at=admitted,
        discharged_at=admitted.replace(day=5),
        main_diagnosis=codes["I10"],
        secondary_diagnoses=[codes["E11"]],
        outcome="2",
        source="his-75001",
        row_key="MA_LK-0001",
    )
    first = services.visit_add(**kwargs)
    again = services.visit_add(**kwargs)
    assert first.created and not again.created
    visit = MedicalVisit.objects.get()
    assert [c.code for c in visit.secondary_diagnoses.all()] == ["E11"]
    assert visit.get_outcome_display() == "Đỡ"
    with pytest.raises(ValidationError):
        services.visit_add(**kwargs | {"row_key": "2", "discharged_at": admitted.replace(day=1)})
    assert MedicalVisit.objects.count() == 1


def test_person_import_is_idempotent_by_source_and_row_key(places, users):
    fields = dict(
        full_name="Đỗ Văn Dũng",
        birth_date=date(1960, 2, 3),
        sex="male",
        citizen_id="075160002222",
        commune=places["bien_hoa_commune"],
    )
    first = services.person_import(
        actor=users["clerk"], source="records.xlsx", row_key="5", **fields
    )
    again = services.person_import(
        actor=users["clerk"], source="records.xlsx", row_key="5", **fields
    )
    assert first.created and not again.created and again.row.pk == first.row.pk
    assert first.row.imported_at is not None and first.row.source == "records.xlsx"
    assert Person.objects.count() == 1
    assert AuditEntry.objects.filter(action="health.person_created").count() == 1
    with pytest.raises(ValidationError):  # the same citizen ID from another row: refused
        services.person_import(actor=users["clerk"], source="records.xlsx", row_key="6", **fields)
    assert Person.objects.count() == 1
