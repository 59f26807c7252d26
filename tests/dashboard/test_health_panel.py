"""The health records panel: the plan's first table from the records, its share of the
entered population, the clean-up progress, each user over the area their health role gives."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.filters import DateRange, Filters
from dashboard.health_panel import health_context
from health import services
from health.models import PopulationFigure

pytestmark = pytest.mark.django_db


@pytest.fixture
def week() -> Filters:
    today = timezone.localdate()
    return Filters(DateRange(today - datetime.timedelta(days=6), today))


@pytest.fixture
def updates(people, codes, facility_row):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    services.vaccination_add(
        actor=None, person=people["an"], vaccine=codes["mr"], dose_number=1, given_on=yesterday,
        source="test", row_key="v1",
    )  # fmt: skip
    services.visit_add(
        actor=None, person=people["binh"], facility=facility_row, main_diagnosis=codes["I10"],
        admitted_at=timezone.now() - datetime.timedelta(days=2), source="test", row_key="k1",
    )  # fmt: skip


@pytest.fixture
def facility_row(places):
    from health.models import Facility

    return Facility.objects.create(code="75001", name="Bệnh viện Đa khoa Đồng Nai")


def test_the_province_officer_sees_every_district_with_its_share_of_the_population(
    officers, places, updates, week
):
    PopulationFigure.objects.create(unit=places["bien_hoa"], year=week.range.date_to.year - 1,
                                    population=800)  # fmt: skip
    data = health_context(officers["province"], week)
    rows = {row["label"]: row for row in data["rows"]}
    bien_hoa, long_thanh = rows["Thành phố Biên Hòa"], rows["Huyện Long Thành"]
    assert (bien_hoa["managed"], bien_hoa["vaccinated"], bien_hoa["visited"]) == (1, 1, 0)
    assert (long_thanh["managed"], long_thanh["vaccinated"], long_thanh["visited"]) == (1, 0, 1)
    assert (data["total"].managed, data["total"].vaccinated, data["total"].visited) == (2, 1, 1)
    # The share counts only districts with a population figure (last year's here).
    assert bien_hoa["share"] == Decimal("0.1") and long_thanh["share"] is None
    assert (data["population"], data["share"]) == (800, Decimal("0.1"))
    # Both records are new this week: the previous period had none.
    assert data["changes"]["managed"] is None or data["changes"]["managed"] > 0


def test_a_district_officer_counts_only_the_district_and_others_see_no_panel(
    officers, updates, week
):
    data = health_context(officers["long_thanh"], week)
    assert [row["label"] for row in data["rows"]] == ["Huyện Long Thành"]
    assert (data["total"].managed, data["total"].visited) == (1, 1)
    assert health_context(officers["none"], week) is None


def test_the_panel_and_its_workbook_over_http(client, officers, updates, week):
    client.force_login(officers["province"])
    query = week.query()
    page = client.get(reverse("dashboard:panel", args=["health"]), query)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="kpi-health-managed-value"' in body and "Huyện Long Thành" in body
    workbook = client.get(reverse("dashboard:panel_xlsx", args=["health"]), query)
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any(str(row[0]).startswith("Tổng") and row[1:4] == [2, 1, 1] for row in values), values
