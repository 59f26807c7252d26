# ruff: noqa: F811 (pytest fixtures imported from signing_support are parameters here)
"""Signing in the browser's terms: the task page's form, the sign page, 403 for anyone but
the step's assignee, and audit entries that never contain the passphrase or the PIN."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from edoc.models import AuditEntry, Document
from signing.models import SignatureRecord
from tests.signing.signing_support import (  # noqa: F401 (fixtures)
    REMOTE_PINS,
    _english,
    in_signing,
    pkcs12_data,
    registered_signers,
    remote_configured,
    remote_signer,
    shipped,
)
from workflows.models import WorkItem


@pytest.fixture
def browser(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post_data(test_pki, name: str = "director", passphrase: str | None = None) -> dict:
    material = test_pki.signers[name]
    return {
        "action-method": "pkcs12",
        "action-pkcs12_file": SimpleUploadedFile(
            "key.p12", material.pkcs12, content_type="application/x-pkcs12"
        ),
        "action-passphrase": material.passphrase if passphrase is None else passphrase,
        "comment": "Đồng ý ban hành.",
    }


def audit_text() -> str:
    return json.dumps(
        list(AuditEntry.objects.values("action", "details", "object_repr")), ensure_ascii=False
    )


@pytest.mark.django_db
def test_task_page_of_a_sign_step_asks_for_the_key(in_signing, users, browser, remote_configured):
    document, item = in_signing
    browser.force_login(users["director"])
    page = browser.get(reverse("workflows:task", args=[item.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert 'name="action-pkcs12_file"' in html and 'type="file"' in html
    assert 'name="action-passphrase"' in html and 'type="password"' in html
    assert 'value="remote"' in html and 'name="action-pin"' in html


@pytest.mark.django_db
def test_remote_option_is_hidden_when_not_configured(in_signing, users, browser):
    document, item = in_signing
    browser.force_login(users["director"])
    html = browser.get(reverse("workflows:task", args=[item.pk])).content.decode()
    assert 'value="remote"' not in html and 'name="action-pin"' not in html


@pytest.mark.django_db
def test_signing_by_completing_the_task(
    in_signing, users, browser, test_pki, trust_root, signing_settings
):
    document, item = in_signing
    browser.force_login(users["director"])
    response = browser.post(reverse("workflows:task_complete", args=[item.pk]), post_data(test_pki))
    assert response.status_code == 302
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.DONE
    assert SignatureRecord.objects.filter(document=document).count() == 1
    assert Document.objects.get(pk=document.pk).status == Document.Status.READY
    actions = list(
        AuditEntry.objects.filter(
            object_type="document", object_id=str(document.pk), action__startswith="signing."
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["signing.key_use", "signing.sign"]
    sign = AuditEntry.objects.get(action="signing.sign", object_id=str(document.pk))
    assert sign.actor == users["director"]
    assert sign.details["key_source"] == "pkcs12" and sign.details["level"] == "B-LT"
    assert test_pki.signers["director"].passphrase not in audit_text()


@pytest.mark.django_db
def test_wrong_passphrase_on_the_task_page(
    in_signing, users, browser, test_pki, trust_root, signing_settings
):
    document, item = in_signing
    browser.force_login(users["director"])
    secret = "my-wrong-passphrase-123"
    response = browser.post(
        reverse("workflows:task_complete", args=[item.pk]), post_data(test_pki, passphrase=secret)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The passphrase is wrong, or the file is not a PKCS#12 key file." in html
    assert secret not in html  # never rendered back
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.OPEN
    assert document.files.count() == 1
    # The refusal outlives the rolled-back completion, without the passphrase.
    refusal = AuditEntry.objects.get(action="signing.refused", object_id=str(document.pk))
    assert refusal.details["reason"] == "wrong_passphrase"
    assert refusal.actor == users["director"]
    assert secret not in audit_text()
    assert test_pki.signers["director"].passphrase not in audit_text()


@pytest.mark.django_db
def test_sign_page_for_the_assignee(
    in_signing, users, browser, test_pki, trust_root, signing_settings
):
    document, item = in_signing
    url = reverse("signing_sign:document_sign", args=[document.pk])
    browser.force_login(users["director"])
    page = browser.get(url)
    assert page.status_code == 200
    assert 'id="sign-form"' in page.content.decode()
    response = browser.post(url, post_data(test_pki))
    assert response.status_code == 302
    assert response["Location"] == reverse("edoc:document_detail", args=[document.pk])
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.DONE
    assert SignatureRecord.objects.get(document=document).signer == users["director"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["head", "specialist", "clerk", "deputy"])
def test_only_the_steps_assignee_may_sign(
    in_signing, users, browser, test_pki, trust_root, signing_settings, who
):
    document, item = in_signing
    url = reverse("signing_sign:document_sign", args=[document.pk])
    browser.force_login(users[who])
    assert browser.get(url).status_code == 403
    # Someone else's key, even a valid one, does not help.
    response = browser.post(url, post_data(test_pki, "head"))
    assert response.status_code == 403
    assert not SignatureRecord.objects.filter(document=document).exists()
    assert document.files.count() == 1
    refusal = AuditEntry.objects.get(action="signing.refused", object_id=str(document.pk))
    assert refusal.actor == users[who] and refusal.details["reason"] == "not_your_step"
    assert test_pki.signers["head"].passphrase not in audit_text()


@pytest.mark.django_db
def test_remote_signing_from_the_task_page(
    in_signing, users, browser, test_pki, trust_root, signing_settings, remote_configured
):
    document, item = in_signing
    browser.force_login(users["director"])
    response = browser.post(
        reverse("workflows:task_complete", args=[item.pk]),
        {"action-method": "remote", "action-pin": REMOTE_PINS["giamdoc"], "comment": ""},
    )
    assert response.status_code == 302
    record = SignatureRecord.objects.get(document=document)
    assert record.key_source == SignatureRecord.KeySource.REMOTE
    assert REMOTE_PINS["giamdoc"] not in audit_text()
