"""Health fixtures: the catalogues (Đồng Nai's units of both editions, the shipped ICD-10
subset and vaccines), two communes in two districts, people living there and officers."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from edoc.models import User
from health import catalogues, services
from health.models import AdminUnit, Facility, HealthAssignment, Icd10Code, Vaccine


@pytest.fixture
def health_catalogues(db) -> None:
    catalogues.load_admin_units(provinces="dong-nai")
    catalogues.load_icd10()
    catalogues.load_vaccines()


def _commune(district_name: str) -> AdminUnit:
    return (
        AdminUnit.objects.filter(
            edition="2008", level="commune", parent__name=district_name, province_code="75"
        )
        .order_by("code")
        .first()
    )


@pytest.fixture
def places(health_catalogues) -> dict[str, AdminUnit]:
    bien_hoa = _commune("Thành phố Biên Hòa")
    long_thanh = _commune("Huyện Long Thành")
    return {
        "bien_hoa": bien_hoa.parent,
        "bien_hoa_commune": bien_hoa,
        "long_thanh": long_thanh.parent,
        "long_thanh_commune": long_thanh,
        "province": AdminUnit.objects.get(edition="2008", level="province", code="75"),
    }


@pytest.fixture
def facility(places) -> Facility:
    return Facility.objects.create(
        code="75001", name="Bệnh viện Đa khoa Đồng Nai", commune=places["bien_hoa_commune"]
    )


@pytest.fixture
def people(places, users) -> dict:
    actor = users["specialist"]
    return {
        "an": services.person_create(
            actor=actor,
            citizen_id="075190001234",
            full_name="Nguyễn Văn An",
            birth_date=date(1990, 3, 4),
            sex="male",
            phone="0912345678",
            commune=places["bien_hoa_commune"],
        ),
        "binh": services.person_create(
            actor=actor,
            citizen_id="075285004321",
            full_name="Trần Thị Bình",
            birth_date=date(1985, 7, 9),
            sex="female",
            commune=places["long_thanh_commune"],
        ),
    }


def assign(user: User, scope: str, area=None, facility=None, **rights) -> HealthAssignment:
    return HealthAssignment.objects.create(
        user=user, scope=scope, area=area, facility=facility, **rights
    )


@pytest.fixture
def officers(users, places) -> dict[str, User]:
    """A Biên Hòa district officer (may export), a Long Thành one, the province's one."""
    assign(users["specialist"], "district", places["bien_hoa"], can_export=True)
    assign(users["other_specialist"], "district", places["long_thanh"])
    assign(users["head"], "province", places["province"])
    return {
        "bien_hoa": users["specialist"],
        "long_thanh": users["other_specialist"],
        "province": users["head"],
        "none": users["clerk"],
    }


@pytest.fixture
def codes(health_catalogues) -> dict:
    return {
        "I10": Icd10Code.objects.get(code="I10"),
        "E11": Icd10Code.objects.get(code="E11"),
        "mr": Vaccine.objects.get(code="MR"),
        "covid": Vaccine.objects.get(code="COVID-AZ"),
    }


@pytest.fixture
def vietnamese():
    """The readers' and checks' reasons in Vietnamese (gettext), whatever language an earlier
    test left active."""
    with translation.override("vi"):
        yield
