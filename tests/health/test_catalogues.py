from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from health.models import AdminUnit, Icd10Code, Vaccine

pytestmark = pytest.mark.django_db


def test_both_editions_of_the_map_with_validity_dates():
    call_command("health_catalogues", "load", "--source", "units", stdout=StringIO())
    legacy = AdminUnit.objects.filter(edition="2008")
    current = AdminUnit.objects.filter(edition="2025")
    # Before 1 July 2025: Đồng Nai (75) and Bình Phước (70), with districts.
    assert set(legacy.filter(level="province").values_list("code", flat=True)) == {"70", "75"}
    bien_hoa = legacy.get(level="district", name="Thành phố Biên Hòa")
    assert bien_hoa.code == "731" and bien_hoa.parent.code == "75"
    assert legacy.filter(level="district").count() >= 20
    assert all(u.valid_to == date(2025, 6, 30) for u in legacy)
    # From 1 July 2025: one Đồng Nai, communes directly under the province, no districts.
    assert list(current.filter(level="province").values_list("code", flat=True)) == ["75"]
    assert not current.filter(level="district").exists()
    assert current.filter(level="commune", parent__code="75").count() == 95
    assert all(u.valid_from == date(2025, 7, 1) and u.valid_to is None for u in current)
    commune = current.filter(level="commune").first()
    assert commune.district is None and commune.province_code == "75"


def test_loading_twice_changes_nothing():
    out = StringIO()
    call_command("health_catalogues", "load", stdout=out)
    first = (AdminUnit.objects.count(), Icd10Code.objects.count(), Vaccine.objects.count())
    ids = set(AdminUnit.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("health_catalogues", "load", stdout=out)
    assert (AdminUnit.objects.count(), Icd10Code.objects.count(), Vaccine.objects.count()) == first
    assert set(AdminUnit.objects.values_list("pk", flat=True)) == ids
    assert "0 created, 0 updated" in out.getvalue()
    assert Icd10Code.objects.get(code="I10").name_vi.startswith("Bệnh lý tăng huyết áp")
    assert Vaccine.objects.get(code="MR").doses_in_schedule == 1


def test_an_icd10_file_of_another_edition_updates_names(tmp_path):
    call_command("health_catalogues", "load", "--source", "icd10", stdout=StringIO())
    path = tmp_path / "icd.csv"
    path.write_text("code,name_vi,name_en\nI10,Tăng huyết áp vô căn,Hypertension\n", "utf-8")
    out = StringIO()
    call_command(
        "health_catalogues",
        "load",
        "--source",
        "icd10",
        "--icd10",
        str(path),
        "--icd10-edition",
        "test-2027",
        stdout=out,
    )
    assert "0 created, 1 updated" in out.getvalue()
    code = Icd10Code.objects.get(code="I10")
    assert (code.name_vi, code.edition) == ("Tăng huyết áp vô căn", "test-2027")


def test_a_file_without_its_columns_is_refused_and_changes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("ma,ten\nI10,x\n", "utf-8")
    with pytest.raises(CommandError, match="missing columns"):
        call_command(
            "health_catalogues",
            "load",
            "--source",
            "icd10",
            "--icd10",
            str(path),
            stdout=StringIO(),
        )
    assert not Icd10Code.objects.exists()


def test_who_codes_complete_the_vietnamese_catalogue_without_replacing_its_names():
    from health import catalogues

    catalogues.load_icd10()
    vietnamese = dict(Icd10Code.objects.values_list("code", "name_vi"))
    assert "J20.9" not in vietnamese  # the shipped file names categories only
    assert catalogues.load_icd10_who().created > 10_000
    bronchitis = Icd10Code.objects.get(code="J20.9")
    assert (bronchitis.name_vi, bronchitis.name) == ("", "Acute bronchitis, unspecified")
    assert str(bronchitis) == "J20.9 Acute bronchitis, unspecified"
    assert dict(Icd10Code.objects.filter(code__in=vietnamese).values_list("code", "name_vi")) == (
        vietnamese
    )
    assert catalogues.load_icd10_who().created == 0


def test_the_icd10_search_finds_who_codes_by_their_english_name(db):
    from health import catalogues, selectors

    catalogues.load_icd10()
    catalogues.load_icd10_who()
    assert "J20.9" in [code.code for code in selectors.icd10_search("acute bronchitis", 40)]
    assert "I10" in [code.code for code in selectors.icd10_search("tang huyet", 40)]
