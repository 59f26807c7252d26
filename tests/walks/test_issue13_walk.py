# ruff: noqa: F811 (pytest fixtures imported from other test modules are parameters here)
"""Issue 13's "Done when", walked in Debian Chromium through the real pages only: a province
health officer (export and merge rights) imports a record template file (about 200 synthetic
people in two districts' communes, with planted duplicates: one merged automatically, two left
doubtful), a QĐ 130 XML file and a vaccination export, each watched until its progress bar says
done and its report read; resolves a doubtful pair in the review queue ("Hợp nhất"); opens a
person's record and sees the imported visit and vaccination on the timeline; draws the district
table with its bar chart. Then the table's totals are checked against the database and the rows
imported, and a district officer, in a second browser, sees only their district's rows on the
people list and on the report page."""

from __future__ import annotations

import csv
import io
import os
import random
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from bench.health_population import (
    TODAY,
    generate_population,
    swap_adjacent,
    visits_of,
    without_marks,
    write_records_csv,
)
from edoc.background import wait_until_idle
from health.formats.qd130 import build_envelope
from health.models import (
    DuplicateCandidate,
    HealthAssignment,
    Icd10Code,
    ImportJob,
    MedicalVisit,
    MergeRecord,
    Person,
    Vaccination,
    Vaccine,
)
from health.validation import MALE
from tests.browser_support import login
from tests.conftest import assert_no_csp_violations, watch_csp
from tests.health.browser.test_reports_page import _chart_is_drawn
from tests.health.conftest import (  # noqa: F401 (fixtures)
    facility,
    health_catalogues,
    officers,
    places,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POPULATION = 200


def _people(places, facility_code: str) -> tuple[list, dict]:
    """~200 people in a commune of Biên Hòa and one of Long Thành, then the planted duplicates:
    the same person without a CCCD (confident: merged automatically), with two CCCD digits
    swapped (doubtful: two different CCCDs) and typed without marks, no CCCD, another phone and
    no card (doubtful: nothing shared confirms it)."""
    communes = [places["bien_hoa_commune"].code, places["long_thanh_commune"].code]
    people = list(
        generate_population(
            POPULATION, communes, seed=13, duplicate_rate=0, facilities=[facility_code]
        )
    )
    with_id = [p for p in people if p.citizen_id and p.phone and p.insurance_card]
    confident, swapped, unmarked = with_id[0], with_id[1], with_id[2]
    number = len(people)
    planted = {
        "confident": replace(confident, record=number, citizen_id="", typos=("missing_cccd",)),
        "swapped": replace(
            swapped,
            record=number + 1,
            citizen_id=swap_adjacent(swapped.citizen_id, random.Random(1)),
            typos=("swapped_cccd_digits",),
        ),
        "unmarked": replace(
            unmarked,
            record=number + 2,
            full_name=without_marks(unmarked.full_name),
            citizen_id="",
            phone="0909000111",
            insurance_card="",
            typos=("dropped_diacritics", "missing_cccd", "other_phone"),
        ),
    }
    return people, {"originals": (confident, swapped, unmarked), **planted}


def _vaccination_csv(people: list, vaccines: dict[str, Vaccine]) -> tuple[bytes, set[str], int]:
    """The national immunisation system's export (a row per dose) for 40 people with a CCCD:
    MR dose 1, and for every other one AstraZeneca doses 1 and 2; then a row naming a vaccine
    the catalogue lacks. (content, the CCCDs vaccinated, the doses in good rows)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "STT",
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Số CCCD",
            "Mã xã",
            "Tên vắc xin",
            "Mũi tiêm",
            "Ngày tiêm",
            "Cơ sở tiêm",
            "Số lô",
        ]
    )
    chosen = [p for p in people if p.citizen_id and p.birth_date < date(2020, 1, 1)][:40]
    doses = []
    for index, p in enumerate(chosen):
        doses.append((p, vaccines["MR"].name, 1, date(2024, 3, 1) + timedelta(days=index)))
        if index % 2:
            doses.append((p, "AstraZeneca", 1, date(2021, 8, 2)))
            doses.append((p, "AstraZeneca", 2, date(2021, 10, 4)))
    for line, (p, vaccine, dose, day) in enumerate(doses, 1):
        writer.writerow(
            [
                line,
                p.full_name,
                p.birth_date.strftime("%d/%m/%Y"),
                "Nam" if p.sex == MALE else "Nữ",
                p.citizen_id,
                p.commune_code,
                vaccine,
                dose,
                day.strftime("%d/%m/%Y"),
                "Trạm Y tế xã",
                f"L{line:04d}",
            ]
        )
    p = chosen[0]
    writer.writerow(
        [
            len(doses) + 1,
            p.full_name,
            p.birth_date.strftime("%d/%m/%Y"),
            "Nam",
            p.citizen_id,
            p.commune_code,
            "Thuốc lạ",
            1,
            "01/02/2024",
            "",
            "",
        ]
    )
    return out.getvalue().encode("utf-8-sig"), {p.citizen_id for p in chosen}, len(doses)


def _import(page, kind: str, path, rows: int) -> ImportJob:
    """Upload `path` as `kind` on /health/imports/new/, watch the bar until the job is done and
    the page (reloaded) shows the report; the job, once the clean-up it queued has run."""
    page.goto("/health/imports/")
    page.click("#btn-import-new")
    page.select_option("#id_kind", kind)
    page.set_input_files("#id_file", str(path))
    page.click("#btn-import-start")
    expect(page.locator("#import-bar")).to_be_visible()
    expect(page.locator('#import-progress [data-status="done"]')).to_be_visible(timeout=60_000)
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")
    expect(page.locator("#import-counts")).to_contain_text(f"{rows}/{rows}")
    expect(page.locator("#import-report")).to_be_visible()
    assert wait_until_idle(60)  # the clean-up of the records the job touched
    return ImportJob.objects.get(file_name=path.name)


def _report_totals(page) -> list[int]:
    cells = page.locator("#report-table .report-total th.num").all_inner_texts()
    return [int(cell.replace(".", "").replace(",", "")) for cell in cells]


def _expected_totals(people) -> list[int]:
    return [
        people.count(),
        people.filter(vaccinations__isnull=False).distinct().count(),
        people.filter(visits__isnull=False).distinct().count(),
    ]


def test_issue13_done_when(
    page, browser, live_server, places, facility, officers, tmp_path, screenshots
):
    started = time.monotonic()
    province = officers["province"]
    HealthAssignment.objects.filter(user=province).update(can_export=True, can_merge=True)
    population, planted = _people(places, facility.code)
    records = [*population, planted["confident"], planted["swapped"], planted["unmarked"]]
    out = io.StringIO(newline="")
    write_records_csv(records, out)
    out.write(f",,01/02/1980,Nam,Kinh,,{places['bien_hoa_commune'].code},,,,,\r\n")  # no name
    records_path = tmp_path / "ho-so-hai-huyen.csv"
    records_path.write_bytes(out.getvalue().encode("utf-8-sig"))
    visits = list(visits_of([p for p in population if p.citizen_id], seed=4, visit_rate=0.25))
    qd130_path = tmp_path / "75001_00001.xml"
    vaccines = {v.code: v for v in Vaccine.objects.all()}
    content, vaccinated, doses = _vaccination_csv(population, vaccines)
    vaccination_path = tmp_path / "tiem-chung-tcqg.csv"
    vaccination_path.write_bytes(content)

    # 1. The record template: every row but the nameless one; one planted duplicate merged
    #    automatically by the clean-up that follows the import, two left for an officer.
    login(page, province.username)
    page.click("#nav-health")
    page.click("#btn-imports")
    rows = len(records) + 1
    job = _import(page, "records", records_path, rows)
    expect(page.locator("#count-created")).to_have_text(str(rows - 1))
    expect(page.locator("#count-rejected")).to_have_text("1")
    problem = page.locator("#import-problems .problem-row")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text(str(rows + 1))  # the file's line (after the headings)
    expect(problem).to_contain_text("Thiếu họ và tên")
    assert (job.status, job.created_count) == ("done", rows - 1)
    automatic = MergeRecord.objects.get(automatic=True)
    assert {automatic.survivor.full_name} == {planted["confident"].full_name}
    open_pairs = DuplicateCandidate.objects.filter(status="open", verdict="doubtful")
    assert open_pairs.count() == 2

    # 2. QĐ 130 XML: each visit on the record with its CCCD, nobody new; the visits whose main
    #    diagnosis the shipped ICD-10 subset lacks (J20.9) reported by their HOSO number.
    known = set(Icd10Code.objects.values_list("code", flat=True))
    visits = [v for v in visits if v.main_icd[:3] in known] + [
        v for v in visits if v.main_icd[:3] not in known
    ]
    unknown = [v for v in visits if v.main_icd[:3] not in known]
    qd130_path.write_bytes(build_envelope(visits, facility.code, TODAY))
    visits = visits[: len(visits) - len(unknown)]
    assert unknown and visits
    job = _import(page, "qd130", qd130_path, len(visits) + len(unknown))
    expect(page.locator("#count-created")).to_have_text(str(len(visits)))
    expect(page.locator("#count-rejected")).to_have_text(str(len(unknown)))
    problems = page.locator("#import-problems .problem-row")
    expect(problems).to_have_count(len(unknown))
    expect(problems.first).to_contain_text(str(len(visits) + 1))  # the HOSO's number
    expect(problems.first).to_contain_text(
        f"Mã bệnh chính “{unknown[0].main_icd}” không có trong danh mục ICD-10."
    )
    assert job.created_count == MedicalVisit.objects.count() == len(visits)
    assert Person.objects.count() == rows - 1  # every visit found its record by CCCD

    # 3. The vaccination export: every good dose, the unknown vaccine reported with its line.
    job = _import(page, "vaccinations", vaccination_path, doses + 1)
    expect(page.locator("#count-created")).to_have_text(str(doses))
    problem = page.locator("#import-problems .problem-row")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text(str(doses + 2))
    expect(problem).to_contain_text("Thuốc lạ")
    assert job.created_count == Vaccination.objects.count() == doses
    page.screenshot(path=os.path.join(screenshots, "issue13-import-report.png"), full_page=True)

    # 4. The review queue: the unmarked copy merged into the marked original.
    original = planted["originals"][2]
    page.click("#nav-health")
    page.click("#btn-duplicates")
    pairs = page.locator(".duplicate-pair")
    expect(pairs).to_have_count(2)
    pair = pairs.filter(has_text=planted["unmarked"].full_name)
    expect(pair).to_contain_text("Không tự động hợp nhất")
    kept = Person.objects.get(citizen_id=original.citizen_id)
    pair.locator(f'input[name="survivor"][value="{kept.pk}"]').check()
    pair.get_by_role("button", name="Hợp nhất").click()
    expect(page.locator("#messages")).to_contain_text(
        f"Đã hợp nhất hai hồ sơ vào hồ sơ {original.full_name}"
    )
    expect(page.locator(".duplicate-pair")).to_have_count(1)
    merged = Person.objects.get(full_name=planted["unmarked"].full_name)
    assert merged.merged_into == kept

    # 5. A record's timeline: found by its CCCD, its imported visit and vaccination.
    visit = next(v for v in visits if v.citizen_id in vaccinated)
    person = Person.objects.get(citizen_id=visit.citizen_id)
    page.click("#nav-health")
    page.fill("#people-q", visit.citizen_id)
    page.click("#people-search button")
    found = page.locator("#people .person-row")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(visit.citizen_id[:4] + "******" + visit.citizen_id[-2:])
    found.get_by_role("link", name=person.full_name).click()
    page.wait_for_url(f"**/health/people/{person.pk}/")
    timeline = page.locator("#timeline li")
    expect(timeline.filter(has_text="Khám chữa bệnh")).to_have_count(1)
    expect(page.locator("#timeline .timeline-visit")).to_contain_text(visit.main_icd[:3])
    expect(page.locator("#timeline .timeline-visit")).to_contain_text(
        visit.admitted_at.strftime("%d/%m/%Y")
    )
    expect(page.locator("#timeline .timeline-vaccination").first).to_contain_text("Vắc xin")
    assert page.locator("#timeline .timeline-vaccination").count() == (person.vaccinations.count())
    page.screenshot(path=os.path.join(screenshots, "issue13-timeline.png"), full_page=True)

    # 6. The district table and its chart; its totals are the database's and the imports'.
    page.click("#nav-health")
    page.click("#btn-health-reports")
    page.select_option("#id_grouping", "district")
    page.click("#btn-report")
    expect(page.locator("#report-table .report-total")).to_contain_text("Tổng số")
    expect(page.locator("#report-chart")).to_have_attribute("data-drawn", "true")
    page.wait_for_function("() => document.querySelector('#report-chart').chart !== undefined")
    assert _chart_is_drawn(page)
    report_png = os.path.join(screenshots, "issue13-report.png")
    page.screenshot(path=report_png, full_page=True)
    active = Person.objects.filter(merged_into__isnull=True)
    totals = _report_totals(page)
    assert totals == _expected_totals(active)
    # The rows imported: the template's records less the two merges, the vaccinated CCCDs, one
    # record per visit (the generator gives a person at most one).
    assert totals == [rows - 1 - 2, len(vaccinated), len(visits)]
    for district in ("bien_hoa", "long_thanh"):
        name = places[district].name
        row = page.locator("#report-table .report-row", has_text=name)
        values = [int(v) for v in row.locator("td.num").all_inner_texts()]
        assert values == _expected_totals(active.filter(district=places[district])), name

    # 7. A district officer, in another browser, sees only their district.
    other = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport={"width": 1400, "height": 1000}
    )
    other.set_default_timeout(15_000)
    violations = watch_csp(other)
    try:
        district_page = other.new_page()
        officer = officers["long_thanh"]
        login(district_page, officer.username)
        district_page.click("#nav-health")
        theirs = active.filter(district=places["long_thanh"])
        seen_districts, seen_rows = set(), 0
        while True:
            listed = district_page.locator("#people .person-row")
            seen_rows += listed.count()
            seen_districts |= set(listed.locator("td:nth-child(7)").all_inner_texts())
            following = district_page.locator("#pagination a[rel=next]")
            if not following.count():
                break
            following.click()
            district_page.wait_for_load_state()
        assert seen_districts == {places["long_thanh"].name}
        assert seen_rows == theirs.count() > 0
        assert theirs.count() < active.count()
        elsewhere = active.filter(district=places["bien_hoa"]).first()
        assert district_page.goto(f"/health/people/{elsewhere.pk}/").status == 404

        district_page.click("#nav-health")
        district_page.click("#btn-health-reports")
        district_page.select_option("#id_grouping", "district")
        district_page.click("#btn-report")
        report_rows = district_page.locator("#report-table .report-row")
        expect(report_rows).to_have_count(1)
        expect(report_rows).to_contain_text(places["long_thanh"].name)
        expect(district_page.locator("#report-table")).not_to_contain_text(places["bien_hoa"].name)
        assert _report_totals(district_page) == _expected_totals(theirs)
        district_page.screenshot(
            path=os.path.join(screenshots, "issue13-report-district.png"), full_page=True
        )
    finally:
        other.close()
    assert_no_csp_violations(violations)
    elapsed = time.monotonic() - started
    print(f"issue 13 walk: {elapsed:.1f} s")
    assert elapsed < 90
