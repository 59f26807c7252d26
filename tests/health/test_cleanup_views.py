"""The review queue (/health/duplicates/), merges and undo from the page, and the clean-up report
(/health/cleanup/) with its XLSX export."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from edoc.models import AuditEntry
from health import cleanup, services
from health.models import DuplicateCandidate, HealthAssignment, MergeRecord, Person

pytestmark = pytest.mark.django_db


def _person(places, commune="bien_hoa_commune", **fields) -> Person:
    values = {
        "full_name": "Hồ Văn Tú",
        "birth_date": date(1980, 2, 3),
        "sex": "male",
        "commune": places[commune],
    } | fields
    return services.person_create(actor=None, **values)


@pytest.fixture
def pairs(places, officers):
    """A doubtful pair in Biên Hòa, one in Long Thành; Biên Hòa's officer may merge."""
    HealthAssignment.objects.filter(user=officers["bien_hoa"]).update(can_merge=True)
    here = (
        _person(places, citizen_id="075080001234", phone="0912345678"),
        _person(places, full_name="Hồ Văn Tứ", phone="0987654321"),
    )
    there = (
        _person(places, "long_thanh_commune", full_name="Lý Văn Tú"),
        _person(places, "long_thanh_commune", full_name="Lý Văn Tư"),
    )
    cleanup.sweep()
    return {
        "here": DuplicateCandidate.objects.get(first=here[0]),
        "there": DuplicateCandidate.objects.get(first=there[0]),
    }


def test_the_queue_shows_the_districts_pairs_masked_and_is_audited(client, officers, pairs):
    client.force_login(officers["bien_hoa"])
    body = client.get(reverse("health:duplicates")).content.decode()
    assert f'id="pair-{pairs["here"].pk}"' in body
    assert f'id="pair-{pairs["there"].pk}"' not in body
    assert "0750******34" in body and "075080001234" not in body
    assert "0912****78" in body and "0912345678" not in body
    assert AuditEntry.objects.filter(action="health.duplicates_listed").count() == 1


def test_without_the_merge_right_the_queue_is_refused(client, officers, pairs):
    client.force_login(officers["long_thanh"])
    assert client.get(reverse("health:duplicates")).status_code == 403
    url = reverse("health:duplicate_separate", args=[pairs["there"].pk])
    assert client.post(url).status_code == 403
    client.force_login(officers["none"])
    assert client.get(reverse("health:duplicates")).status_code == 404


def test_another_districts_pair_cannot_be_decided(client, officers, pairs):
    client.force_login(officers["bien_hoa"])
    pair = pairs["there"]
    response = client.post(
        reverse("health:duplicate_merge", args=[pair.pk]), {"survivor": pair.first_id}
    )
    assert response.status_code == 404
    assert client.post(reverse("health:duplicate_separate", args=[pair.pk])).status_code == 404
    pair.refresh_from_db()
    assert pair.status == "open" and not MergeRecord.objects.exists()


def test_merge_then_undo_from_the_page(client, officers, pairs):
    client.force_login(officers["bien_hoa"])
    pair = pairs["here"]
    url = reverse("health:duplicate_merge", args=[pair.pk])
    assert client.post(url, {"survivor": "12345"}).status_code == 302
    assert not MergeRecord.objects.exists()  # not one of the pair: nothing merged

    response = client.post(url, {"survivor": pair.second_id}, follow=True)
    assert "Hồ Văn Tứ" in response.content.decode()
    assert "Hồ Văn Tú (03/02/1980)" in response.content.decode()  # the history
    record = MergeRecord.objects.get()
    assert record.survivor_id == pair.second_id and record.merged_by == officers["bien_hoa"]
    people = client.get(reverse("health:people")).content.decode()
    assert "Hồ Văn Tú<" not in people  # the merged-away record left the list

    client.post(reverse("health:merge_undo", args=[record.pk]))
    record.refresh_from_db()
    assert record.undone_at is not None
    assert Person.objects.get(pk=pair.first_id).merged_into is None
    assert AuditEntry.objects.filter(action="health.merge_undone").count() == 1


def test_separate_from_the_page(client, officers, pairs):
    client.force_login(officers["bien_hoa"])
    pair = pairs["here"]
    client.post(reverse("health:duplicate_separate", args=[pair.pk]))
    pair.refresh_from_db()
    assert pair.status == "separated"
    body = client.get(reverse("health:duplicates")).content.decode()
    assert f'id="pair-{pair.pk}"' not in body


def test_the_cleanup_report_by_district_within_the_area(client, officers, pairs, places):
    cleanup.check_people()
    client.force_login(officers["province"])
    body = client.get(reverse("health:cleanup")).content.decode()
    assert "Thành phố Biên Hòa" in body and "Huyện Long Thành" in body
    client.force_login(officers["bien_hoa"])
    response = client.get(reverse("health:cleanup"))
    rows = response.context["rows"]
    assert [(r.place, r.checked, r.merged, r.doubtful) for r in rows] == [
        ("Thành phố Biên Hòa", 2, 0, 2)
    ]
    by_commune = client.get(reverse("health:cleanup"), {"by": "commune"}).context["rows"]
    assert by_commune[0].place.startswith(places["bien_hoa_commune"].name)


def test_the_cleanup_export_needs_the_right_and_a_reason(client, officers, pairs):
    cleanup.check_people()
    url = reverse("health:cleanup_export")
    client.force_login(officers["long_thanh"])
    assert client.post(url, {"reason": "Báo cáo Sở Y tế quý"}).status_code == 403
    client.force_login(officers["bien_hoa"])
    assert client.post(url, {"reason": "x"}).status_code == 400
    response = client.post(url, {"reason": "Báo cáo Sở Y tế quý", "by": "district"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert values == [[1, "Thành phố Biên Hòa", 2, 0, 0, 2], [None, "Tổng cộng", 2, 0, 0, 2]]
    entry = AuditEntry.objects.get(action="health.cleanup_report_exported")
    assert entry.details["reason"] == "Báo cáo Sở Y tế quý"
