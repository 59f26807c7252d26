"""The documents panel's numbers, checked against the documents handled in conftest."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard import selectors
from dashboard.filters import DateRange, Filters

from .conftest import JUNE

pytestmark = pytest.mark.django_db


def panel(user, unit=None):
    return selectors.documents_panel(user, Filters(DateRange(*JUNE), unit))


def test_director_sees_every_indicator(documents, users, units):
    data = panel(users["director"])
    current = data["current"]
    assert current["received"] == 5
    assert (current["on_time"], current["late"], current["overdue"], current["open"]) == (
        1,
        1,
        1,
        2,
    )
    assert current["on_time_share"] == Decimal("50.0")
    assert current["median_days"] == Decimal("2.5")  # 2 and 3 days
    # One of the five came in electronically; nothing was sent out.
    assert (current["received_electronic"], current["exchanged"]) == (1, 5)
    assert current["electronic_share"] == Decimal("20.0")
    assert data["previous"]["received"] == 0 and data["changes"]["received"] == 5
    by_state = {item["status"]: item["count"] for item in data["by_state"]}
    assert by_state == {"registered": 1, "in_progress": 2, "completed": 2, "returned": 0}
    by_unit = {row.label: (row.on_time, row.late, row.overdue, row.open) for row in data["by_unit"]}
    assert by_unit == {"Phòng Nghiệp vụ Y": (1, 1, 0, 1), "Phòng Nghiệp vụ Dược": (0, 0, 1, 0)}
    assert data["by_unit"][0].label == "Phòng Nghiệp vụ Dược"  # most overdue first
    (leader,) = data["by_leader"]
    assert (leader.key, leader.on_time, leader.late, leader.overdue) == (
        users["director"].pk,
        1,
        1,
        1,
    )
    assert data["per_day"][0] == (JUNE[0], 5) and len(data["per_day"]) == 30
    assert sum(count for _day, count in data["per_day"]) == 5
    (partner,) = data["partners"]
    assert partner["partner"] == "Ủy ban nhân dân tỉnh Đồng Nai" and partner["received"] == 1


def test_unit_filter_and_a_unit_head_count_only_their_unit(documents, users, units):
    filtered = panel(users["director"], units["pharmacy"])["current"]
    assert (filtered["received"], filtered["overdue"]) == (1, 1)
    head = panel(users["head"])["current"]
    assert (head["received"], head["on_time"], head["late"], head["overdue"]) == (3, 1, 1, 0)
    other = panel(users["other_head"])
    assert other["current"]["received"] == 1 and other["current"]["overdue"] == 1
    assert [row.label for row in other["by_unit"]] == ["Phòng Nghiệp vụ Dược"]
    # Nothing electronic reached the pharmacy's head: the arrival was document A (medical).
    assert other["partners"] == []


def test_overdue_now_of_one_unit_opens_the_list_of_those_documents(client, documents, users, units):
    data = panel(users["director"])
    pharmacy = next(row for row in data["by_unit"] if row.key == units["pharmacy"].pk)
    client.force_login(users["director"])
    page = client.get(pharmacy.links["overdue"])
    assert page.status_code == 200
    assert "Văn bản C" in page.text
    for other in "ABDE":
        assert f"Văn bản {other}<" not in page.text and f"Văn bản {other}\n" not in page.text
    listed = page.context["page"].object_list
    assert [document.pk for document in listed] == [documents["C"].pk]
    (leader,) = data["by_leader"]
    late = client.get(leader.links["late"])
    assert [d.pk for d in late.context["page"].object_list] == [documents["B"].pk]
    on_time = client.get(data["links"]["on_time"])
    assert [d.pk for d in on_time.context["page"].object_list] == [documents["A"].pk]


def test_panel_page_and_fragment(client, documents, users):
    client.force_login(users["director"])
    page = client.get(
        reverse("dashboard:page"), {"date_from": "2026-06-01", "date_to": "2026-06-30"}
    )
    assert page.status_code == 200
    assert (
        'hx-get="/dashboard/panels/documents/?date_from=2026-06-01&amp;date_to=2026-06-30"'
        in page.text
    )
    fragment = client.get(
        reverse("dashboard:panel", args=["documents"]),
        {"date_from": "2026-06-01", "date_to": "2026-06-30"},
    )
    assert fragment.status_code == 200
    assert 'id="kpi-doc-received-value">5<' in fragment.text
    assert 'id="chart-doc-units" type="application/json"' in fragment.text
    # A specialist has no dashboard.
    client.force_login(users["specialist"])
    assert client.get(reverse("dashboard:page")).status_code == 403


def test_a_wrong_period_is_said_and_the_default_shown(client, documents, users, units):
    client.force_login(users["head"])
    page = client.get(
        reverse("dashboard:page"), {"date_from": "2026-06-30", "date_to": "2026-06-01"}
    )
    assert page.status_code == 200
    assert "Ngày bắt đầu sau ngày kết thúc." in page.text
    assert page.context["filters"].range.days == 30
    # A unit outside the head's scope is refused the same way, not counted.
    other = client.get(reverse("dashboard:page"), {"unit": units["pharmacy"].pk})
    assert other.status_code == 200 and other.context["filters"].unit is None
    assert 'class="field-error"' in other.text


def test_the_panel_takes_a_bounded_number_of_statements(
    documents, users, django_assert_max_num_queries
):
    """Current and previous headline, states, series and handling groups come from a few
    grouped queries over the stored handling facts, not a statement per number (28 before)."""
    for user in (users["director"], users["head"]):
        user = type(user).objects.get(pk=user.pk)  # nothing cached on the user
        with django_assert_max_num_queries(12):
            panel(user)
