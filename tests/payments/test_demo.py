"""Issue 12, `make run`'s demo: its payment providers are TEST ones (the stand-in of
tools/payment_standin, a demo bank account), which the citizen's page says; the production
settings refuse to run with them. The demo's settings and the stand-in's arguments come from
the Makefile itself (`make -n run`), so a secret that does not match between them fails here."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest
import requests
from django.conf import settings as django_settings
from django.urls import reverse

from onestop.selectors import tracking_token
from payments.providers.vnpay import VnpayProvider
from tests.connectors.portal_support import free_port
from tests.deploy.production_env import production_environment
from tests.onestop import test_portal

pytestmark = pytest.mark.django_db

_fresh_rate_limits = test_portal._fresh_rate_limits


def _tracking_page(client, dossier) -> str:
    client.get(reverse("portal:track_token", args=[tracking_token(dossier)]))
    return client.get(reverse("portal:dossier")).content.decode()


def test_the_citizen_page_labels_test_providers(client, owing, testpay, settings):
    settings.EDOC_PAYMENT_TEST_PROVIDERS = True
    page = _tracking_page(client, owing)
    assert 'id="payment-test-notice"' in page and "Cổng thanh toán thử nghiệm" in page
    assert "(thử nghiệm)" in page
    redirect = client.post(reverse("payments:pay"), {"method": "testpay"}).content.decode()
    assert "Cổng thanh toán thử nghiệm" in redirect
    settings.EDOC_PAYMENT_TEST_PROVIDERS = False
    assert "thử nghiệm" not in _tracking_page(client, owing).replace("Cổng thử nghiệm", "")


def _production(**env: str) -> subprocess.CompletedProcess:
    environment = production_environment(**env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_test_providers():
    assert _production().returncode == 0
    refused = _production(EDOC_PAYMENT_TEST_PROVIDERS="1")
    assert refused.returncode != 0 and "EDOC_PAYMENT_TEST_PROVIDERS" in refused.stderr


def _make_run_commands() -> list[str]:
    plan = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run"],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert plan.returncode == 0, plan.stderr
    return plan.stdout.replace("\\\n", " ").splitlines()


def test_make_run_starts_the_stand_in_the_demo_settings_point_at(tmp_path):
    """The stand-in started as `make run` starts it accepts a payment signed with the settings
    `make run` gives the server (the same terminal, secret and address)."""
    (line,) = [line for line in _make_run_commands() if "tools.payment_standin" in line]
    assert "trap 'kill $timers $standin'" in line  # stopped with the server
    standin = shlex.split(line.split("-m tools.payment_standin", 1)[1].split(">", 1)[0])
    server = shlex.split(line.rsplit("trap", 1)[1].split(";", 1)[1])
    demo = dict(word.split("=", 1) for word in server if re.match(r"^[A-Z_]+=", word))
    assert demo["EDOC_PAYMENT_TEST_PROVIDERS"] == "1"
    port = free_port()
    standin[standin.index("--port") + 1] = str(port)
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.payment_standin", *standin],
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout.readline().startswith("listening on")
        old = f"127.0.0.1:{demo['VNPAY_PAYMENT_URL'].split(':')[2].split('/')[0]}"
        vnpay = VnpayProvider(
            tmn_code=demo["VNPAY_TMN_CODE"],
            hash_secret=demo["VNPAY_HASH_SECRET"],
            payment_url=demo["VNPAY_PAYMENT_URL"].replace(old, f"127.0.0.1:{port}"),
            api_url=demo["VNPAY_API_URL"],
        )
        import datetime

        from django.utils import timezone

        from payments.providers.base import PaymentRequest
        from tests.payments.test_attempts import _start  # noqa: F401 (same request shape)

        now = timezone.now()
        where = vnpay.start(
            PaymentRequest(
                order_code="TTDEMO0001",
                amount=150_000,
                description="Phi ho so",
                created_at=now,
                expires_at=now + datetime.timedelta(minutes=15),
                return_url="http://127.0.0.1:8000/payments/return/vnpay/",
                ipn_url="http://127.0.0.1:8000/payments/ipn/vnpay/",
                client_ip="127.0.0.1",
            )
        )
        page = requests.get(where.url, timeout=10)
        assert page.status_code == 200 and "THỬ NGHIỆM" in page.text
        assert demo["MOMO_ENDPOINT"].endswith("/momo") and demo["VIETQR_BANK_BIN"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
