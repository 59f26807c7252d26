"""Issue 13: a district officer downloads the record template, uploads a filled records CSV,
watches the job's progress bar until it finishes, and reads the report (a bad row with its
line and reason)."""

from __future__ import annotations

import io
import os

import pytest
from playwright.sync_api import expect

from bench.health_population import generate_population, write_records_csv
from edoc.background import wait_until_idle
from edoc.models import AuditEntry
from health.models import ImportJob, Person
from tests.browser_support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_uploads_a_records_csv_and_watches_the_job_finish(
    page, places, officers, tmp_path, screenshots
):
    commune = places["bien_hoa_commune"].code
    out = io.StringIO(newline="")
    write_records_csv(generate_population(2500, [commune], seed=11, duplicate_rate=0), out)
    out.write(f",,01/02/1980,Nam,Kinh,,{commune},,,,,\r\n")  # line 2502: no name
    path = tmp_path / "ho-so-bien-hoa.csv"
    path.write_bytes(out.getvalue().encode("utf-8-sig"))

    login(page, officers["bien_hoa"].username)
    page.click("#nav-health")
    page.click("#btn-imports")
    page.click("#btn-import-new")
    with page.expect_download() as download:
        page.click("#template-xlsx")
    assert download.value.suggested_filename == "mau-ho-so-suc-khoe.xlsx"
    expect(page.locator("#id_kind option")).to_have_count(2)  # records and vaccinations
    page.select_option("#id_kind", "records")
    page.set_input_files("#id_file", str(path))
    page.click("#btn-import-start")

    expect(page.locator("#import-bar")).to_be_visible()
    page.screenshot(path=os.path.join(screenshots, "health-import-running.png"), full_page=True)
    expect(page.locator('#import-progress [data-status="done"]')).to_be_visible(timeout=120_000)
    expect(page.locator("#import-counts")).to_contain_text("2501/2501")
    expect(page.locator("#count-rejected")).to_have_text("1")
    problems = page.locator("#import-problems .problem-row")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("2502")
    expect(problems.first).to_contain_text("Thiếu họ và tên")
    page.screenshot(path=os.path.join(screenshots, "health-import-done.png"), full_page=True)

    assert wait_until_idle(30)
    job = ImportJob.objects.get()
    created = job.created_count
    assert created + job.rejected_count == 2501 and job.status == "done"
    assert Person.objects.filter(source="records").count() == created
    assert AuditEntry.objects.filter(action="health.import_chunk").count() == 3
    page.click("text=Nhập dữ liệu hồ sơ sức khỏe")
    expect(page.locator("#imports .import-row")).to_contain_text("ho-so-bien-hoa.csv")
