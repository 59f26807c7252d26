"""Issue 13: the plan's first table from live records — numbers equal the rows created (with
the date cut-off), a district officer's scope, the 2025 communes, facilities, exports that need
the right and a reason and are audited, a PDF in Vietnamese."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from edoc.models import AuditEntry
from health import aggregates, reports, services
from health.models import AdminUnit, Facility, Person, UnitSuccession

from .conftest import assign

pytestmark = pytest.mark.django_db
ON = date(2022, 12, 31)


def _person(name: str, commune: AdminUnit, entered: date, **fields) -> Person:
    person = services.person_create(
        actor=None, full_name=name, birth_date=date(1970, 1, 1), sex="female", commune=commune,
        **fields,
    )  # fmt: skip
    entered_at = timezone.make_aware(datetime.combine(entered, datetime.min.time()))
    Person.objects.filter(pk=person.pk).update(created_at=entered_at + timedelta(hours=23))
    aggregates.refresh([person.pk])  # written around the services: the aggregates follow
    return person


def _dose(person: Person, given_on: date, codes, facility=None, key: str = "") -> None:
    services.vaccination_add(
        actor=None, person=person, vaccine=codes["mr"], dose_number=1, given_on=given_on,
        facility=facility, source="test", row_key=key or f"v{person.pk}-{given_on}",
    )  # fmt: skip


def _visit(person: Person, day: date, codes, facility: Facility) -> None:
    services.visit_add(
        actor=None, person=person, facility=facility,
        admitted_at=timezone.make_aware(datetime.combine(day, datetime.min.time())),
        main_diagnosis=codes["I10"], source="test", row_key=f"k{person.pk}-{day}",
    )  # fmt: skip


@pytest.fixture
def population(places, codes, facility) -> dict:
    """Biên Hòa: 3 records by 31/12/2022 (one with a dose on the day, one with a visit on the
    day, one with a dose and a visit after it) and one entered on 1/1/2023; Long Thành: 2
    records, one with 2 doses; one record of an ambiguous 2025 commune."""
    bh, lt = places["bien_hoa_commune"], places["long_thanh_commune"]
    clinic = Facility.objects.create(code="75740", name="Trung tâm Y tế Long Thành")
    a = _person("Nguyễn Thị A", bh, date(2020, 5, 1), insurance_facility=facility)
    _dose(a, ON, codes, facility)
    b = _person("Nguyễn Thị B", bh, date(2021, 1, 1), insurance_facility=facility)
    _visit(b, ON, codes, clinic)
    c = _person("Nguyễn Thị C", bh, ON)
    _dose(c, ON + timedelta(days=1), codes, facility)
    _visit(c, ON + timedelta(days=1), codes, facility)
    d = _person("Nguyễn Thị D", bh, ON + timedelta(days=1))
    _dose(d, ON - timedelta(days=300), codes, facility)
    e = _person("Nguyễn Thị E", lt, date(2019, 1, 1), insurance_facility=clinic)
    _dose(e, date(2021, 8, 1), codes, clinic, key="e1")
    _dose(e, date(2021, 10, 1), codes, clinic, key="e2")
    _visit(e, date(2022, 3, 1), codes, clinic)
    _visit(e, date(2022, 4, 1), codes, facility)
    f = _person("Nguyễn Thị F", lt, date(2018, 1, 1))
    ambiguous = next(
        new
        for new in AdminUnit.objects.filter(edition="2025", level="commune")
        if new.predecessions.values("old__parent").distinct().count() > 1
    )
    g = _person("Nguyễn Thị G", ambiguous, date(2022, 6, 1))
    _visit(g, date(2022, 7, 1), codes, clinic)
    return {"clinic": clinic, "ambiguous": ambiguous, "people": [a, b, c, d, e, f, g]}


def _rows(table: reports.Table) -> dict[str, list[int]]:
    return {row.label: row.values() for row in table.rows if row.values() != [0, 0, 0]}


def test_the_district_table_counts_the_rows_created_up_to_the_date(officers, population):
    table = reports.district_table(officers["province"], ON)
    assert _rows(table) == {
        "Thành phố Biên Hòa": [3, 1, 1],
        "Huyện Long Thành": [2, 1, 1],
        "Không xác định huyện (địa bàn sau 01/7/2025)": [1, 0, 1],
    }
    assert table.total.values() == [6, 2, 3]
    # The plan's layout: every district of the province is a row, the undetermined one last.
    districts = AdminUnit.objects.filter(edition="2008", level="district", province_code="75")
    assert len(table.rows) == districts.count() + 1 and table.rows[-1].key is None
    assert table.rows[0].label == "Thành phố Biên Hòa"
    later = reports.district_table(officers["province"], ON + timedelta(days=1))
    assert later.total.values() == [7, 4, 4]
    earlier = reports.district_table(officers["province"], date(2019, 12, 31))
    assert earlier.total.values() == [2, 0, 0]


def test_a_district_officer_counts_only_their_district(officers, population):
    table = reports.district_table(officers["bien_hoa"], ON)
    assert [(row.label, row.values()) for row in table.rows] == [("Thành phố Biên Hòa", [3, 1, 1])]
    assert table.total.values() == [3, 1, 1]
    communes = reports.table(officers["long_thanh"], "commune", ON)
    assert communes.total.values() == [2, 1, 1]
    assert sum(row.managed for row in communes.rows) == 2


def test_the_commune_table_uses_the_2025_map(officers, population, places):
    table = reports.table(officers["province"], "commune", ON)
    new_bh = UnitSuccession.objects.get(old=places["bien_hoa_commune"], is_default=True).new
    new_lt = UnitSuccession.objects.get(old=places["long_thanh_commune"], is_default=True).new
    rows = _rows(table)
    assert rows[new_bh.name] == [3, 1, 1]
    assert rows[new_lt.name] == [2, 1, 1]
    assert rows[population["ambiguous"].name] == [1, 0, 1]
    assert table.total.values() == [6, 2, 3]
    # Every commune of the new Đồng Nai is a row.
    assert len(table.rows) == AdminUnit.objects.filter(edition="2025", level="commune").count()


def test_the_facility_table_counts_registrations_and_the_facility_of_each_update(
    officers, population, facility
):
    table = reports.table(officers["province"], "facility", ON)
    rows = {row.key: row.values() for row in table.rows}
    clinic = population["clinic"]
    # Managed: registered at; updates: where the dose was given / the visit took place.
    assert rows[facility.pk] == [2, 1, 1]
    assert rows[clinic.pk] == [1, 1, 3]
    assert rows[None] == [3, 0, 0]
    # The total counts each record once (E was seen at both facilities).
    assert table.total.values() == [6, 2, 3]
    facility_officer = officers["none"]
    assign(facility_officer, "facility", facility=facility)
    own = reports.table(facility_officer, "facility", ON)
    # A, B registered there; C and E seen there (C after the date: visible, not updated).
    assert own.total.values() == [4, 2, 2]


@pytest.fixture
def bien_hoa_client(client, officers, population):
    client.force_login(officers["bien_hoa"])
    return client


def test_the_page_draws_the_table_and_its_chart_data_and_is_audited(bien_hoa_client):
    response = bien_hoa_client.get(
        reverse("health:reports"), {"on": "2022-12-31", "grouping": "district"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Thành phố Biên Hòa" in body and "Huyện Long Thành" not in body
    assert 'id="report-chart-data"' in body and "chart.umd.min.js" in body
    assert response.context["chart"]["datasets"][0]["data"] == [3]
    assert AuditEntry.objects.filter(action="health.report_viewed").count() == 1


def test_a_future_date_or_unknown_grouping_is_a_form_error(bien_hoa_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = bien_hoa_client.get(reverse("health:reports"), {"on": tomorrow.isoformat()})
    assert response.status_code == 400 and response.context["table"] is None
    response = bien_hoa_client.get(reverse("health:reports"), {"on": "2022-12-31", "grouping": "x"})
    assert response.status_code == 400


def test_without_a_health_role_the_page_does_not_exist(client, officers):
    client.force_login(officers["none"])
    assert client.get(reverse("health:reports")).status_code == 404
    assert client.post(reverse("health:report_export")).status_code == 404


def _export(client, **fields):
    data = {"on": "2022-12-31", "grouping": "district", "format": "xlsx"} | fields
    return client.post(reverse("health:report_export"), data)


def test_an_export_needs_the_right_a_reason_and_is_audited(client, officers, population):
    client.force_login(officers["long_thanh"])  # no export right
    assert _export(client, reason="Báo cáo Sở Y tế quý IV").status_code == 403
    client.force_login(officers["bien_hoa"])
    refused = _export(client, reason="")
    assert refused.status_code == 400 and "reason" in refused.context["export_form"].errors
    assert not AuditEntry.objects.filter(action="health.report_exported").exists()
    response = _export(client, reason="Báo cáo Sở Y tế quý IV")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    assert values == [[1, "Thành phố Biên Hòa", 3, 1, 1], [None, "Tổng số", 3, 1, 1]]
    entry = AuditEntry.objects.get(action="health.report_exported")
    assert entry.details["reason"] == "Báo cáo Sở Y tế quý IV"
    assert entry.details["format"] == "xlsx" and entry.details["total"] == [3, 1, 1]


def test_the_pdf_export_renders_vietnamese(client, officers, population, tmp_path):
    client.force_login(officers["province"])
    assign(officers["province"], "province", AdminUnit.objects.get(edition="2008", code="75",
           level="province"), can_export=True)  # fmt: skip
    response = _export(client, format="pdf", reason="Báo cáo kế hoạch chuyển đổi số")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "BẢNG THỐNG KÊ SỐ LIỆU HỒ SƠ SỨC KHỎE ĐIỆN TỬ" in text
    assert "Thành phố Biên Hòa" in text and "Tổng số" in text
    assert "Không xác định huyện" in text
    pdf = tmp_path / "table.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


def test_a_province_officer_creates_a_record_in_a_2025_commune_and_the_table_counts_it(
    client, officers, places
):
    client.force_login(officers["province"])
    url = reverse("health:person_create")
    ambiguous = next(
        new
        for new in AdminUnit.objects.filter(edition="2025", level="commune").order_by("code")
        if new.predecessions.values("old__parent").distinct().count() > 1
    )
    assert f"{ambiguous.name} — Tỉnh Đồng Nai (từ 01/7/2025)" in client.get(url).content.decode()
    data = {"full_name": "Mai Văn Hậu", "birth_date": "1990-02-03", "sex": "male"}
    response = client.post(url, data | {"commune": ambiguous.pk})
    person = Person.objects.get()
    assert response.status_code == 302 and person.commune_2025 == ambiguous
    assert person.district is None
    today = timezone.localdate()
    rows = _rows(reports.district_table(officers["province"], today))
    assert rows == {"Không xác định huyện (địa bàn sau 01/7/2025)": [1, 0, 0]}
    assert _rows(reports.table(officers["province"], "commune", today)) == {
        ambiguous.name: [1, 0, 0]
    }
    # A district officer cannot choose the communes of the new map.
    client.force_login(officers["bien_hoa"])
    assert ambiguous.name not in client.get(url).content.decode()
