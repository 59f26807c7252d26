"""Issue 13: a district officer draws the plan's first table for a date in the browser, sees
their district's row, the total and the bar chart drawn on its canvas, and downloads the XLSX
with a reason."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from edoc.models import AuditEntry
from tests.browser_support import login
from tests.health.test_reports import population  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _chart_is_drawn(page) -> bool:
    """Chart.js drew bars: the canvas holds enough coloured pixels."""
    return page.evaluate(
        """() => {
          const canvas = document.querySelector("#report-chart[data-drawn]");
          if (!canvas) return false;
          const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
          let coloured = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] > 0 && data[i + 2] > 150 && data[i] < 100) coloured++;
          }
          return coloured > 500;
        }"""
    )


def test_a_district_officer_draws_the_district_table_and_its_chart(
    page,
    officers,
    population,  # noqa: F811
    screenshots,
):
    login(page, officers["bien_hoa"].username)
    page.click("#nav-health")
    page.click("#btn-health-reports")
    page.fill("#id_on", "2022-12-31")
    page.select_option("#id_grouping", "district")
    page.click("#btn-report")
    rows = page.locator("#report-table .report-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Thành phố Biên Hòa")
    expect(page.locator("#report-table .report-total")).to_contain_text("Tổng số")
    cells = page.locator("#report-table .report-total th.num")
    expect(cells).to_have_text(["3", "1", "1"])
    expect(page.locator("#report-chart")).to_have_attribute("data-drawn", "true")
    page.wait_for_function("() => document.querySelector('#report-chart').chart !== undefined")
    assert _chart_is_drawn(page)
    page.screenshot(path=os.path.join(screenshots, "health-report.png"), full_page=True)

    page.fill("#id_reason", "Báo cáo Sở Y tế quý IV")
    with page.expect_download() as download_info:
        page.click("#btn-export-xlsx")
    assert download_info.value.suggested_filename == "ho-so-suc-khoe-district-2022-12-31.xlsx"
    entry = AuditEntry.objects.get(action="health.report_exported")
    assert entry.details["reason"] == "Báo cáo Sở Y tế quý IV"
