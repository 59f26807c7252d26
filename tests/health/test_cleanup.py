"""The clean-up (health.cleanup): duplicates found among stored records, confident pairs merged
automatically, doubtful ones queued, merges undone exactly, separated pairs never proposed
again, re-imports after a merge, the validation sweep."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from edoc.models import AuditEntry
from health import access, cleanup, services
from health.cleanup import snapshot
from health.models import (
    ChronicCondition,
    CleanupCheck,
    CleanupIssue,
    DuplicateCandidate,
    HealthAssignment,
    MergeRecord,
    Person,
)
from health.signals import records_imported

pytestmark = pytest.mark.django_db


def _person(places, commune="bien_hoa_commune", **fields) -> Person:
    values = {
        "full_name": "Lê Thị Hồng Nhung",
        "birth_date": date(1990, 5, 1),
        "sex": "female",
        "commune": places[commune],
    } | fields
    return services.person_create(actor=None, **values)


@pytest.fixture
def nhung_twice(places):
    """One person recorded twice: the duplicate typed without diacritics, without CCCD, with
    another phone but the same insurance card (a confident pair)."""
    original = _person(
        places,
        citizen_id="075190001234",
        insurance_card="GD4751234567890",
        source="his",
        row_key="1",
    )
    duplicate = _person(
        places,
        full_name="Le Thi Hong Nhung",
        phone="0912000111",
        insurance_card="GD4751234567890",
        address="Tổ 3",
        source="tcqg.csv",
        row_key="7",
    )
    return original, duplicate


def _rows(person: Person) -> dict[str, list[int]]:
    return {
        related: sorted(getattr(person, related).values_list("pk", flat=True))
        for related in cleanup.CHILDREN
    }


def test_a_confident_pair_is_merged_automatically_and_a_doubtful_one_queued(places, nhung_twice):
    original, duplicate = nhung_twice
    toan = _person(places, full_name="Nguyễn Tấn Toàn", sex="male", phone="0909097722")
    other_toan = _person(places, full_name="Nguyễn Văn Toàn", sex="male", phone="0772851851")

    detection = cleanup.find_duplicates([duplicate.pk, other_toan.pk])

    assert (detection.proposed, detection.merged) == (2, 1)
    merge = MergeRecord.objects.get()
    assert merge.automatic and merge.merged_by is None
    assert (merge.survivor, merge.merged) == (original, duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == original
    doubtful = DuplicateCandidate.objects.get(status="open")
    assert {doubtful.first, doubtful.second} == {toan, other_toan}
    assert doubtful.verdict == "doubtful" and any("Không tự động" in r for r in doubtful.reasons)
    entry = AuditEntry.objects.get(action="health.persons_merged")
    assert entry.actor is None and entry.details["automatic"] is True


def test_a_merge_moves_the_rows_fills_empty_fields_and_undo_restores_exactly(
    places, nhung_twice, codes, facility, users, officers
):
    original, duplicate = nhung_twice
    survivor = _person(places, full_name="Trần Văn Cường", sex="male", birth_date=date(1970, 1, 1))
    other = _person(
        places,
        full_name="Tran Van Cuong",
        sex="male",
        birth_date=date(1970, 1, 1),
        citizen_id="075070001111",
        phone="0988000111",
        address="Ấp 2",
    )
    services.vaccination_add(
        actor=None,
        person=other,
        vaccine=codes["mr"],
        dose_number=1,
        given_on=date(2021, 6, 1),
        source="tcqg.csv",
        row_key="9",
    )
    services.visit_add(
        actor=None,
        person=other,
        facility=facility,
        admitted_at=timezone.make_aware(datetime(2024, 5, 2, 8, 0)),
        main_diagnosis=codes["I10"],
        source="his",
        row_key="LK9",
    )
    ChronicCondition.objects.create(person=other, icd10=codes["I10"])
    ChronicCondition.objects.create(person=other, icd10=codes["E11"])
    ChronicCondition.objects.create(person=survivor, icd10=codes["I10"])  # stays on `other`
    before = {p.pk: (snapshot(p), _rows(p)) for p in (survivor, other)}
    candidate = DuplicateCandidate.objects.create(
        first=survivor, second=other, score=0.85, verdict="doubtful", reasons=["x"]
    )

    record = cleanup.merge(candidate=candidate, survivor=survivor, actor=users["head"])

    survivor.refresh_from_db()
    other.refresh_from_db()
    assert survivor.citizen_id == "075070001111" and other.citizen_id is None
    assert (survivor.phone, survivor.address) == ("0988000111", "Ấp 2")
    assert survivor.vaccinations.count() == 1 and survivor.visits.count() == 1
    assert sorted(survivor.conditions.values_list("icd10__code", flat=True)) == ["E11", "I10"]
    assert other.conditions.count() == 1  # the I10 the survivor had already
    assert sorted(record.filled) == ["address", "citizen_id", "phone"]
    assert other.merged_into == survivor and not record.automatic
    visible = set(access.visible_people(officers["province"]).values_list("pk", flat=True))
    assert survivor.pk in visible and other.pk not in visible
    with pytest.raises(Http404):
        access.person_or_404(officers["province"], other.pk)

    cleanup.undo_merge(record=record, actor=users["head"])

    for person in (survivor, other):
        person.refresh_from_db()
        assert (snapshot(person), _rows(person)) == before[person.pk]
    assert other.pk in set(access.visible_people(officers["province"]).values_list("pk", flat=True))
    candidate.refresh_from_db()
    record.refresh_from_db()
    assert candidate.status == "open" and record.undone_by == users["head"]
    assert AuditEntry.objects.filter(action="health.merge_undone").count() == 1
    with pytest.raises(ValidationError):
        cleanup.undo_merge(record=record, actor=users["head"])


def test_a_reimport_of_the_merged_row_returns_the_survivor(places, nhung_twice):
    original, duplicate = nhung_twice
    cleanup.find_duplicates([duplicate.pk])
    count = Person.objects.count()

    again = services.person_import(
        actor=None,
        source="tcqg.csv",
        row_key="7",
        full_name="Le Thi Hong Nhung",
        birth_date=date(1990, 5, 1),
        sex="female",
        commune=places["bien_hoa_commune"],
    )

    assert (again.row, again.created) == (original, False)
    assert Person.objects.count() == count
    assert services.person_by_key("tcqg.csv", "7") == original
    assert cleanup.find_duplicates([original.pk]).proposed == 0


def test_a_separated_pair_is_not_proposed_again(places, users):
    a = _person(places, full_name="Nguyễn Văn An", sex="male")
    b = _person(places, full_name="Nguyễn Văn Anh", sex="male")
    cleanup.find_duplicates([a.pk])
    candidate = DuplicateCandidate.objects.get()

    cleanup.separate(candidate=candidate, actor=users["head"])

    assert cleanup.find_duplicates([a.pk, b.pk]).proposed == 0
    assert cleanup.sweep().proposed == 0
    candidate.refresh_from_db()
    assert candidate.status == "separated" and candidate.decided_by == users["head"]
    assert AuditEntry.objects.filter(action="health.duplicates_separated").count() == 1
    with pytest.raises(ValidationError):
        cleanup.merge(candidate=candidate, survivor=a, actor=users["head"])


def test_a_district_officer_reviews_only_the_pairs_of_their_district(places, officers):
    for officer in officers.values():
        HealthAssignment.objects.filter(user=officer).update(can_merge=True)
    here = [_person(places, full_name=name, sex="male") for name in ("Hồ Văn Tú", "Hồ Văn Tứ")]
    there = [
        _person(places, "long_thanh_commune", full_name=name, sex="male")
        for name in ("Lý Văn Tú", "Lý Văn Tư")
    ]
    cleanup.sweep()
    pairs = {
        key: {(c.first_id, c.second_id) for c in access.reviewable_pairs(officer)}
        for key, officer in officers.items()
        if key != "none"
    }
    assert pairs["bien_hoa"] == {(here[0].pk, here[1].pk)}
    assert pairs["long_thanh"] == {(there[0].pk, there[1].pk)}
    assert pairs["province"] == pairs["bien_hoa"] | pairs["long_thanh"]
    assert not access.reviewable_pairs(officers["none"]).exists()


def test_without_the_merge_right_no_pair_is_reviewable(places, officers):
    _person(places, full_name="Hồ Văn Tú", sex="male")
    _person(places, full_name="Hồ Văn Tứ", sex="male")
    cleanup.sweep()
    assert DuplicateCandidate.objects.count() == 1
    assert not access.reviewable_pairs(officers["bien_hoa"]).exists()


def test_the_validation_sweep_opens_issues_and_an_edit_fixes_them(
    places, codes, django_capture_on_commit_callbacks
):
    # CCCD of a man born in 1985, on a woman born in 1990; a card of 12 characters
    person = _person(places, citizen_id="075085001234", insurance_card="GD4751234567")
    for dose, day in ((2, date(2021, 6, 1)), (1, date(2021, 9, 1))):
        services.vaccination_add(
            actor=None,
            person=person,
            vaccine=codes["covid"],
            dose_number=dose,
            given_on=day,
            source="covid.csv",
            row_key=f"{dose}",
        )
    checked = cleanup.check_people()

    assert (checked.checked, checked.opened) == (1, 3)
    issues = {i.kind: i for i in CleanupIssue.objects.filter(person=person)}
    assert set(issues) == {"cccd", "insurance", "doses"}
    assert "không khớp năm sinh 1990" in issues["cccd"].detail
    assert "giới tính nam" in issues["cccd"].detail
    assert CleanupCheck.objects.filter(person=person).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.person_update(
            actor=None, person=person, citizen_id="075190001234", insurance_card=""
        )

    statuses = dict(CleanupIssue.objects.values_list("kind", "status"))
    assert statuses == {"cccd": "fixed", "insurance": "fixed", "doses": "open"}


def test_impossible_dates_are_found(places, codes, facility):
    person = _person(places)
    services.visit_add(
        actor=None,
        person=person,
        facility=facility,
        admitted_at=timezone.make_aware(datetime(2024, 5, 2, 8, 0)),
        main_diagnosis=codes["I10"],
        source="his",
        row_key="LK1",
    )
    person.visits.update(discharged_at=timezone.make_aware(datetime(2024, 5, 1, 8, 0)))
    cleanup.check_people([person.pk])
    issue = CleanupIssue.objects.get(person=person)
    assert issue.kind == "dates" and "trước ngày vào" in issue.detail


@pytest.mark.django_db(transaction=True)
def test_an_import_signal_runs_the_clean_up_task(places):
    from edoc.background import wait_until_idle

    original = _person(places, citizen_id="075190001234", phone="0912000111")
    duplicate = _person(places, full_name="Le Thi Hong Nhung", phone="0912000111")

    records_imported.send(sender=None, job=None, person_ids=[duplicate.pk])

    assert wait_until_idle(timeout=60)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == original
    assert CleanupCheck.objects.filter(person=original).exists()


def test_the_command_sweeps_all_records(places, nhung_twice, capsys):
    call_command("health_cleanup", "--all")
    out = capsys.readouterr().out
    assert "merged automatically: 1" in out and "records checked: 1" in out
