"""Issue 15 (speed): the district and commune tables and the clean-up report of area officers
read the aggregates the services keep (`health.aggregates`); they must give exactly the numbers
of a count of the records (`scan=True`, the former queries, kept as the reference) through a
varied history: records of both maps entered on various days, doses and visits before and after
entry, moves between communes, imports, duplicate pairs merged, undone, merged again, separated,
validation issues opened and fixed, deletions. After it all, a rebuild from scratch gives the
same aggregate rows as the increments."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone

from health import aggregates, cleanup, imports, reports, selectors, services
from health.models import (
    AdminUnit,
    CleanupCount,
    DailyCount,
    DuplicateCandidate,
    Facility,
    MedicalVisit,
    MergeRecord,
    Person,
    PersonTally,
)

from .conftest import assign
from .test_imports import records_csv, start

pytestmark = pytest.mark.django_db
DATES = (
    date(2018, 12, 31),
    date(2020, 5, 1),
    date(2021, 1, 1),
    date(2022, 12, 30),
    date(2022, 12, 31),
    date(2023, 1, 31),
    date(2023, 2, 1),
)


@pytest.fixture
def viewers(officers, users, places, facility) -> list:
    """Province, two district officers, a commune officer, a facility officer (the facility
    officer's reports count the records: the visits' facility is no place)."""
    assign(users["clerk"], "commune", places["long_thanh_commune"])
    assign(users["director"], "facility", facility=facility)
    return [
        officers["province"],
        officers["bien_hoa"],
        officers["long_thanh"],
        users["clerk"],
        users["director"],
    ]


def _same(viewers) -> None:
    """Every report of every viewer equals the count of the records, and the aggregates agree
    with a count from scratch."""
    today = timezone.localdate()
    for user in viewers:
        for on in (*DATES, today, today - timedelta(days=1)):
            for grouping in ("district", "commune"):
                assert reports.table(user, grouping, on) == reports.table(
                    user, grouping, on, scan=True
                ), (user.username, grouping, on)
        for level in selectors.CLEANUP_LEVELS:
            assert selectors.cleanup_report(user, level) == selectors.cleanup_report(
                user, level, scan=True
            ), (user.username, level)
    assert aggregates.differences() == []


def _entered(person: Person, moment: datetime) -> Person:
    """The record as if entered at `moment` (written around the services: refreshed here)."""
    Person.objects.filter(pk=person.pk).update(created_at=timezone.make_aware(moment))
    aggregates.refresh([person.pk])
    return person


def _person(name: str, commune: AdminUnit, **fields) -> Person:
    values = {"full_name": name, "birth_date": date(1970, 1, 1), "sex": "female"} | fields
    return services.person_create(actor=None, commune=commune, **values)


def _dose(person: Person, given_on: date, codes, key: str, dose: int = 1) -> None:
    services.vaccination_add(
        actor=None, person=person, vaccine=codes["mr"], dose_number=dose, given_on=given_on,
        source="test", row_key=key,
    )  # fmt: skip


def _visit(person: Person, moment: datetime, codes, facility: Facility, key: str) -> None:
    services.visit_add(
        actor=None, person=person, facility=facility, admitted_at=timezone.make_aware(moment),
        main_diagnosis=codes["I10"], source="test", row_key=key,
    )  # fmt: skip


def _aggregate_rows() -> tuple[list, list]:
    daily = DailyCount.objects.exclude(managed=0, vaccinated=0, visited=0)
    kept = CleanupCount.objects.exclude(listed=0, checked=0, fixed=0, merged=0, doubtful=0)
    fields = ("province_code", "district_id", "commune_id", "commune_2025_id")
    return (
        sorted(daily.values_list("period", "day", *fields, "managed", "vaccinated", "visited")),
        sorted(kept.values_list(*fields, "listed", "checked", "fixed", "merged", "doubtful")),
    )


def test_the_reports_from_the_aggregates_equal_a_count_of_the_records(
    places, codes, facility, viewers
):
    bh, lt = places["bien_hoa_commune"], places["long_thanh_commune"]
    new_communes = AdminUnit.objects.filter(edition="2025", level="commune", province_code="75")
    ambiguous = next(
        u for u in new_communes if u.predecessions.values("old__parent").distinct().count() > 1
    )
    plain = next(
        u for u in new_communes if u.predecessions.values("old__parent").distinct().count() == 1
    )
    clinic = Facility.objects.create(code="75740", name="Trung tâm Y tế Long Thành")

    # Records of both maps, entered on various days (one at 23:30 on the last day of a year).
    a = _entered(_person("Nguyễn Thị A", bh, insurance_facility=facility), datetime(2020, 5, 1, 8))
    b = _entered(_person("Nguyễn Thị B", bh), datetime(2021, 1, 1, 0, 5))
    c = _entered(_person("Nguyễn Thị C", lt), datetime(2019, 1, 1, 12))
    d = _entered(_person("Nguyễn Thị D", ambiguous), datetime(2022, 6, 1, 9))
    e = _entered(_person("Nguyễn Thị E", plain), datetime(2022, 12, 31, 23, 30))
    f = _entered(_person("Nguyễn Thị F", lt), datetime(2023, 1, 31, 7))
    # Doses and visits before and after entry, on the cut-off days.
    _dose(a, date(2022, 12, 31), codes, "a1")
    _dose(c, date(2018, 6, 1), codes, "c1")
    _dose(c, date(2021, 8, 1), codes, "c2", dose=2)
    _dose(d, date(2023, 1, 5), codes, "d1")
    _visit(b, datetime(2022, 12, 31, 23, 30), codes, clinic, "b1")
    _visit(e, datetime(2020, 1, 1, 10), codes, facility, "e1")
    _visit(f, datetime(2023, 2, 1, 0, 10), codes, facility, "f1")
    _same(viewers)
    assert reports.district_table(viewers[0], date(2022, 12, 31)).total.values() == [5, 2, 2]

    # Moves between communes (and between the maps).
    services.person_update(actor=None, person=b, commune=lt)
    services.person_update(actor=None, person=e, commune=bh)
    services.person_update(actor=None, person=a, commune=plain)
    _same(viewers)

    # An import (COPY on PostgreSQL), updating records and adding new ones, in two batches.
    job = imports.import_run(start(viewers[0], "records", records_csv(places, 12)).pk, 7)
    assert job.created_count == 12
    _same(viewers)

    # A confident pair merged automatically (the duplicate's dose moves), undone, merged again.
    original = _person(
        "Lê Thị Hồng Nhung", bh, birth_date=date(1990, 5, 1), citizen_id="075190001234",
        insurance_card="GD4751234567890", source="his", row_key="1",
    )  # fmt: skip
    duplicate = _person(
        "Le Thi Hong Nhung", bh, birth_date=date(1990, 5, 1),
        insurance_card="GD4751234567890", source="tcqg.csv", row_key="7",
    )  # fmt: skip
    _entered(duplicate, datetime(2018, 3, 3, 3))
    _dose(duplicate, date(2019, 1, 1), codes, "n1")
    assert cleanup.find_duplicates([duplicate.pk]).merged == 1
    _same(viewers)
    record = MergeRecord.objects.get()
    cleanup.undo_merge(record=record, actor=None)
    _same(viewers)
    cleanup.merge(candidate=record.candidate, survivor=duplicate, actor=None)
    original.refresh_from_db()
    assert original.merged_into_id == duplicate.pk
    _same(viewers)

    # Doubtful pairs (open: "still doubtful"), one separated; an open pair whose other record
    # is merged away elsewhere no longer counts.
    tu = _person("Lý Văn Tú", lt, birth_date=date(1980, 1, 1), sex="male")
    tu2 = _person("Lý Văn Tư", lt, birth_date=date(1980, 1, 1), sex="male")
    tu3 = _person("Lý Văn Từ", lt, birth_date=date(1980, 1, 1), sex="male")
    cleanup.find_duplicates([tu.pk, tu2.pk, tu3.pk])
    pairs = list(DuplicateCandidate.objects.filter(status="open").order_by("pk"))
    assert len(pairs) >= 2
    _same(viewers)
    cleanup.separate(candidate=pairs[0], actor=None)
    _same(viewers)
    cleanup.merge(candidate=pairs[1], survivor=pairs[1].first, actor=None)
    _same(viewers)

    # Validation: an issue opened (doubtful), then fixed by an edit and a new check.
    services.person_update(actor=None, person=c, insurance_card="XX1")
    _dose(c, date(2017, 1, 1), codes, "c3", dose=3)  # a later dose before the earlier ones
    cleanup.check_people()
    _same(viewers)
    services.person_update(actor=None, person=c, insurance_card="GD4751234567891")
    cleanup.check_people([c.pk])
    _same(viewers)

    # Deletions: a visit, a record (with its doses, issues and pairs).
    MedicalVisit.objects.filter(person=f).delete()
    _same(viewers)
    d.delete()
    free = [
        p for p in (tu, tu2, tu3)
        if not MergeRecord.objects.filter(Q(survivor=p) | Q(merged=p)).exists()
    ]  # fmt: skip
    free[0].delete()  # with its duplicate pairs
    _same(viewers)

    # A rebuild from scratch gives the rows the increments gave.
    incremental = _aggregate_rows()
    out = io.StringIO()
    call_command("health_aggregates", "rebuild", stdout=out)
    assert "aggregates rebuilt from" in out.getvalue()
    assert _aggregate_rows() == incremental
    assert PersonTally.objects.count() == Person.objects.filter(merged_into=None).count()


def test_area_officers_reports_read_the_aggregates_and_the_check_sees_a_difference(
    places, codes, viewers
):
    person = _person("Nguyễn Thị A", places["bien_hoa_commune"])
    _dose(person, timezone.localdate(), codes, "a1")
    province, facility_officer = viewers[0], viewers[-1]
    today = timezone.localdate()
    assert reports.district_table(province, today).total.values() == [1, 1, 0]
    DailyCount.objects.all().delete()  # the aggregates lost (data written around the services)
    assert reports.district_table(province, today).total.values() == [0, 0, 0]
    assert reports.district_table(province, today, scan=True).total.values() == [1, 1, 0]
    # a facility officer's table counts the records: not affected
    assert reports.district_table(facility_officer, today) == reports.district_table(
        facility_officer, today, scan=True
    )
    with pytest.raises(CommandError, match="differ from the records"):
        call_command("health_aggregates", "check")
    call_command("health_aggregates", "rebuild", stdout=io.StringIO())
    out = io.StringIO()
    call_command("health_aggregates", "check", stdout=out)
    assert "agree" in out.getvalue()
    assert reports.district_table(province, today).total.values() == [1, 1, 0]
