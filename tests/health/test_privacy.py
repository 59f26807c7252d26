"""Decree 13/2023: health records reach nobody without a health role and never the document
search or the citizen portal. Every URL of the health app is tried, so a new page is covered
the day it is added."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, reverse
from django.urls.resolvers import RegexPattern

from health import urls as health_urls

pytestmark = pytest.mark.django_db


def _health_paths(person_pk: int) -> list[str]:
    """Every health URL, with the person's pk (or 1) for each integer argument."""
    paths = []
    for pattern in health_urls.urlpatterns:
        assert isinstance(pattern, URLPattern | URLResolver)
        if isinstance(pattern, URLResolver):
            continue
        route = str(pattern.pattern)
        if isinstance(pattern.pattern, RegexPattern):  # e.g. imports/template.(csv|xlsx)
            route = re.sub(r"\(\?P<\w+>([^|)]+)[^)]*\)", r"\1", route).strip("^$").replace("\\", "")
        path = re.sub(r"<int:pk>", str(person_pk), route)
        path = re.sub(r"<int:\w+>", "1", path)
        path = re.sub(r"<(str|slug|uuid|path):\w+>|<\w+>", "x", path)
        paths.append("/health/" + path)
    return paths


def test_every_health_url_sends_an_anonymous_visitor_to_sign_in(client, people):
    for path in _health_paths(people["an"].pk):
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code in (302, 405), (path, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(resolve_url(settings.LOGIN_URL)), path
            assert "Nguyễn Văn An" not in response.content.decode(), path


def test_every_health_url_refuses_a_user_without_a_health_role(client, officers, people):
    client.force_login(officers["none"])
    for path in _health_paths(people["an"].pk):
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code in (403, 404, 405), (path, response.status_code)
            assert "Nguyễn Văn An" not in response.content.decode(), path
            assert "075190001234" not in response.content.decode(), path


def test_health_records_never_reach_the_document_search(client, users, people):
    client.force_login(users["director"])
    person = people["an"]
    for query, secret in (
        ("Nguyễn Văn An", person.citizen_id),
        ("nguyen van an", person.citizen_id),
        (person.citizen_id, person.full_name),
        (person.phone, person.full_name),
    ):
        body = client.get(reverse("search:search"), {"q": query}).content.decode()
        assert secret not in body, query
        assert reverse("health:person", args=[people["an"].pk]) not in body
