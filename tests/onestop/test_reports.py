"""Reports: dossiers in every category, counted by the database, on the page and in XLSX."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onestop import reports, services
from onestop.models import Procedure
from workflows import calendar

pytestmark = pytest.mark.django_db
VN = calendar.VN_TZ
JUNE = {"date_from": datetime.date(2026, 6, 1), "date_to": datetime.date(2026, 6, 30)}


def at(clock, day: int, hour: int = 9, month: int = 6):
    return clock.set(datetime.datetime(2026, month, day, hour, 0))


@pytest.fixture
def scenario(procedure, applicant, officer, users, all_files, signed_result, clock, agency, units):
    """June 2026, procedure of 10 working days (fee waived to keep it short):

    A online, accepted 2/6, finished 9/6 (on time)      B counter 3/6, finished 30/6 (late)
    C counter 5/6, open, overdue on 15/7                D online 8/6, accepted, overdue on 15/7
    E online 10/6, not accepted yet (in progress)        F counter in May, still open, overdue
    G online 11/6, refused                               H counter 12/6, paused 15/6 (before its
                                                           appointment), so not overdue on 15/7
    I another procedure (pharmacy), counter 20/6, open.
    """
    Procedure.objects.filter(pk=procedure.pk).update(fee=0)
    procedure.refresh_from_db()
    head = users["head"]

    def online(day):
        at(clock, day)
        draft = services.dossier_save_draft(
            procedure=procedure, applicant=applicant, files=all_files()
        )
        return services.dossier_submit_online(dossier=draft)

    def counter(day, month=6, proc=procedure):
        at(clock, day, month=month)
        files = all_files() if proc == procedure else {}
        return services.dossier_receive_at_counter(
            officer=officer, procedure=proc, applicant=applicant, files=files
        )

    def finish(dossier, day):
        at(clock, day, hour=10)
        services.dossier_finish(officer=head, dossier=dossier, result_document=signed_result)

    a = services.dossier_accept(officer=officer, dossier=online(2))
    finish(a, 9)
    b = counter(3)
    finish(b, 30)
    counter(5)
    online_d = online(8)
    services.dossier_accept(officer=officer, dossier=online_d)
    online(10)
    counter(20, month=5)
    g = online(11)
    services.dossier_reject(officer=officer, dossier=g, reason="Sai thủ tục")
    h = counter(12)
    at(clock, 15)
    services.dossier_request_supplement(officer=officer, dossier=h, message="Bổ sung")
    other = Procedure.objects.create(
        agency=agency,
        code="SYT-DUOC-01",
        name="Cấp chứng chỉ hành nghề dược",
        processing_days=20,
        handling_unit=units["pharmacy"],
    )
    counter(20, proc=other)
    return clock.set(datetime.datetime(2026, 7, 15, 9, 0))


def test_counts_per_procedure(scenario, users):
    rows = reports.dossier_report(users["director"], **JUNE)
    assert [row["label"] for row in rows] == [
        "1.004616 – Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "SYT-DUOC-01 – Cấp chứng chỉ hành nghề dược",
    ]
    first, second = rows
    assert {key: first[key] for key, _title in reports.COLUMNS} == {
        "received_online": 4,  # A, D, E, G
        "received_counter": 3,  # B, C, H (F was in May)
        "on_time": 1,  # A
        "late": 1,  # B
        "in_progress": 2,  # E (no appointment yet), H (paused before its appointment)
        "overdue": 3,  # C (due 19/6), D (due 22/6), F (received in May)
    }
    assert second["received_counter"] == 1 and second["in_progress"] == 1
    assert reports.report_totals(rows)["received_counter"] == 4


def test_counts_per_unit_and_permissions(scenario, users):
    rows = reports.dossier_report(users["director"], group_by="unit", **JUNE)
    assert [row["label"] for row in rows] == ["Phòng Nghiệp vụ Dược", "Phòng Nghiệp vụ Y"]
    # The pharmacy unit's head sees only its own procedure's dossiers.
    own = reports.dossier_report(users["other_head"], group_by="unit", **JUNE)
    assert [row["label"] for row in own] == ["Phòng Nghiệp vụ Dược"]


def test_one_bounded_query_gives_every_grouping_as_counting_every_dossier(scenario, users):
    """The report reads only the dossiers submitted or finished in the period or open, and
    rolls one per-procedure query up per grouping: the same counts as grouping every visible
    dossier by each grouping's key in SQL."""
    from django.db.models import Count
    from django.utils import timezone

    from onestop.access import visible_dossiers

    together = reports.dossier_reports(
        users["director"], group_bys=("procedure", "unit", "field", "level"), **JUNE
    )
    conditions = reports.outcome_conditions(
        reports.Period.of(JUNE["date_from"], JUNE["date_to"]), timezone.now()
    )
    for group_by, rows in together.items():
        key = reports.GROUPINGS[group_by][0]
        every = (
            visible_dossiers(users["director"])
            .values(key)
            .annotate(**{name: Count("pk", filter=conditions[name]) for name in reports.OUTCOMES})
        )
        expected = {
            row[key]: {name: row[name] for name in reports.OUTCOMES}
            for row in every
            if any(row[name] for name in reports.OUTCOMES)
        }
        got = {row["key"]: {name: row[name] for name in reports.OUTCOMES} for row in rows}
        assert got == expected, group_by
    assert reports.report_totals(together["level"]) == reports.report_totals(together["unit"])
    assert [row["label"] for row in together["unit"]] == [
        "Phòng Nghiệp vụ Dược",
        "Phòng Nghiệp vụ Y",
    ]


def test_the_open_dossiers_index_covers_the_reports_open_statuses():
    from onestop.models import Dossier

    (index,) = [i for i in Dossier._meta.indexes if i.name == "onestop_dossier_open_idx"]
    assert sorted(index.condition.children[0][1]) == sorted(reports.OPEN_STATUSES)


def test_report_page_and_xlsx(client, scenario, users):
    client.force_login(users["director"])
    query = {"date_from": "2026-06-01", "date_to": "2026-06-30"}
    page = client.get(reverse("onestop:report"), query)
    assert page.status_code == 200 and "Cấp chứng chỉ hành nghề dược" in page.text
    export = client.get(reverse("onestop:report"), {**query, "format": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[2][1:] == [title for _key, title in reports.COLUMNS]
    assert values[-1][0] == "Tổng cộng"
    rows = reports.dossier_report(users["director"], **JUNE)
    totals = reports.report_totals(rows)
    assert values[-1][1:] == [totals[key] for key, _title in reports.COLUMNS]
    # A reversed period is corrected, with a message, never a 500.
    swapped = client.get(
        reverse("onestop:report"), {"date_from": "2026-06-30", "date_to": "2026-06-01"}
    )
    assert swapped.status_code == 200


def test_procedures_per_online_level(procedure, users, agency, units):
    Procedure.objects.create(
        agency=agency,
        code="SYT-X",
        name="Thủ tục trực tiếp",
        processing_days=5,
        handling_unit=units["medical"],
        online_level="counter",
    )
    levels = {row["level"]: row["count"] for row in reports.procedure_levels(users["director"])}
    assert levels == {"full": 1, "partial": 0, "counter": 1}
