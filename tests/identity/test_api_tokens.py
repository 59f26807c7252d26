"""REST API tokens: expiring, hashed, listed and revoked by their owner; DRF's authtoken tokens
carried over by the data migration."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from identity.models import ApiToken
from identity.services.tokens import api_token_create
from tests.identity.conftest import actions

pytestmark = pytest.mark.django_db

TOKENS = reverse("identity:api_tokens")


def api_status(key: str) -> int:
    return Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/documents/").status_code


def test_the_owner_creates_a_token_sees_its_key_once_and_revokes_it(client, users, settings):
    settings.EDOC_API_TOKEN_DAYS = 30
    user = users["clerk"]
    client.force_login(user)
    refused = client.post(TOKENS, {"name": "Sync", "days": "31"})
    assert refused.status_code == 400 and not ApiToken.objects.exists()

    response = client.post(TOKENS, {"name": "Đồng bộ", "days": "7"})
    assert response.status_code == 200
    key = response.context["created_key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in str(
        ApiToken.objects.values().get()
    )
    assert abs(token.expires_at - (token.created_at + timedelta(days=7))) < timedelta(seconds=1)
    listing = client.get(TOKENS).content.decode()
    assert "Đồng bộ" in listing and token.prefix in listing and key not in listing

    assert api_status(key) == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    # Someone else cannot revoke it.
    other = Client()
    other.force_login(users["head"])
    assert other.post(reverse("identity:api_token_revoke", args=[token.pk])).status_code == 404
    assert api_status(key) == 200

    client.post(reverse("identity:api_token_revoke", args=[token.pk]))
    assert api_status(key) == 401
    assert actions() == ["identity.api_token_created", "identity.api_token_revoked"]
    assert key not in str(list(ApiToken.objects.values()))


def test_an_expired_token_is_refused(users):
    token, key = api_token_create(user=users["clerk"], name="old", days=1)
    assert api_status(key) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/documents/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_the_token_of_an_inactive_user_is_refused(users):
    _token, key = api_token_create(user=users["clerk"], name="x")
    users["clerk"].is_active = False
    users["clerk"].save()
    assert api_status(key) == 401


def test_the_token_endpoint_gives_an_expiring_token(users, settings):
    settings.EDOC_API_TOKEN_DAYS = 10
    response = Client().post("/api/auth/token/", {"username": "vanthu", "password": "pw-vanthu"})
    key = response.json()["token"]
    token = ApiToken.objects.get(user=users["clerk"])
    assert token.expires_at - token.created_at == timedelta(days=10)
    assert api_status(key) == 200
    assert not Token.objects.exists()  # DRF's unexpiring tokens are no longer made


def test_authtoken_tokens_are_carried_over_with_an_expiry(users, settings):
    settings.EDOC_API_TOKEN_DAYS = 45
    old = Token.objects.create(user=users["clerk"])
    assert api_status(old.key) == 401  # DRF's own authentication is gone
    migration = importlib.import_module("identity.migrations.0005_api_tokens_from_authtoken")
    migration.carry_over(django_apps, None)
    migration.carry_over(django_apps, None)  # twice: nothing doubled
    token = ApiToken.objects.get()
    assert token.user == users["clerk"] and token.created_at == old.created
    assert abs(token.expires_at - (timezone.now() + timedelta(days=45))) < timedelta(minutes=1)
    assert api_status(old.key) == 200  # the same key keeps working
    assert Token.objects.filter(pk=old.pk).exists()  # nothing lost
