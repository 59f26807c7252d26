"""Issue 13: a district officer resolves a doubtful duplicate in the review queue (merging it
into the record they choose to keep), sees the other record gone from the list, undoes the
merge from the history, then keeps another pair apart."""

from __future__ import annotations

import os
from datetime import date

import pytest
from playwright.sync_api import expect

from edoc.models import AuditEntry
from health import cleanup, services
from health.models import DuplicateCandidate, HealthAssignment, MergeRecord, Person
from tests.browser_support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _person(places, **fields) -> Person:
    values = {"birth_date": date(1980, 2, 3), "sex": "male", "commune": places["bien_hoa_commune"]}
    return services.person_create(actor=None, **(values | fields))


def test_a_district_officer_resolves_a_doubtful_pair_in_the_queue(
    page, places, officers, screenshots
):
    HealthAssignment.objects.filter(user=officers["bien_hoa"]).update(can_merge=True)
    kept = _person(places, full_name="Hồ Văn Tú", citizen_id="075080001234")
    typo = _person(places, full_name="Hồ Văn Tứ", phone="0987654321", insurance_card="")
    _person(places, full_name="Lê Minh Khoa", birth_date=date(1975, 1, 1))
    _person(places, full_name="Lê Minh Khoa", birth_date=date(1975, 1, 1), sex="female")
    cleanup.sweep()
    cleanup.check_people()
    assert DuplicateCandidate.objects.filter(status="open").count() == 2

    login(page, officers["bien_hoa"].username)
    page.click("#nav-health")
    page.click("#btn-duplicates")
    pairs = page.locator(".duplicate-pair")
    expect(pairs).to_have_count(2)
    pair = pairs.filter(has_text="Hồ Văn Tứ")
    expect(pair).to_contain_text("0750******34")
    expect(pair).to_contain_text("Không tự động hợp nhất: Họ tên cùng chữ nhưng khác dấu.")
    page.screenshot(path=os.path.join(screenshots, "health-duplicates.png"), full_page=True)

    pair.locator(f'input[name="survivor"][value="{kept.pk}"]').check()
    pair.get_by_role("button", name="Hợp nhất").click()
    expect(page.locator("#messages")).to_contain_text("Đã hợp nhất hai hồ sơ vào hồ sơ Hồ Văn Tú")
    expect(page.locator(".duplicate-pair")).to_have_count(1)
    expect(page.locator("#merge-history .merge-row")).to_have_count(1)
    typo.refresh_from_db()
    kept.refresh_from_db()
    assert typo.merged_into == kept and kept.phone == "0987654321"

    page.click("text=← Hồ sơ sức khỏe")
    expect(page.locator("#people .person-row")).to_have_count(3)
    expect(page.locator("#people")).not_to_contain_text("Hồ Văn Tứ")

    page.goto("/health/duplicates/")
    page.locator("#merge-history").get_by_role("button", name="Hoàn tác").click()
    expect(page.locator("#messages")).to_contain_text("Hồ Văn Tứ")
    expect(page.locator("#merge-history")).to_contain_text("Đã hoàn tác")
    expect(page.locator(".duplicate-pair")).to_have_count(2)
    typo.refresh_from_db()
    assert typo.merged_into is None and MergeRecord.objects.get().undone_at

    page.locator(".duplicate-pair").filter(has_text="Lê Minh Khoa").get_by_role(
        "button", name="Không trùng"
    ).click()
    expect(page.locator("#messages")).to_contain_text("Đã xác nhận hai hồ sơ không trùng")
    expect(page.locator(".duplicate-pair")).to_have_count(1)
    page.screenshot(path=os.path.join(screenshots, "health-duplicates-done.png"), full_page=True)

    page.goto("/health/people/")
    page.click("#btn-cleanup")
    expect(page.locator("#cleanup-table .cleanup-row")).to_have_count(1)
    cells = page.locator("#cleanup-table .cleanup-row td")
    expect(cells).to_have_text(["1", "Thành phố Biên Hòa", "4", "0", "0", "2"])
    expect(page.locator("#cleanup-table .cleanup-total")).to_contain_text("4")
    page.fill("#id_reason", "Báo cáo kết quả làm sạch dữ liệu")
    with page.expect_download() as download_info:
        page.click("#cleanup-export-form button")
    assert download_info.value.suggested_filename == "lam-sach-du-lieu-district.xlsx"
    page.screenshot(path=os.path.join(screenshots, "health-cleanup.png"), full_page=True)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "health.persons_merged",
        "health.merge_undone",
        "health.duplicates_separated",
        "health.cleanup_report_exported",
    } <= actions
