"""`manage.py verify_pdf`: report output and exit status 0 / 1 / 2."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.conftest import make_pdf
from tests.signing.pdf_tools import add_page_content, flip_signed_byte

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str, str]:
    """Run the command in-process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        # as from a shell: the default language (another test's request may have left its own)
        with translation.override(settings.LANGUAGE_CODE):
            call_command("verify_pdf", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code)
    except CommandError as error:
        code = error.returncode
        err.write(str(error))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def write(tmp_path):
    def _write(name: str, content: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return _write


def test_valid_trusted_signature_exits_0(trust_root, pdf_sign, write):
    path = write("signed.pdf", pdf_sign(make_pdf(), "director"))

    code, out, _ = run(path)

    assert code == 0
    assert "Trần Văn Hùng" in out and "B-T" in out
    assert "Kết quả: Hợp lệ, đáng tin cậy" in out


def test_json_output_is_the_report(trust_root, pdf_sign, write):
    path = write("signed.pdf", pdf_sign(make_pdf(), "director"))

    code, out, _ = run(path, "--json")

    report = json.loads(out)
    assert code == 0 and report["ok"] and report["signature_count"] == 1
    assert report["signatures"][0]["signer"]["common_name"] == "Trần Văn Hùng"


def test_trust_root_option_adds_a_root_for_the_run(test_pki, pdf_sign, write, tmp_path):
    path = write("signed.pdf", pdf_sign(make_pdf(), "untrusted", timestamp=False))

    assert run(path)[0] == 1  # no admin-managed root trusts it
    code, out, _ = run(path, "--trust-root", str(test_pki.untrusted_root_pem_path), "--json")

    assert code == 0 and json.loads(out)["signatures"][0]["trusted"]


def test_etsi_xml_written_on_request(trust_root, pdf_sign, write, tmp_path):
    path = write("signed.pdf", pdf_sign(make_pdf(), "director"))
    target = tmp_path / "report.xml"

    assert run(path, "--etsi-xml", str(target))[0] == 0
    assert "urn:etsi:019102:mainindication:total-passed" in target.read_text()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda sign: flip_signed_byte(sign(make_pdf(), "director")), id="flipped"),
        pytest.param(lambda sign: add_page_content(sign(make_pdf(), "director")), id="modified"),
        pytest.param(lambda sign: sign(make_pdf(), "revoked"), id="revoked"),
        pytest.param(lambda sign: sign(make_pdf(), "untrusted"), id="untrusted"),
    ],
)
def test_problem_signatures_exit_1(trust_root, pdf_sign, write, make):
    code, out, _ = run(write("bad.pdf", make(pdf_sign)))

    assert code == 1
    assert "Kết quả:" in out


def test_flipped_byte_is_reported_not_intact(trust_root, pdf_sign, write):
    path = write("flipped.pdf", flip_signed_byte(pdf_sign(make_pdf(), "director")))

    code, out, _ = run(path, "--json")

    signature = json.loads(out)["signatures"][0]
    assert code == 1 and signature["intact"] is False


def test_unsigned_pdf_exits_1_with_a_clear_message(trust_root, write):
    code, out, _ = run(write("plain.pdf", make_pdf()))

    assert code == 1
    assert "Văn bản PDF không có chữ ký số." in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a PDF", "không phải là tài liệu PDF"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog", "bị hỏng"),
        (b"", "Tệp rỗng"),
    ],
)
def test_unreadable_file_exits_2(write, content, message):
    code, out, err = run(write("broken.pdf", content))

    assert code == 2 and message in err and out == ""


def test_missing_file_exits_2(tmp_path):
    code, _, err = run(str(tmp_path / "nowhere.pdf"))

    assert code == 2 and "không tồn tại" in err


def test_unreadable_json_report_on_stdout(write):
    code, out, _ = run(write("x.pdf", b"plain text"), "--json")

    report = json.loads(out)
    assert code == 2 and report["error"]["code"] == "not_pdf" and not report["ok"]


def test_unreadable_trust_root_exits_2(write, tmp_path):
    pdf = write("plain.pdf", make_pdf())
    bad_root = write("root.pem", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")

    assert run(pdf, "--trust-root", bad_root)[0] == 2
    assert run(pdf, "--trust-root", str(tmp_path / "missing.pem"))[0] == 2


def test_real_process_exit_status(write):
    """The exit status as a shell sees it (Django's own manage.py, a fresh process)."""
    path = write("broken.pdf", b"not a pdf at all")
    manage = Path(__file__).resolve().parents[2] / "manage.py"

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(manage), "verify_pdf", path],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2, result.stderr
