"""Issue 9 #8: an internal copy is registered by the date it arrives (this year's book, next
number), and incoming lists name the registry whose book holds each entry."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from edoc.services.documents import incoming_register, outgoing_issue
from tests.edoc.test_registry_services import draft

pytestmark = pytest.mark.django_db


def _last_year_letter_to_the_centre(users, catalogs, pdf_bytes, units):
    """A Công văn to the health centre, issued with last year's date but distributed today."""
    letter = draft(users, catalogs, pdf_bytes, "CV", recipient_units=[units["centre"]])
    dated = datetime.date(timezone.localdate().year - 1, 12, 30)
    letter = outgoing_issue(user=users["clerk"], document=letter, issue_date=dated)
    return letter, letter.recipients.get().internal_copy


def _register(user, catalogs, subject: str):
    return incoming_register(
        user=user, subject=subject, urgency=catalogs["normal"], confidentiality=catalogs["public"]
    )


def test_an_internal_copy_is_numbered_in_the_book_of_its_arrival(users, catalogs, pdf_bytes, units):
    today = timezone.localdate()
    own = _register(users["centre_clerk"], catalogs, "Văn bản trung tâm nhận hôm nay")
    assert (own.register_book.year, own.book_number) == (today.year, 1)

    letter, copy = _last_year_letter_to_the_centre(users, catalogs, pdf_bytes, units)
    assert copy.issue_date == letter.issue_date == datetime.date(today.year - 1, 12, 30)
    assert timezone.localdate(copy.received_at) == today
    assert copy.register_book == own.register_book  # this year's book of the centre
    assert copy.book_number == 2  # the next number, not "Số đến 1" of last year's book


def _rows(html: str) -> dict[int, str]:
    return {
        int(pk): row
        for pk, row in re.findall(r'<tr[^>]*data-document="(\d+)"[^>]*>(.*?)</tr>', html, re.S)
    }


def _registry_cell(row: str) -> str:
    return re.search(r'<td class="col-registry">(.*?)</td>', row, re.S).group(1).strip()


def test_the_incoming_list_names_each_entrys_registry(users, catalogs, pdf_bytes, units):
    agency_entry = _register(users["clerk"], catalogs, "Công văn của UBND tỉnh")
    centre_entry = _register(users["centre_clerk"], catalogs, "Công văn gửi trung tâm")
    _letter, copy = _last_year_letter_to_the_centre(users, catalogs, pdf_bytes, units)
    assert agency_entry.book_number == centre_entry.book_number == 1

    client = Client()
    client.force_login(users["director"])
    html = client.get(reverse("edoc:incoming_list")).content.decode()
    assert 'id="col-registry"' in html  # the column header
    rows = _rows(html)
    assert _registry_cell(rows[agency_entry.pk]) == "Sở Y tế Đồng Nai"
    assert _registry_cell(rows[centre_entry.pk]) == "Trung tâm Y tế thành phố Biên Hòa"
    assert _registry_cell(rows[copy.pk]) == "Trung tâm Y tế thành phố Biên Hòa"

    # The director keeps to the agency's own book, or looks at one unit's.
    own = _rows(client.get(reverse("edoc:incoming_list"), {"registry": "agency"}).content.decode())
    assert set(own) == {agency_entry.pk}
    centre = client.get(reverse("edoc:incoming_list"), {"registry": units["centre"].pk})
    assert set(_rows(centre.content.decode())) == {centre_entry.pk, copy.pk}


def test_the_api_names_each_entrys_registry(users, catalogs, pdf_bytes, units):
    agency_entry = _register(users["clerk"], catalogs, "Công văn của UBND tỉnh")
    _letter, copy = _last_year_letter_to_the_centre(users, catalogs, pdf_bytes, units)
    api = APIClient()
    api.force_authenticate(users["director"])
    body = api.get("/api/documents/", {"direction": "incoming"}).json()
    registries = {item["id"]: item["registry"] for item in body["results"]}
    assert registries[agency_entry.pk] == {"unit": None, "name": "Sở Y tế Đồng Nai"}
    assert registries[copy.pk] == {
        "unit": {
            "id": units["centre"].pk,
            "name": "Trung tâm Y tế thành phố Biên Hòa",
            "short_name": "TTYTBH",
        },
        "name": "Trung tâm Y tế thành phố Biên Hòa",
    }
    only_agency = api.get("/api/documents/", {"direction": "incoming", "registry": "agency"})
    assert [item["id"] for item in only_agency.json()["results"]] == [agency_entry.pk]
    only_centre = api.get("/api/documents/", {"registry": units["centre"].pk}).json()
    assert [item["id"] for item in only_centre["results"]] == [copy.pk]
    detail = api.get(f"/api/documents/{copy.pk}/").json()
    assert detail["registry"]["name"] == "Trung tâm Y tế thành phố Biên Hòa"
