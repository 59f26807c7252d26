"""Issue 9 #4 in the API: /api/documents/extract/ lists possible duplicates, and registering
one needs "confirm_duplicate": no number is used before that."""

from __future__ import annotations

import pytest

from edoc.models import Document, RegisterBook, User
from edoc.models.organisation import Role
from tests.edoc.api.conftest import upload

pytestmark = pytest.mark.django_db


def _extract(api, user, content: bytes) -> dict:
    response = api(user).post("/api/documents/extract/", {"file": upload(content)}, "multipart")
    assert response.status_code == 200, response.json()
    return response.json()


def _register(api, user, content: bytes, **fields):
    return api(user).post(
        "/api/documents/incoming/", {"file": upload(content), **fields}, format="multipart"
    )


def test_extract_lists_possible_duplicates(api, users, letter_pdf):
    content = letter_pdf()
    assert _extract(api, users["clerk"], content)["possible_duplicates"] == []
    first = _register(api, users["clerk"], content).json()
    (hint,) = _extract(api, users["clerk"], content)["possible_duplicates"]
    assert hint["visible"] is True and hint["id"] == first["id"]
    assert sorted(hint["reasons"]) == ["same_file", "same_reference"]
    assert (hint["incoming_number"], hint["symbol"]) == (1, "15/KH-SYT")
    assert hint["subject"] == first["subject"]
    assert hint["url"].endswith(f"/api/documents/{first['id']}/")
    # The same letter in another file (rescanned): the reference still matches.
    (hint,) = _extract(api, users["clerk"], letter_pdf(marker="bản quét lại"))[
        "possible_duplicates"
    ]
    assert hint["reasons"] == ["same_reference"]
    # Only clerks get the check (others do not register).
    assert _extract(api, users["specialist"], content)["possible_duplicates"] is None


def test_registering_a_duplicate_needs_confirmation(api, users, letter_pdf, audit):
    content = letter_pdf()
    first = _register(api, users["clerk"], content).json()
    watch = audit()
    response = _register(api, users["clerk"], content)
    assert response.status_code == 409, response.json()
    error = response.json()["error"]
    assert error["code"] == "possible_duplicate"
    assert list(error["fields"]) == ["confirm_duplicate"]
    assert [hint["id"] for hint in error["possible_duplicates"]] == [first["id"]]
    assert Document.objects.count() == 1 and watch.actions() == []
    assert (
        RegisterBook.objects.get(kind="incoming", unit=None, is_confidential=False).last_number == 1
    )

    response = _register(api, users["clerk"], content, confirm_duplicate="true")
    assert response.status_code == 201, response.json()
    second = response.json()
    assert second["incoming_number"] == 2
    assert second["possible_duplicate"] is True and second["duplicate_of"] == first["id"]


def test_a_hidden_duplicate_is_announced_without_its_content(
    api, users, units, catalogs, letter_pdf
):
    colleague = User.objects.create_user(username="vanthu2", unit=units["office"], role=Role.CLERK)
    content = letter_pdf()
    hidden = _register(api, colleague, content, confidentiality="confidential").json()
    (hint,) = _extract(api, users["clerk"], content)["possible_duplicates"]
    assert hint == {"visible": False, "reasons": ["same_file", "same_reference"]}
    error = _register(api, users["clerk"], content).json()["error"]
    assert error["possible_duplicates"] == [hint]
    assert str(hidden["id"]) not in str(error)
