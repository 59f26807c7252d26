"""Uploads above IN_MEMORY_BYTES live in a temporary file (edoc.services.files): who removes
it, and the streamed, verified read of a stored file."""

from __future__ import annotations

import copy
import hashlib
import io
import pickle
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from edoc.pdfcheck import pdf_signature_count
from edoc.services import files


def test_a_large_upload_is_checked_from_a_temporary_file_removed_on_close(spool, pdf_bytes):
    content = pdf_bytes(pages=3)
    pdf = files.pdf_validate(io.BytesIO(content), "plan.pdf")

    assert pdf.path is not None and pdf.path.parent == spool
    assert (pdf.size, pdf.sha256, pdf.page_count) == (
        len(content),
        hashlib.sha256(content).hexdigest(),
        3,
    )
    assert pdf.path.read_bytes() == content == pdf.content
    assert "Trang 3" in pdf.text.pages[2]
    assert copy.deepcopy(pdf) is pdf  # one owner of the file
    pdf.close()
    assert list(spool.iterdir()) == []


def test_a_refused_large_upload_leaves_no_temporary_file(spool, pdf_bytes, settings):
    damaged = pdf_bytes(pages=3)[:3000]
    with pytest.raises(ValidationError) as refused:
        files.pdf_validate(io.BytesIO(damaged), "damaged.pdf")
    assert refused.value.code == "corrupted"
    with pytest.raises(ValidationError) as refused:
        files.pdf_validate(io.BytesIO(b"PK\x03\x04" + b"x" * 5000), "notes.docx")
    assert refused.value.code == "not_pdf"
    settings.EDOC_MAX_UPLOAD_MB = 1
    unsized = io.BufferedReader(io.BytesIO(b"%PDF-1.7\n" + b"\0" * (2 * 1024 * 1024)))
    with pytest.raises(ValidationError) as refused:  # too large, found while copying
        files.pdf_validate(unsized, "big.pdf")
    assert refused.value.code == "too_large"
    assert list(spool.iterdir()) == []


def test_pickling_hands_the_file_over_to_the_receiver(spool, pdf_bytes):
    """What an import worker process does: the file is the receiver's to remove."""
    sent = files.pdf_validate(io.BytesIO(pdf_bytes(pages=2)), "plan.pdf")
    received = pickle.loads(pickle.dumps(sent))  # noqa: S301 - our own object, as the pool does

    sent.close()
    del sent
    assert received.path.exists() and received.page_count == 2
    received.close()
    assert list(spool.iterdir()) == []


def test_a_stored_file_is_verified_while_copied_and_the_copy_removed(spool, pdf_bytes):
    content = pdf_bytes(pages=2)
    name = default_storage.save("tests/large.pdf", ContentFile(content))
    record = SimpleNamespace(pk=1, file=SimpleNamespace(name=name), sha256="")
    try:
        record.sha256 = hashlib.sha256(content).hexdigest()
        with files.file_verified_copy(record) as source:
            assert source.parent == spool and source.read_bytes() == content
            assert pdf_signature_count(source) == 0
        assert list(spool.iterdir()) == []

        record.sha256 = hashlib.sha256(b"what was uploaded").hexdigest()  # altered since
        with pytest.raises(files.FileIntegrityError), files.file_verified_copy(record):
            pytest.fail("an altered file is never handed to a reader")
        assert list(spool.iterdir()) == []
    finally:
        default_storage.delete(name)
