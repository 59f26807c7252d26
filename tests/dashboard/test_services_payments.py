"""The public services and payments panels, against the one-stop report's June scenario and the
payments report's November orders (their fixtures, reused)."""

# ruff: noqa: F401, F811 (fixtures imported from the one-stop and payments tests)
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard import selectors
from dashboard.filters import DateRange, Filters
from tests.onestop.conftest import (
    _media,
    all_files,
    applicant,
    officer,
    papers,
    procedure,
    signed_result,
    test_pki,
    upload,
)
from tests.onestop.test_reports import scenario
from tests.payments.conftest import make_order, owing
from tests.payments.test_reports import FEES, known_orders
from tests.signing.signing_support import (
    _no_token_unless_asked,
    in_signing,
    pkcs12_data,
    registered_signers,
    shipped,
)

pytestmark = pytest.mark.django_db
JUNE = DateRange(datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))


def test_services_panel_counts_the_june_dossiers(scenario, users, units):
    data = selectors.services_panel(users["director"], Filters(JUNE))
    current = data["current"]
    # The one-stop report's scenario: A D E G online, B C H + pharmacy's I at the counter.
    assert (current["received_online"], current["received_counter"]) == (4, 4)
    assert (current["on_time"], current["late"], current["overdue"]) == (1, 1, 3)
    assert current["in_progress"] == 3
    assert current["online_share"] == Decimal("50.0")
    assert current["on_time_share"] == Decimal("50.0")
    procedures = {row["label"]: row["overdue"] for row in data["groups"]["procedure"]}
    assert procedures["1.004616 – Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh"] == 3
    levels = {row["label"]: row["received_online"] for row in data["groups"]["level"]}
    assert levels == {"Trực tuyến toàn trình": 4}
    # The pharmacy's head sees only the pharmacy's dossier.
    own = selectors.services_panel(users["other_head"], Filters(JUNE))["current"]
    assert (own["received_counter"], own["received_online"], own["overdue"]) == (1, 0, 0)
    # The unit filter: only the medical unit's procedure.
    medical = selectors.services_panel(users["director"], Filters(JUNE, units["medical"]))
    assert medical["current"]["received_counter"] == 3


def test_a_services_number_opens_its_dossiers(client, scenario, users):
    data = selectors.services_panel(users["director"], Filters(JUNE))
    client.force_login(users["director"])
    page = client.get(data["links"]["overdue"])
    assert page.status_code == 200
    assert len(page.context["rows"]) == 3
    on_time = client.get(data["links"]["on_time"])
    assert len(on_time.context["rows"]) == 1


def test_payments_panel_reuses_the_payment_report(client, officer, users, known_orders):
    november = DateRange(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    data = selectors.payments_panel(users["director"], Filters(november))
    total = data["report"].total
    assert (total.count, total.amount, total.fee) == (6, 1_470_100, 14_322)
    assert data["report"].cashless_share == Decimal("89.8")
    # October held the order of 31/10 only.
    assert data["changes"]["count"] == 5
    # Unit heads of other units and specialists have no payments panel.
    assert selectors.payments_panel(users["head"], Filters(november)) is None
    client.force_login(users["director"])
    fragment = client.get(
        reverse("dashboard:panel", args=["payments"]),
        {"date_from": "2026-11-01", "date_to": "2026-11-30"},
    )
    assert "1.470.100 đ" in fragment.text and "89,8" in fragment.text
    # The director may now open the report behind the numbers.
    assert client.get(data["link"]).status_code == 200


def test_the_services_panel_takes_a_bounded_number_of_statements(
    scenario, users, django_assert_max_num_queries
):
    """The range's report gives the totals and every grouping from one query, and the access
    rules run once (11 statements for the director before, 13 for a unit head)."""
    for user in (users["director"], users["other_head"]):
        user = type(user).objects.get(pk=user.pk)
        with django_assert_max_num_queries(10):
            selectors.services_panel(user, Filters(JUNE))
