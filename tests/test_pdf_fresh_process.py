"""Every PDF generator works first thing in a new process (issue 9 #1: the one-stop receipt
answered 500 on a freshly started server because its paragraphs were built before the fonts
were registered). Each generator runs in its own `python -m tests.fresh_process_pdfs`, on a
copy of a SQLite database migrated once for this module; the PDF it writes is then read back
and rendered with pdftoppm."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edoc.pdfgen import render_pdf, sample_document
from tests.signing.conftest import test_pki  # noqa: F401 (session fixture)

ROOT = Path(__file__).resolve().parents[1]


def _env(database: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{database}",
        SEARCH_BACKEND="database",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("fresh-db") / "template.sqlite3"
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return database


def generate(migrated: Path, tmp_path: Path, name: str, *args: str) -> bytes:
    database = tmp_path / "edoc.sqlite3"
    shutil.copyfile(migrated, database)
    out = tmp_path / f"{name}.out"
    done = subprocess.run(
        [sys.executable, "-m", "tests.fresh_process_pdfs", name, str(out), *args],
        cwd=ROOT,
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_bytes()


def text_of(content: bytes) -> str:
    from edoc.pdfium import pdfium_document

    with pdfium_document(content) as document:
        return "\n".join(page.get_textpage().get_text_range() for page in document)


def renders(content: bytes, tmp_path: Path) -> None:
    """pdftoppm renders every page without a complaint."""
    source = tmp_path / "check.pdf"
    source.write_bytes(content)
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(source), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    assert list(tmp_path.glob("page*.png"))


CASES = {
    "receipt": "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "apology": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "payment_receipt": "Ba trăm sáu mươi nghìn đồng",
    "register_book": "Về việc triển khai chuyển đổi số ngành y tế",
    "official_document": "Chuyển đổi số ngành Y tế tỉnh Đồng Nai năm 2023",
    "demo_paper": "Đơn đề nghị cấp chứng chỉ hành nghề",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_generator_works_in_a_fresh_process(migrated, tmp_path, name):
    content = generate(migrated, tmp_path, name)
    assert content.startswith(b"%PDF-")
    assert CASES[name] in " ".join(text_of(content).split())
    renders(content, tmp_path)


def test_signing_stamps_and_filled_fields_in_a_fresh_process(migrated, tmp_path, test_pki):  # noqa: F811
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signing.validation.options import VerificationOptions
    from signing.validation.verify import pdf_verify

    draft = tmp_path / "draft.pdf"
    draft.write_bytes(render_pdf(dataclasses.replace(sample_document(), number="", date=None)))
    director, org = test_pki.signers["director"], test_pki.signers["org"]
    content = generate(
        migrated,
        tmp_path,
        "signed",
        str(director.pkcs12_path),
        str(org.pkcs12_path),
        director.passphrase,
        str(draft),
    )
    report = pdf_verify(content, VerificationOptions(trust_roots=(test_pki.root_cert,))).report
    assert report["ok"] and report["signature_count"] == 2, report["summary_en"]
    reader = PdfFileReader(io.BytesIO(content))
    values = {
        str(field["/T"]): str(field.get("/V", ""))
        for field in (ref.get_object() for ref in reader.root["/AcroForm"]["/Fields"])
    }
    assert values["edoc_number"] == "Số: 15/KH-SYT"
    renders(content, tmp_path)


def test_seal_picture_in_a_fresh_process(migrated, tmp_path):
    from PIL import Image

    picture = Image.open(io.BytesIO(generate(migrated, tmp_path, "seal_picture")))
    assert picture.format == "PNG" and picture.width > 100
