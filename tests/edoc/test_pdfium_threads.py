"""PDFium is not thread-safe. The embedded default reads PDFs on its background thread (text
layer, OCR) while the request thread reads the same upload; two PDFium calls at once corrupted
PDFium's state ("Failed to load page", then "Data format error" on every later load: 27 failures
in CI) or crashed the process. Every use now goes through edoc.pdfium's lock.

The threads run in a subprocess: without the lock the process may die of a segmentation fault,
which must fail this test and not the whole run."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from config.layers import LAYERS
from edoc.extraction import pdf_page_image, pdf_page_texts, read_pdf_lines, read_pdf_text
from edoc.pdfcheck import PdfProblem, pdf_inspect
from edoc.pdfium import pdfium_document
from tests.conftest import make_pdf

SCRIPT = r"""
import io, threading
import django
django.setup()
from PIL import Image
from config.layers import LAYERS
from edoc.extraction import pdf_page_texts, read_pdf_text
from edoc.pdfcheck import pdf_inspect

blank = Image.new("L", (8, 11), 255)
buffer = io.BytesIO()
blank.save(buffer, format="PDF", resolution=8 * 72 / 595, save_all=True,
           append_images=[blank] * 299)
scan = buffer.getvalue()
failures = []

def background():
    # What the background thread does with a registered scan: read its text layer.
    try:
        for _ in range(15):
            assert pdf_page_texts(scan) == [""] * 300
    except BaseException as error:
        failures.append(error)

worker = threading.Thread(target=background)
worker.start()
try:
    # What the request thread does meanwhile: check uploads, read their first pages.
    for _ in range(15):
        assert pdf_inspect(scan, max_pages=500).page_count == 300
        assert pdf_page_texts(scan) == [""] * 300
        assert read_pdf_text(io.BytesIO(scan)).strip() == ""
finally:
    worker.join()
assert not failures, failures
print("PDFium sound")
"""


def test_two_threads_read_pdfs_at_the_same_time():
    root = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-3000:])
    assert "PDFium sound" in done.stdout


@pytest.mark.parametrize(
    "reader",
    [
        pytest.param(lambda content: pdf_page_texts(content), id="pdf_page_texts"),
        pytest.param(lambda content: read_pdf_text(io.BytesIO(content)), id="read_pdf_text"),
        pytest.param(lambda content: read_pdf_lines(io.BytesIO(content)), id="read_pdf_lines"),
        pytest.param(lambda content: pdf_inspect(content, max_pages=10), id="pdf_inspect"),
        pytest.param(lambda content: pdf_inspect(content[:-40], max_pages=10), id="repair"),
        pytest.param(lambda content: pdf_page_image(content, 1, dpi=150), id="page_image"),
    ],
)
def test_every_pdfium_reader_waits_for_the_lock(reader):
    """While one thread has a document open in PDFium, every reader of ours waits."""
    content = make_pdf(["SỞ Y TẾ", "Số: 45/SYT-VP"], pages=2)
    finished = threading.Event()

    def read() -> None:
        try:
            reader(content)
        except PdfProblem:
            pass  # a truncated file may be refused; the point here is the waiting
        finally:
            finished.set()

    with pdfium_document(content):
        worker = threading.Thread(target=read)
        worker.start()
        assert not finished.wait(0.5), "read the PDF while another thread held PDFium"
    assert finished.wait(60)
    worker.join()


def test_pdfium_documents_are_opened_only_under_the_lock():
    """A new reader that opened PDFium by itself would bring the crash back."""
    root = Path(__file__).resolve().parents[2]
    apps = [root / "config"] + [root / app for app in LAYERS if (root / app).is_dir()]
    offenders = [
        str(path.relative_to(root))
        for folder in [*apps, root / "tests"]
        for path in folder.rglob("*.py")
        if "PdfDocument(" in path.read_text(encoding="utf-8")
        and path not in (root / "edoc" / "pdfium.py", Path(__file__))
    ]
    assert offenders == []
