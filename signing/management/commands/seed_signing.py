"""`python manage.py seed_signing`: the demo's signing keys (test material, never production).

Builds the eDoc test PKI (tools/testpki, certomancer) into `EDOC_DEMO_PKI_DIR` (default
`var/testpki`; its keys are kept, so the certificates stay the same from run to run and match
what `tools/testpki/serve.py` serves), trusts its root CA, and registers each demo signer's
certificate to their account (approved by the demo administrator). Every demo signer then has
their own key file, `<dir>/demo/<login>.p12`, passphrase `edoc-test`, to sign with in the
browser. Idempotent; run by `seed_demo`. Without certomancer (the `dev` extra) it says so and
does nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from edoc.models import User
from edoc.models.organisation import Role
from signing import trust_services
from signing.models import SignerCertificate, TrustRoot
from signing.signer_certificates import signer_certificate_register

#: Demo login → the test PKI signer whose certificate (same name) they hold.
DEMO_SIGNERS = {
    "giamdoc": "giamdoc",
    "phogiamdoc": "phogiamdoc",
    "truongphong": "head",
    "chuyenvien": "specialist",
}
#: The address tools/testpki/serve.py answers on by default (OCSP, CRLs, TSA).
DEMO_PKI_URL = "http://127.0.0.1:8765"


def demo_pki_dir() -> Path:
    return Path(getattr(settings, "EDOC_DEMO_PKI_DIR", "") or settings.BASE_DIR / "var/testpki")


class Command(BaseCommand):
    help = "Give each demo signer a test key registered to their account (test PKI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="default: var/testpki")
        parser.add_argument("--base-url", default=DEMO_PKI_URL)

    def handle(self, *args, **options) -> None:
        try:
            from tools.testpki.pki import PKCS12_PASSPHRASE, build_test_pki
        except ImportError:
            self.stdout.write(
                "Signing keys: skipped (the test PKI needs certomancer: pip install -e '.[dev]')."
            )
            return
        admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_SIGNERS)}
        if admin is None or not users:
            self.stdout.write("Signing keys: skipped (no demo users: run seed_demo).")
            return
        directory = (options["dir"] or demo_pki_dir()).resolve()
        pki = build_test_pki(directory, options["base_url"])
        demo = directory / "demo"
        demo.mkdir(exist_ok=True)
        registered = 0
        with transaction.atomic():
            root = pki.root_cert
            if not TrustRoot.objects.filter(sha256_fingerprint=root.sha256.hex()).exists():
                trust_services.trust_root_save(
                    actor=admin,
                    trust_root=TrustRoot(name="eDoc Test Root CA (demo)", is_active=True),
                    certificate=root,
                )
            for login, label in DEMO_SIGNERS.items():
                user = users.get(login)
                if user is None:
                    continue
                material = pki.signers[label]
                held = SignerCertificate.objects.filter(
                    user=user,
                    sha256=material.cert.sha256.hex(),
                    status__in=SignerCertificate.HOLDING,
                )
                if not held.exists():
                    signer_certificate_register(actor=admin, user=user, certificate=material.cert)
                    registered += 1
                shutil.copyfile(material.pkcs12_path, demo / f"{login}.p12")
        self.stdout.write(
            f"Signing keys: {registered} certificate(s) registered; key files (passphrase "
            f"{PKCS12_PASSPHRASE!r}) in {demo}:"
        )
        for login, label in DEMO_SIGNERS.items():
            if login in users:
                self.stdout.write(
                    f"  {login:<12} {demo / f'{login}.p12'}  ({pki.signers[label].common_name})"
                )
