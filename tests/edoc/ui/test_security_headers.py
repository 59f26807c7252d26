"""Issue 9 #20: a strict Content-Security-Policy on every page, and `Cache-Control: no-store` on
what a logged-in user sees (document pages, file downloads, exports), on the API and on the
citizen's dossier pages. The browser side (no page violates the policy) is
tests/walks/test_csp.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from identity.services.tokens import api_token_create

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_pages_carry_a_strict_content_security_policy(client, client_for, users):
    for response in (
        client.get(reverse("login")),
        client.get(reverse("verify:page")),
        client.get(reverse("portal:home")),
        client_for(users["clerk"]).get(reverse("edoc:pending")),
    ):
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["worker-src"] == ["'self'"]
        assert policy["frame-src"] == ["'self'", "blob:"]


def test_a_pdf_file_keeps_only_the_framing_rule(client_for, users, incoming):
    """Browsers' built-in PDF viewers must not be broken by the page policy."""
    document = incoming()
    url = reverse("edoc:document_file_download", args=[document.pk, document.files.get().pk])
    response = client_for(users["clerk"]).get(url)
    assert response["Content-Type"].startswith("application/pdf")
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_document_pages_downloads_and_exports_are_not_stored(client_for, users, incoming):
    document = incoming()
    document_file = document.files.get()
    client = client_for(users["clerk"])
    urls = [
        reverse("edoc:pending"),
        reverse("edoc:incoming_list"),
        reverse("edoc:document_detail", args=[document.pk]),
        reverse("edoc:document_file_download", args=[document.pk, document_file.pk]),
        reverse("edoc:register_book_pdf", args=[document.register_book_id]),
        reverse("edoc:register_book_xlsx", args=[document.register_book_id]),
        reverse("workflows:inbox"),
        reverse("search:search") + "?q=tiêm",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.headers.get("Cache-Control"))


def test_api_responses_are_not_stored(users, incoming):
    document = incoming()
    _token, key = api_token_create(user=users["clerk"], name="test")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    for url in (
        reverse("api:document-list"),
        reverse("api:document-detail", args=[document.pk]),
        reverse("api:document-file-download", args=[document.pk, document.files.get().pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.headers.get("Cache-Control"))
    # The token request itself (anonymous) and an error answer too.
    obtained = Client().post(
        reverse("api:auth-token"), {"username": "vanthu", "password": "pw-vanthu"}
    )
    assert obtained.status_code == 200 and _no_store(obtained)
    refused = Client().get(reverse("api:document-list"))
    assert refused.status_code in (401, 403) and _no_store(refused)


def test_public_pages_stay_cacheable_by_the_browser(client):
    """Anonymous public pages are not forced to no-store (the login page has Django's own
    never_cache; the portal's dossier pages theirs, tested in tests/onestop)."""
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
