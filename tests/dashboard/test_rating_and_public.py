"""The citizen's satisfaction rating on the portal, the service index (QĐ 766/QĐ-TTg) built on
it, and the public page of the service indicators (numbers only, no personal data)."""

# ruff: noqa: F401, F811 (fixtures imported from the one-stop tests)
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard import selectors
from dashboard.filters import DateRange, Filters
from dashboard.service_index import service_index
from edoc.models import AuditEntry
from onestop import reports
from onestop.models import Dossier
from onestop.portal.models import SatisfactionRating
from onestop.selectors import tracking_token
from onestop.services import dossier_return_result
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
from tests.onestop.test_portal import _fresh_rate_limits
from tests.onestop.test_reports import scenario
from tests.signing.signing_support import (
    _no_token_unless_asked,
    in_signing,
    pkcs12_data,
    registered_signers,
    shipped,
)

pytestmark = pytest.mark.django_db
JUNE = DateRange(datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
JULY = DateRange(datetime.date(2026, 7, 1), datetime.date(2026, 7, 31))


@pytest.fixture
def returned(scenario, officer):
    """Dossier A of the June scenario, its result handed over on 15/7; B processed, not
    returned yet."""
    finished = Dossier.objects.filter(status=Dossier.Status.DONE).order_by("submitted_at")
    first, second = list(finished)
    return dossier_return_result(officer=officer, dossier=first, channel="counter"), second


def open_tracking(client, dossier):
    response = client.get(reverse("portal:track_token", args=[tracking_token(dossier)]))
    assert response.status_code == 302
    return client.get(response["Location"])


def test_the_rating_is_offered_once_after_the_result_is_returned(client, returned):
    dossier, not_returned = returned
    page = open_tracking(client, dossier)
    assert 'id="rating-form"' in page.text
    assert client.post(reverse("portal:rate"), {"score": "9"}).status_code == 400
    assert client.post(reverse("portal:rate"), {"score": "abc"}).status_code == 400
    assert not SatisfactionRating.objects.exists()
    response = client.post(reverse("portal:rate"), {"score": "4"})
    assert response.status_code == 302
    assert SatisfactionRating.objects.get(dossier=dossier).score == 4
    page = client.get(reverse("portal:dossier"))
    assert 'id="rating-form"' not in page.text and 'id="rating-done"' in page.text
    again = client.post(reverse("portal:rate"), {"score": "1"})
    assert again.status_code == 400
    assert SatisfactionRating.objects.get(dossier=dossier).score == 4
    assert AuditEntry.objects.filter(action="dossier.satisfaction_rate").count() == 1
    # A dossier whose result was not returned is not asked, and cannot be rated.
    other = open_tracking(client, not_returned)
    assert 'id="rating-form"' not in other.text
    assert client.post(reverse("portal:rate"), {"score": "5"}).status_code == 400
    assert SatisfactionRating.objects.count() == 1


def test_ratings_are_rate_limited(client, returned, settings):
    settings.EDOC_PORTAL_RATING_RATE = "2/3600"
    dossier, _other = returned
    open_tracking(client, dossier)
    assert client.post(reverse("portal:rate"), {"score": "0"}).status_code == 400
    assert client.post(reverse("portal:rate"), {"score": "0"}).status_code == 400
    assert client.post(reverse("portal:rate"), {"score": "5"}).status_code == 429
    assert not SatisfactionRating.objects.exists()


def test_the_service_index_of_june_and_july(returned, agency):
    dossiers = reports.public_dossiers(agency.pk)
    june = {group.key: group for group in service_index(dossiers, JUNE).groups}
    # 1 of 2 resolved on time: 10 of 20 points.
    assert june["timeliness"].points == Decimal("10.00")
    # Online 4 of 8 received; no fee paid (no payment rate): 11 of 22.
    assert june["online"].rates[0].value == Decimal("50.0")
    assert june["online"].rates[1].value is None
    assert june["online"].points == Decimal("11.00")
    # Papers stored for the 7 of 8 dossiers of the procedure with files (the pharmacy's
    # counter dossier has none); both finished dossiers have a signed result.
    assert (june["digitisation"].rates[0].part, june["digitisation"].rates[0].whole) == (7, 8)
    assert june["digitisation"].rates[1].value == Decimal("100.0")
    assert june["publicity"].points is None and june["satisfaction"].points is None
    SatisfactionRating.objects.create(dossier=returned[0], score=5)
    july = {group.key: group for group in service_index(dossiers, JULY).groups}
    assert july["satisfaction"].points == Decimal("18.00")


def test_the_public_page_shows_numbers_and_no_personal_data(client, returned, users, applicant):
    director = selectors.services_panel(users["director"], Filters(JUNE))
    page = client.get(
        reverse("dashboard:public"), {"date_from": "2026-06-01", "date_to": "2026-06-30"}
    )
    assert page.status_code == 200
    assert director["current"]["on_time_share"] == Decimal("50.0")
    assert 'id="kpi-pub-on-time-value">50,0%<' in page.text
    for private in (
        applicant["name"],
        applicant["phone"],
        applicant["id_number"],
        applicant["email"],
    ):
        assert private not in page.text
    for dossier in Dossier.objects.all():
        assert dossier.code not in page.text
    assert "Nguyễn" not in page.text and users["director"].last_name not in page.text
