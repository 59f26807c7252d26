"""Issue 13: each record knows its 2025 commune (old→new successions of vietnamadminunits),
a record entered with a 2025 commune gets its 2008 district back only when unambiguous."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from health import services
from health.models import AdminUnit, Person, UnitSuccession

pytestmark = pytest.mark.django_db


def _new(**fields) -> Person:
    return services.person_create(
        actor=None, full_name="Lê Văn Tám", birth_date=date(1980, 1, 1), sex="male", **fields
    )


def test_a_2008_commune_gets_its_2025_successor(places):
    trang_dai = AdminUnit.objects.get(edition="2008", level="commune", name="Phường Trảng Dài")
    person = _new(commune=trang_dai)
    assert person.district.name == "Thành phố Biên Hòa"
    assert person.commune_2025.edition == "2025"
    assert person.commune_2025.name == "Phường Trảng Dài"
    assert person.province_code == "75"
    # Bình Phước's communes went into the new Đồng Nai.
    binh_phuoc = AdminUnit.objects.filter(edition="2008", level="commune", province_code="70")
    other = _new(commune=binh_phuoc.order_by("code").first())
    assert other.commune_2025.province_code == "75"


def test_every_loaded_2008_commune_has_one_default_successor(health_catalogues):
    communes = AdminUnit.objects.filter(edition="2008", level="commune")
    defaults = UnitSuccession.objects.filter(is_default=True)
    assert defaults.count() == communes.count()
    assert set(defaults.values_list("old", flat=True)) == set(communes.values_list("pk", flat=True))
    assert not UnitSuccession.objects.exclude(new__edition="2025").exists()


def test_a_2025_commune_maps_back_to_a_district_only_when_unambiguous(health_catalogues):
    one_district, several = [], []
    for new in AdminUnit.objects.filter(edition="2025", level="commune"):
        districts = set(new.predecessions.values_list("old__parent", flat=True))
        (one_district if len(districts) == 1 else several).append((new, districts))
    assert one_district and several
    new, districts = one_district[0]
    person = _new(commune=new)
    assert person.commune_2025 == new and person.district_id == districts.pop()
    ambiguous = _new(commune=several[0][0])
    assert ambiguous.commune_2025 == several[0][0] and ambiguous.district is None
    assert ambiguous.province_code == "75"


def test_place_many_derives_the_fields_in_two_queries(places, django_assert_num_queries):
    legacy = list(AdminUnit.objects.filter(edition="2008", level="commune")[:20])
    current = list(AdminUnit.objects.filter(edition="2025", level="commune")[:20])
    people = [
        Person(full_name="x", birth_date=date(1990, 1, 1), sex="male", commune=c)
        for c in legacy + current
    ]
    people.append(Person(full_name="y", birth_date=date(1990, 1, 1), sex="male"))
    with django_assert_num_queries(2):
        services.place_many(people)
    assert all(p.commune_2025_id for p in people[:-1])
    assert all(p.district_id == c.parent_id for p, c in zip(people, legacy, strict=False))
    assert people[-1].commune_2025_id is None and people[-1].province_code == ""
    by_id = [
        Person(full_name="z", birth_date=date(1990, 1, 1), sex="male", commune_id=c.pk)
        for c in legacy + current
    ]
    with django_assert_num_queries(3):
        services.place_many(by_id)
    assert [p.commune_2025_id for p in by_id] == [p.commune_2025_id for p in people[:-1]]


def test_loading_the_catalogues_places_records_entered_before_the_successions(places):
    person = _new(commune=places["bien_hoa_commune"])
    UnitSuccession.objects.all().delete()
    Person.objects.filter(pk=person.pk).update(commune_2025=None)
    out = StringIO()
    call_command("health_catalogues", "load", "--source", "units", stdout=out)
    person.refresh_from_db()
    assert person.commune_2025 is not None and person.district == places["bien_hoa"]
    assert "records placed in the 2025 communes: 1" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_2025_commune_of_existing_records():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from health import catalogues

    catalogues.load_admin_units(provinces="dong-nai")
    before = [("health", "0001_health_records_catalogues_roles")]
    after = MigrationExecutor(connection).loader.graph.leaf_nodes()
    trang_dai = AdminUnit.objects.get(edition="2008", level="commune", name="Phường Trảng Dài")
    new = next(
        u
        for u in AdminUnit.objects.filter(edition="2025", level="commune").order_by("code")
        if UnitSuccession.objects.filter(new=u).values("old__parent").distinct().count() == 1
    )
    district = UnitSuccession.objects.filter(new=new).first().old.parent_id
    try:
        MigrationExecutor(connection).migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        old_person = old.get_model("health", "Person")
        people = [
            old_person.objects.create(
                full_name=name, birth_date=date(1980, 1, 1), sex="male", commune_id=commune.pk,
                district_id=commune.parent_id if commune.edition == "2008" else None,
                province_code="75", row_key=name,
            )
            for name, commune in (("A", trang_dai), ("B", new))
        ]  # fmt: skip
        MigrationExecutor(connection).migrate(after)
        a, b = (Person.objects.get(pk=p.pk) for p in people)
        assert a.commune_2025.name == "Phường Trảng Dài" and a.district.name == "Thành phố Biên Hòa"
        assert b.commune_2025_id == new.pk and b.district_id == district
        assert (a.full_name, b.full_name, a.commune_id) == ("A", "B", trang_dai.pk)
    finally:
        MigrationExecutor(connection).migrate(after)


def test_administrators_read_the_successions_and_cannot_edit_them(admin_client, places):
    url = reverse("admin:health_unitsuccession_changelist")
    response = admin_client.get(url, {"q": "Trảng Dài"})
    assert response.status_code == 200 and "Phường Trảng Dài" in response.content.decode()
    succession = UnitSuccession.objects.first()
    assert admin_client.get(reverse("admin:health_unitsuccession_add")).status_code == 403
    change = admin_client.post(
        reverse("admin:health_unitsuccession_change", args=[succession.pk]), {"is_default": ""}
    )
    assert change.status_code == 403
    succession.refresh_from_db()
    assert succession.is_default
