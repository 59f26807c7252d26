"""A director opens the dashboard, changes the period, clicks "overdue now" of one unit into
the list of its overdue documents, exports a panel, and the public page shows the same on-time
figure as the dashboard — numbers checked against the data of the fixtures (documents of
June 2026 from tests/dashboard/conftest.py, dossiers of the one-stop report's June scenario)."""

# ruff: noqa: F401, F811 (fixtures imported from the one-stop tests)
from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser_support import login
from tests.onestop.conftest import (
    _media,
    all_files,
    applicant,
    officer,
    papers,
    procedure,
    test_pki,
    upload,
)
from tests.onestop.test_reports import scenario
from tests.signing.signing_support import (
    _no_token_unless_asked,
    in_signing,
    pkcs12_data,
    registered_signers,
    shipped,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_result(in_signing, users, test_pki):
    """tests/onestop's signed result, signed on a thread of its own: pyHanko runs its own
    event loop, which cannot start inside Playwright's (the browser may already be open)."""
    from django.db import connection

    from edoc.models import Document
    from tests.signing.signing_support import open_item
    from workflows.services.processes import work_item_complete

    document, sign = in_signing
    failures: list[BaseException] = []

    def sign_and_issue() -> None:
        try:
            work_item_complete(user=users["director"], work_item=sign, data=pkcs12_data(test_pki))
            work_item_complete(user=users["clerk"], work_item=open_item(document, "issue"))
        except BaseException as error:  # re-raised in the test's thread
            failures.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=sign_and_issue)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]
    return Document.objects.get(pk=document.pk)


def test_director_drills_down_exports_and_matches_the_public_page(
    scenario, documents, page, users, units, screenshots
):
    login(page, "giamdoc")
    page.click("#nav-dashboard")
    page.wait_for_selector("#kpi-doc-received-value")
    # Change the period to June 2026.
    page.fill("#dashboard-filters input[name=date_from]", "2026-06-01")
    page.fill("#dashboard-filters input[name=date_to]", "2026-06-30")
    with page.expect_navigation():
        page.click("#btn-dashboard-filter")
    assert "01/06/2026" in page.inner_text("#dashboard-period")
    page.wait_for_selector("#panel-documents #kpi-doc-received-value")
    page.wait_for_selector("#panel-services #kpi-svc-on-time-value")
    page.wait_for_selector("#panel-payments .panel-head")
    assert page.inner_text("#kpi-doc-received-value") == "5"
    assert page.inner_text("#kpi-doc-overdue-value") == "1"
    # The charts are drawn (Chart.js from static/vendor, data from json_script).
    page.wait_for_selector("#panel-documents canvas[data-drawn]")
    page.screenshot(path=f"{screenshots}/dashboard.png", full_page=True)

    # "Overdue now" of the pharmacy unit → the incoming list of its overdue documents.
    pharmacy = f"#doc-units tr[data-key='{units['pharmacy'].pk}']"
    assert page.inner_text(f"{pharmacy} a.n-overdue") == "1"
    with page.expect_navigation():
        page.click(f"{pharmacy} a.n-overdue")
    assert "/incoming/" in page.url and "handling=overdue" in page.url
    listed = page.inner_text("main")
    assert "Văn bản C" in listed
    for other in ("Văn bản A", "Văn bản B", "Văn bản D", "Văn bản E"):
        assert other not in listed
    assert page.input_value("select[name=handling]") == "overdue"
    page.go_back()

    # Export the documents panel.
    page.wait_for_selector("#xlsx-documents")
    with page.expect_download() as download:
        page.click("#xlsx-documents")
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(workbook["Theo đơn vị"].values)[4:]
    assert {row[0]: row[3] for row in rows} == {"Phòng Nghiệp vụ Dược": 1, "Phòng Nghiệp vụ Y": 0}

    # The public page shows the same on-time figure as the dashboard's services panel.
    on_time = page.inner_text("#kpi-svc-on-time-value")
    assert on_time == "50,0%"  # A on time, B late (the one-stop report's scenario)
    page.context.clear_cookies()
    page.goto("/dashboard/public/?date_from=2026-06-01&date_to=2026-06-30")
    assert page.inner_text("#kpi-pub-on-time-value") == on_time
    assert page.inner_text("#index-groups tr[data-group=timeliness] td:nth-child(3)") == "10,00"
