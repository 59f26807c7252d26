"""Fixtures and helpers of the signing tests (imported by tests/signing/test_signing*.py).

- `softhsm_token` (session): a real SoftHSM2 token initialised by tools/softhsm/init.sh with
  the test PKI's organisation key and certificate; `org_token` points eDoc's settings at it.
- `remote_signer` (session): tools/remote_signer running as a subprocess with the director's
  and the unit head's keys; `remote_configured` points eDoc's settings at it.
- `shipped`: the shipped process definitions; `in_signing`: an outgoing Kế hoạch reviewed and
  approved, its "sign" step open for the director.
- `registered_signers`: the director's, the unit head's and the specialist's test PKI
  certificates registered to their accounts by an administrator (the real service), so they
  may sign; `register_certificate(user, certificate)` does it for one more.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from edoc.models import Document, User
from edoc.models.organisation import Role
from edoc.services.documents import outgoing_create, outgoing_submit
from edoc.services.files import pdf_validate
from signing.conf import Pkcs11Settings
from signing.models import SignerCertificate
from signing.signer_certificates import signer_certificate_register
from tests.conftest import REQUIRE_SERVICES
from workflows.models import WorkItem
from workflows.services.processes import work_item_complete
from workflows.shipped import install_shipped_definitions

ROOT = Path(__file__).resolve().parents[2]
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "edoc-org"
TOKEN_PIN = "246813"
REMOTE_TOKEN = "remote-signer-test-token"
REMOTE_PINS = {"giamdoc": "135790", "truongphong": "112233"}


def _missing(what: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {what} is missing", pytrace=False)
    pytest.skip(f"needs {what}")


@pytest.fixture(scope="session")
def softhsm_token(test_pki, tmp_path_factory) -> Pkcs11Settings:
    if not (shutil.which("softhsm2-util") and shutil.which("pkcs11-tool")):
        _missing("softhsm2 and opensc (apt-get install softhsm2 opensc)")
    if not os.path.exists(SOFTHSM_MODULE):
        _missing(SOFTHSM_MODULE)
    org = test_pki.signers["org"]
    directory = tmp_path_factory.mktemp("softhsm")
    result = subprocess.run(
        [
            "bash",
            str(ROOT / "tools/softhsm/init.sh"),
            str(directory),
            str(org.key_path),
            str(org.cert_path),
            str(test_pki.directory / "certs" / "interm.cert.pem"),
            str(test_pki.root_pem_path),
        ],
        env={**os.environ, "EDOC_PKCS11_PIN": TOKEN_PIN, "EDOC_PKCS11_TOKEN_LABEL": TOKEN_LABEL},
        capture_output=True,
        text=True,
        check=True,
    )
    export = result.stdout.strip().splitlines()[-1]
    assert export.startswith("export SOFTHSM2_CONF=")
    # The module reads it when it is first loaded (once per process).
    os.environ["SOFTHSM2_CONF"] = export.split("=", 1)[1]
    return Pkcs11Settings(
        module=SOFTHSM_MODULE,
        token_label=TOKEN_LABEL,
        pin=TOKEN_PIN,
        key_label="org",
        cert_label="org",
    )


@pytest.fixture
def org_token(softhsm_token, settings) -> Pkcs11Settings:
    settings.EDOC_PKCS11_MODULE = softhsm_token.module
    settings.EDOC_PKCS11_TOKEN_LABEL = softhsm_token.token_label
    settings.EDOC_PKCS11_PIN = softhsm_token.pin
    settings.EDOC_PKCS11_KEY_LABEL = softhsm_token.key_label
    return softhsm_token


@pytest.fixture(autouse=True)
def _no_token_unless_asked(settings):
    """A developer's environment must not leak a token or remote signer into the tests."""
    for name in (
        "EDOC_PKCS11_MODULE",
        "EDOC_PKCS11_TOKEN_LABEL",
        "EDOC_PKCS11_PIN",
        "EDOC_PKCS11_KEY_LABEL",
        "EDOC_REMOTE_SIGNER_URL",
        "EDOC_REMOTE_SIGNER_TOKEN",
    ):
        setattr(settings, name, "")


@pytest.fixture(scope="session")
def remote_signer(test_pki, tmp_path_factory) -> Iterator[str]:
    """tools/remote_signer as a subprocess; yields its base URL."""
    directory = tmp_path_factory.mktemp("remote-signer")
    config = directory / "signer.json"
    config.write_text(
        json.dumps(
            {
                "token": REMOTE_TOKEN,
                "credentials": [
                    {
                        "id": f"{user}-1",
                        "user": user,
                        "pkcs12": str(test_pki.signers[name].pkcs12_path),
                        "passphrase": test_pki.signers[name].passphrase,
                        "pin": REMOTE_PINS[user],
                        "scal": 2,
                    }
                    for user, name in (("giamdoc", "director"), ("truongphong", "head"))
                ],
            }
        )
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.remote_signer", "--config", str(config)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("LISTENING "), line
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def remote_configured(remote_signer, settings) -> str:
    settings.EDOC_REMOTE_SIGNER_URL = remote_signer
    settings.EDOC_REMOTE_SIGNER_TOKEN = REMOTE_TOKEN
    return remote_signer


@pytest.fixture
def shipped(users, units) -> User:
    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    install_shipped_definitions(admin=admin, office=units["office"])
    return admin


def open_item(document: Document, step_id: str | None = None) -> WorkItem:
    items = WorkItem.objects.filter(document=document, status=WorkItem.Status.OPEN)
    if step_id:
        items = items.filter(step_id=step_id)
    return items.order_by("pk").get()


def new_draft(users, catalogs, pdf: bytes, *, subject: str = "Kế hoạch chuyển đổi số") -> Document:
    return outgoing_create(
        user=users["specialist"],
        subject=subject,
        document_type=catalogs["types"]["KH"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        signer=users["director"],
        recipient_units=[],
        pdf=pdf_validate(io.BytesIO(pdf), "ke-hoach.pdf"),
    )


def to_signing(users, document: Document) -> WorkItem:
    """Submit, review (unit head) and approve (director): the "sign" step is open."""
    outgoing_submit(user=users["specialist"], document=document)
    work_item_complete(user=users["head"], work_item=open_item(document, "review"))
    work_item_complete(user=users["director"], work_item=open_item(document, "approve"))
    return open_item(document, "sign")


#: Test users (tests/conftest.py `users`) → the test PKI signer whose certificate they hold.
SIGNER_CERTIFICATES = {"director": "director", "head": "head", "specialist": "specialist"}


def certificate_admin(users) -> User:
    """The administrator who registers signing certificates in the tests."""
    admin, _created = User.objects.get_or_create(
        username="quantri_cks",
        defaults={"unit": users["clerk"].unit, "role": Role.ADMIN, "last_name": "Quản trị"},
    )
    return admin


def register_certificate(users, user: User, certificate) -> SignerCertificate:
    """Register `certificate` to `user`'s account as an administrator (approved)."""
    return signer_certificate_register(
        actor=certificate_admin(users), user=user, certificate=certificate
    )


@pytest.fixture
def registered_signers(users, test_pki) -> dict[str, SignerCertificate]:
    return {
        name: register_certificate(users, users[name], test_pki.signers[label].cert)
        for name, label in SIGNER_CERTIFICATES.items()
    }


@pytest.fixture
def in_signing(
    shipped, users, catalogs, pdf_bytes, registered_signers
) -> tuple[Document, WorkItem]:
    document = new_draft(users, catalogs, pdf_bytes(["SỞ Y TẾ ĐỒNG NAI", "KẾ HOẠCH"], pages=2))
    return document, to_signing(users, document)


def pkcs12_data(test_pki, name: str = "director", passphrase: str | None = None) -> dict:
    material = test_pki.signers[name]
    return {
        "method": "pkcs12",
        "pkcs12_data": material.pkcs12,
        "passphrase": material.passphrase if passphrase is None else passphrase,
    }


def stored_blobs() -> set[str]:
    """Every file under documents/ in storage."""
    found: set[str] = set()
    if not default_storage.exists("documents"):
        return found
    for directory in default_storage.listdir("documents")[0]:
        for name in default_storage.listdir(f"documents/{directory}")[1]:
            found.add(f"{directory}/{name}")
    return found


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the site's default language is Vietnamese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
