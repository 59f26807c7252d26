# ruff: noqa: F811 (pytest fixtures imported from signing_support are parameters here)
"""Step-up before signing: every signing path (sign page, task page, REST API) asks for the
second factor again when the last code is older than EDOC_SIGNING_REAUTH_SECONDS."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from edoc.models import AuditEntry
from identity.services.tokens import api_token_create
from identity.services.twofactor import VERIFIED_AT_SESSION_KEY
from signing.models import SignatureRecord
from tests.identity.conftest import code_of, enrol
from tests.signing.signing_support import (  # noqa: F401 (fixtures)
    REMOTE_PINS,
    in_signing,
    registered_signers,
    remote_configured,
    remote_signer,
    shipped,
)
from tests.signing.test_signing_views import post_data
from workflows.models import WorkItem

VERIFY = reverse("identity:twofactor_verify")


@pytest.fixture
def director_session(users, settings):
    """The director, enrolled, signed in with a code typed 20 minutes ago (limit: 15)."""
    settings.EDOC_SIGNING_REAUTH_SECONDS = 900
    device = enrol(users["director"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["director"])
    assert client.post(VERIFY, {"code": code_of(device)}).status_code == 302
    session = client.session
    session[VERIFIED_AT_SESSION_KEY] = time.time() - 20 * 60
    session.save()
    return client, device


def refusals() -> list[str]:
    return list(
        AuditEntry.objects.filter(action="identity.stepup_refused").values_list(
            "details__code", flat=True
        )
    )


@pytest.mark.django_db
def test_the_sign_page_asks_for_the_code_again(
    in_signing, director_session, test_pki, trust_root, signing_settings
):
    document, item = in_signing
    client, device = director_session
    url = reverse("signing_sign:document_sign", args=[document.pk])
    opened = client.get(url)
    assert opened.status_code == 302
    assert opened["Location"].startswith(VERIFY) and "stepup=1" in opened["Location"]

    posted = client.post(url, post_data(test_pki), HTTP_REFERER=url)
    assert posted.status_code == 302 and posted["Location"].startswith(VERIFY)
    assert not SignatureRecord.objects.filter(document=document).exists()
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.OPEN
    assert refusals() == ["second_factor_required"]

    assert client.post(VERIFY, {"code": code_of(device, 1), "next": url}).status_code == 302
    assert client.get(url).status_code == 200
    assert client.post(url, post_data(test_pki)).status_code == 302
    assert SignatureRecord.objects.get(document=document).signer.username == "giamdoc"


@pytest.mark.django_db
def test_the_task_page_asks_for_the_code_again(
    in_signing, director_session, test_pki, trust_root, signing_settings
):
    document, item = in_signing
    client, _device = director_session
    task = reverse("workflows:task", args=[item.pk])
    response = client.post(
        reverse("workflows:task_complete", args=[item.pk]), post_data(test_pki), HTTP_REFERER=task
    )
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert "stepup=1" in response["Location"]
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.OPEN
    assert not SignatureRecord.objects.filter(document=document).exists()
    assert refusals() == ["second_factor_required"]


@pytest.mark.django_db
def test_the_api_wants_the_code_in_the_x_otp_header(
    in_signing, users, settings, test_pki, trust_root, signing_settings, remote_configured
):
    settings.EDOC_SIGNING_REAUTH_SECONDS = 900
    document, item = in_signing
    device = enrol(users["director"])
    _token, key = api_token_create(user=users["director"], name="app")
    url = f"/api/tasks/{item.pk}/complete/"
    body = {"data": {"method": "remote", "pin": REMOTE_PINS["giamdoc"]}}

    def post(**headers):
        client = Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en", **headers)
        return client.post(url, body, content_type="application/json")

    missing = post()
    assert missing.status_code == 403
    assert missing.json()["error"]["code"] == "second_factor_required"
    assert "X-OTP" in missing.json()["error"]["message"]
    wrong = post(HTTP_X_OTP="000000")
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "second_factor_invalid"
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.OPEN
    assert refusals() == ["second_factor_required", "second_factor_invalid"]

    device.throttle_reset()
    done = post(HTTP_X_OTP=code_of(device))
    assert done.status_code == 200, done.json()
    assert SignatureRecord.objects.get(document=document).key_source == "remote"


@pytest.mark.django_db
def test_a_signer_under_policy_without_a_device_enrols_first(
    in_signing, users, settings, test_pki, trust_root, signing_settings
):
    settings.EDOC_2FA_POLICY = True
    document, _item = in_signing
    client = Client()
    client.force_login(users["director"])  # holds a registered signing certificate
    response = client.get(reverse("signing_sign:document_sign", args=[document.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:twofactor_setup"))


@pytest.mark.django_db
def test_the_seal_at_issuance_asks_for_the_clerks_code_again(in_signing, users, settings, rf):
    from django.contrib.sessions.backends.db import SessionStore

    from edoc.models import Document
    from identity.stepup import SecondFactorRequired, current_request
    from signing.services.sealing import seal_document

    settings.EDOC_SIGNING_REAUTH_SECONDS = 900
    document, _item = in_signing
    clerk = users["clerk"]
    enrol(clerk)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.ISSUED, issued_by=clerk)
    request = rf.post("/documents/issue/")
    request.user, request.session = clerk, SessionStore()
    request.session[VERIFIED_AT_SESSION_KEY] = time.time() - 20 * 60
    token = current_request.set(request)
    try:
        with pytest.raises(SecondFactorRequired):
            seal_document(user=clerk, document=document, key=object())
    finally:
        current_request.reset(token)
    assert not SignatureRecord.objects.filter(document=document).exists()
