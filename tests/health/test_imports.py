"""Import jobs (health/imports.py): chunks, resume from the cursor, idempotent re-runs, bad rows
reported with their line, bad uploads that change nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from bench.health_population import generate_population, visits_of, write_records_csv
from edoc.models import AuditEntry
from health import imports
from health.formats.qd130 import build_envelope
from health.models import (
    ChronicCondition,
    Facility,
    ImportJob,
    ImportProblem,
    MedicalVisit,
    Person,
    Vaccination,
)
from health.signals import records_imported

pytestmark = pytest.mark.django_db


def records_csv(places, size=60, seed=3) -> bytes:
    communes = [places["bien_hoa_commune"].code, places["long_thanh_commune"].code]
    people = list(generate_population(size, communes, seed=seed, duplicate_rate=0))
    out = io.StringIO(newline="")
    write_records_csv(people, out)
    return out.getvalue().encode("utf-8-sig")


def upload(kind, content: bytes, name: str):
    return imports.import_validate(kind, SimpleUploadedFile(name, content), name)


def start(actor, kind, content, name="records.csv") -> ImportJob:
    return imports.import_start(actor=actor, validated=upload(kind, content, name), run=False)


def test_a_records_file_is_imported_in_chunks_each_audited_and_signalled(
    places, officers, django_capture_on_commit_callbacks
):
    content = records_csv(places, size=25)
    seen = []

    def receiver(sender, job, person_ids, **kwargs):
        seen.append(sorted(person_ids))

    records_imported.connect(receiver)
    try:
        job = start(officers["province"], "records", content)
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.import_run(job.pk, chunk_size=10)
    finally:
        records_imported.disconnect(receiver)
    assert job.status == "done" and job.finished_at
    assert (job.total_rows, job.processed, job.cursor, job.percent) == (25, 25, 25, 100)
    people = Person.objects.filter(source="records")
    assert job.created_count == people.count() == 25
    assert [len(ids) for ids in seen] == [10, 10, 5]
    assert sorted(sum(seen, [])) == sorted(people.values_list("pk", flat=True))
    chunks = AuditEntry.objects.filter(action="health.import_chunk", object_id=str(job.pk))
    assert chunks.count() == 3
    assert chunks.order_by("pk").first().details["lines"] == [2, 11]
    assert AuditEntry.objects.filter(action="health.import_uploaded").count() == 1
    assert AuditEntry.objects.filter(action="health.import_finished").count() == 1
    person = people.exclude(citizen_id=None).first()
    assert person.district and person.province_code == "75" and person.imported_at
    # Placed like any record: its commune on the 2025 map too (the reports by 2025 commune).
    assert not people.filter(commune_2025=None).exists()


def _fail_on_insert_of(full_name: str) -> None:
    """A database trigger refusing to insert the person named `full_name`: the job meets a
    real error on a real row, as when the database goes away under a worker."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse() RETURNS trigger AS $$ BEGIN "
                "IF NEW.full_name = %s THEN RAISE EXCEPTION 'connection lost'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql",
                [full_name],
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse BEFORE INSERT ON health_person "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse BEFORE INSERT ON health_person WHEN NEW.full_name = "
                f"'{full_name}' BEGIN SELECT RAISE(ABORT, 'connection lost'); END"
            )


def _allow_inserts() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER test_refuse"
            + (" ON health_person" if connection.vendor == "postgresql" else "")
        )


def test_an_interrupted_job_keeps_its_committed_chunks_and_resumes_from_the_cursor(
    places, officers
):
    content = records_csv(places, size=30)
    rows = content.decode("utf-8-sig").splitlines()
    victim = rows[1 + 14].split(",")[1]  # the 15th person, in the second chunk of 10
    assert sum(1 for row in rows if row.split(",")[1] == victim) == 1
    job = start(officers["province"], "records", content)
    _fail_on_insert_of(victim)
    job = imports.import_run(job.pk, chunk_size=10)
    assert job.status == "interrupted" and "connection lost" in job.error
    assert (job.cursor, job.processed, job.created_count) == (10, 10, 10)
    assert Person.objects.filter(source="records").count() == 10
    assert imports.may_resume(job)

    _allow_inserts()
    job = imports.import_resume(actor=officers["province"], job=job, run=False)
    assert job.status == "queued"
    job = imports.import_run(job.pk, chunk_size=10)
    assert job.status == "done"
    assert (job.cursor, job.processed, job.created_count, job.unchanged_count) == (30, 30, 30, 0)
    assert Person.objects.filter(source="records").count() == 30
    assert AuditEntry.objects.filter(action="health.import_resumed").count() == 1
    with pytest.raises(ValidationError):
        imports.import_resume(actor=officers["province"], job=job, run=False)


def test_a_rerun_of_the_same_file_changes_nothing(places, officers):
    content = records_csv(places, size=40)
    first = imports.import_run(start(officers["province"], "records", content).pk, chunk_size=15)
    before = list(Person.objects.order_by("pk").values())
    conditions = ChronicCondition.objects.count()
    again = imports.import_run(start(officers["province"], "records", content).pk, chunk_size=15)
    assert first.created_count == 40
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 40)
    assert list(Person.objects.order_by("pk").values()) == before
    assert ChronicCondition.objects.count() == conditions


def test_a_changed_row_updates_the_person_found_by_citizen_id(places, officers, people):
    an = people["an"]
    content = (
        "Số CCCD,Họ và tên,Ngày sinh,Giới tính,Mã xã,Điện thoại,Bệnh mạn tính (mã ICD-10)\r\n"
        f"{an.citizen_id},Nguyễn Văn An,04/03/1990,Nam,{an.commune.code},0987654321,I10\r\n"
    ).encode()
    job = imports.import_run(start(officers["province"], "records", content).pk)
    assert (job.created_count, job.updated_count) == (0, 1)
    an.refresh_from_db()
    assert an.phone == "0987654321" and an.conditions.get().icd10.code == "I10"


def test_bad_rows_are_reported_with_their_line_and_the_others_imported(places, officers):
    commune = places["bien_hoa_commune"].code
    content = (
        "Họ và tên,Ngày sinh,Giới tính,Mã xã\r\n"
        f"Lê Văn Một,01/02/1980,Nam,{commune}\r\n"
        f"Lê Văn Hai,31/02/1980,Nam,{commune}\r\n"
        "Lê Văn Ba,01/02/1981,Nam,99999\r\n"
        f",01/02/1982,Nam,{commune}\r\n"
        f"Lê Văn Năm,01/02/1983,,{commune}\r\n"
        f"Lê Văn Một,01/02/1980,Nam,{commune}\r\n"
        f"Lê Thị Bảy,01/02/1984,Nữ,{commune}\r\n"
    ).encode()
    job = imports.import_run(start(officers["province"], "records", content).pk, chunk_size=2)
    assert job.status == "done"
    assert (job.total_rows, job.created_count, job.rejected_count) == (7, 2, 5)
    problems = {p.line: p.reason for p in ImportProblem.objects.filter(job=job)}
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert "99999" in problems[4] and "giới tính" in problems[6]
    assert "dòng 2" in problems[7]
    assert set(Person.objects.values_list("full_name", flat=True)) == {"Lê Văn Một", "Lê Thị Bảy"}


@pytest.mark.parametrize(
    ("kind", "name", "content", "code"),
    [
        ("records", "records.pdf", b"%PDF-1.7", "file_type"),
        ("records", "records.csv", b"", "empty"),
        ("records", "records.csv", b"a,b,c\r\n1,2,3\r\n", "unreadable"),
        ("records", "records.xlsx", b"PK not a workbook", "unreadable"),
        ("qd130", "visits.xml", b"<HOSO/>", "unreadable"),
        ("qd130", "visits.xml", b"<?xml version='1.0'?><GIAMDINHHS", "unreadable"),
        (
            "vaccinations",
            "doses.csv",
            "Họ tên,Ngày sinh\r\nA,01/01/2000\r\n".encode(),
            "unreadable",
        ),
    ],
)
def test_a_bad_upload_is_refused_and_leaves_no_job_and_no_file(officers, kind, name, content, code):
    with pytest.raises(ValidationError) as error:
        upload(kind, content, name)
    assert error.value.code == code
    assert not ImportJob.objects.exists()
    assert not default_storage.exists("health/imports")


def test_qd130_visits_attach_to_the_person_by_citizen_id_or_make_one(
    places, officers, people, facility, django_capture_on_commit_callbacks
):
    communes = [places["bien_hoa_commune"].code]
    population = list(generate_population(6, communes, seed=5, duplicate_rate=0,
                                          facilities=[facility.code]))  # fmt: skip
    visits = list(visits_of(population, visit_rate=1))
    an = people["an"]
    known = visits[0].__class__(**{**visits[0].__dict__, "citizen_id": an.citizen_id,
                                   "birth_date": an.birth_date, "visit_code": "LK-AN"})  # fmt: skip
    foreign = visits[1].__class__(**{**visits[1].__dict__, "facility_code": "99999",
                                     "visit_code": "LK-X"})  # fmt: skip
    no_icd = visits[2].__class__(**{**visits[2].__dict__, "main_icd": "", "visit_code": "LK-Y"})
    envelope = build_envelope(
        [known, foreign, no_icd, *visits[3:]], facility.code, date(2026, 1, 1)
    )
    job = imports.import_run(start(officers["province"], "qd130", envelope, "a.xml").pk)
    assert job.status == "done"
    assert (job.total_rows, job.created_count, job.rejected_count) == (6, 4, 2)
    assert {p.line for p in job.problems.all()} == {2, 3}
    assert MedicalVisit.objects.get(row_key=f"{facility.code}:LK-AN").person == an
    created = Person.objects.filter(source="qd130")
    assert created.count() == 3 and all(p.sex and p.commune and p.commune_2025 for p in created)
    again = imports.import_run(start(officers["province"], "qd130", envelope, "a.xml").pk)
    assert (again.created_count, again.unchanged_count, again.rejected_count) == (0, 4, 2)
    assert MedicalVisit.objects.count() == 4


def test_vaccinations_of_the_covid_list_attach_to_people_and_rerun_changes_nothing(
    places, officers, people
):
    an = people["an"]
    commune = places["bien_hoa_commune"].code
    content = (
        "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Mã xã,Loại vắc xin mũi 1,Ngày tiêm mũi 1,"
        "Loại vắc xin mũi 2,Ngày tiêm mũi 2\r\n"
        f"1,Nguyễn Văn An,04/03/1990,Nam,{an.citizen_id},{commune},AstraZeneca,01/08/2021,"
        "AstraZeneca,01/10/2021\r\n"
        f"2,Phạm Thị Mới,05/06/1970,Nữ,,{commune},Pfizer,02/09/2021,,\r\n"
        f"3,Phạm Văn Lạ,05/06/1971,Nam,,{commune},Thuốc lạ,02/09/2021,,\r\n"
    ).encode()
    job = imports.import_run(start(officers["province"], "vaccinations", content, "c.csv").pk)
    assert (job.total_rows, job.created_count, job.rejected_count) == (4, 3, 1)
    assert job.problems.get().line == 4
    assert an.vaccinations.count() == 2
    assert Person.objects.get(full_name="Phạm Thị Mới").vaccinations.get().vaccine.code == (
        "COVID-PFIZER"
    )
    again = imports.import_run(start(officers["province"], "vaccinations", content, "c.csv").pk)
    assert (again.created_count, again.unchanged_count) == (0, 3)
    assert Vaccination.objects.count() == 3


def test_a_district_officer_imports_only_the_people_of_the_district(places, officers, people):
    content = (
        "Họ và tên,Ngày sinh,Giới tính,Mã xã,Số CCCD\r\n"
        f"Lê Văn Một,01/02/1980,Nam,{places['bien_hoa_commune'].code},\r\n"
        f"Lê Văn Hai,01/02/1980,Nam,{places['long_thanh_commune'].code},\r\n"
        f"Trần Thị Bình,09/07/1985,Nữ,{places['long_thanh_commune'].code},075285004321\r\n"
    ).encode()
    job = imports.import_run(start(officers["bien_hoa"], "records", content).pk)
    assert (job.created_count, job.rejected_count) == (1, 2)
    assert {p.line for p in job.problems.all()} == {3, 4}
    population = generate_population(1, [places["bien_hoa_commune"].code], duplicate_rate=0)
    envelope = build_envelope(visits_of(population, visit_rate=1), "75001", date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        start(officers["bien_hoa"], "qd130", envelope, "a.xml")


def test_a_facility_officer_imports_only_the_visits_of_the_facility(users, places, facility):
    from tests.health.conftest import assign

    assign(users["clerk"], "facility", facility=facility)
    Facility.objects.create(code="75002", name="Trung tâm Y tế Long Thành")
    commune = places["bien_hoa_commune"].code
    population = list(
        generate_population(4, [commune], seed=2, duplicate_rate=0, facilities=["75001", "75002"])
    )
    visits = list(visits_of(population, visit_rate=1))
    envelope = build_envelope(visits, "75001", date(2026, 1, 1))
    job = imports.import_run(start(users["clerk"], "qd130", envelope, "a.xml").pk)
    own = sum(1 for v in visits if v.facility_code == "75001")
    assert 0 < own < 4
    assert (job.created_count, job.rejected_count) == (own, 4 - own)
    with pytest.raises(PermissionDenied):
        start(users["clerk"], "records", records_csv(places, size=2))


def test_the_command_imports_a_file_prints_the_report_and_resumes_a_stopped_job(
    places, officers, tmp_path
):
    from django.core.management import CommandError, call_command

    path = tmp_path / "ho-so.csv"
    path.write_bytes(records_csv(places, size=12))
    out = io.StringIO()
    call_command("health_import", "records", str(path), "--chunk-size", "5", stdout=out)
    text = out.getvalue()
    assert "12/12 rows (100%)" in text and "12 created" in text
    job = ImportJob.objects.get()
    assert job.uploaded_by is None and job.status == "done"

    with pytest.raises(CommandError, match="không bị dừng"):
        call_command("health_import", "--resume", str(job.pk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("health_import", "records", str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="No active user"):
        call_command("health_import", "records", str(path), "--user", "nobody")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\r\n1,2\r\n")
    with pytest.raises(CommandError):
        call_command("health_import", "records", str(bad))
    with pytest.raises(CommandError):
        call_command("health_import", "qd130", str(path), "--user", officers["bien_hoa"].username)
    assert ImportJob.objects.count() == 1

    ImportJob.objects.filter(pk=job.pk).update(status="interrupted", cursor=5, processed=5)
    out = io.StringIO()
    call_command("health_import", "--resume", str(job.pk), stdout=out)
    job.refresh_from_db()
    assert job.status == "done" and "7 unchanged" in out.getvalue()


def test_two_visits_of_a_new_patient_one_without_citizen_id_make_one_person(
    places, officers, facility
):
    population = list(
        generate_population(1, [places["bien_hoa_commune"].code], seed=9, duplicate_rate=0)
    )
    first = next(visits_of(population, visit_rate=1))
    first = first.__class__(**{**first.__dict__, "facility_code": facility.code})
    again = first.__class__(**{**first.__dict__, "citizen_id": "", "visit_code": "LK-2"})
    envelope = build_envelope([first, again], facility.code, date(2026, 1, 1))
    job = imports.import_run(start(officers["province"], "qd130", envelope, "a.xml").pk)
    assert job.status == "done" and job.created_count == 2
    person = Person.objects.get(source="qd130")
    assert person.visits.count() == 2


def test_a_rerun_after_a_merge_neither_brings_the_merged_record_back_nor_overwrites_the_kept_one(
    places, officers
):
    from health import cleanup
    from health.models import DuplicateCandidate

    content = records_csv(places, size=12, seed=11)
    imports.import_run(start(officers["province"], "records", content).pk)
    district = officers["bien_hoa"]
    baseline = imports.import_run(start(district, "records", content).pk)  # Long Thành's refused
    ours = Person.objects.filter(merged_into=None, commune=places["bien_hoa_commune"])
    kept, other = ours.order_by("pk")[:2]
    pair = DuplicateCandidate.objects.create(
        first=kept, second=other, score=0.9, verdict="doubtful"
    )
    cleanup.merge(candidate=pair, survivor=kept, actor=officers["province"])
    before = list(Person.objects.order_by("pk").values())
    again = imports.import_run(start(district, "records", content).pk)
    assert (again.rejected_count, again.created_count) == (baseline.rejected_count, 0)
    assert list(Person.objects.order_by("pk").values()) == before


def test_insert_rows_writes_what_bulk_create_writes(places, facility, codes):
    """The import's writer (COPY on PostgreSQL, bulk_create elsewhere) gives each row its id and
    stores the same values, auto_now dates and choices included, as bulk_create."""
    from health.services import place_many

    def person(key: str) -> Person:
        return Person(
            citizen_id=None, full_name="Trần Thị Bé", name_folded="tran thi be",
            birth_date=date(1990, 5, 1), sex="F", commune=places["bien_hoa_commune"],
            insurance_facility=facility, phone="0912345678", source="records", row_key=key,
        )  # fmt: skip

    copied, created = person("k:copied"), person("k:created")
    place_many([copied, created])
    imports.insert_rows(Person, [copied])
    Person.objects.bulk_create([created])
    assert copied.pk and not copied._state.adding
    stored = {
        p["row_key"]: p for p in Person.objects.filter(pk__in=[copied.pk, created.pk]).values()
    }
    skip = {"id", "row_key", "created_at", "updated_at"}
    as_copied = {k: v for k, v in stored["k:copied"].items() if k not in skip}
    assert as_copied == {k: v for k, v in stored["k:created"].items() if k not in skip}
    assert as_copied["district_id"] and as_copied["sex"] == "F"
    assert stored["k:copied"]["created_at"] == copied.created_at is not None
    assert stored["k:copied"]["id"] == copied.pk
    visit = MedicalVisit(
        person=copied, facility=facility, main_diagnosis=codes["I10"],
        admitted_at=copied.created_at, source="qd130", row_key="v1", imported_at=copied.created_at,
    )  # fmt: skip
    imports.insert_rows(MedicalVisit, [visit])
    assert MedicalVisit.objects.get(pk=visit.pk).admitted_at == copied.created_at
