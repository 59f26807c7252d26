"""Fixtures for the staff UI tests: logged-in clients and registered documents."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client

from edoc.models import Document, User
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from tests.conftest import make_pdf


@pytest.fixture
def client_for(db) -> Callable[[User], Client]:
    """A Django test client logged in as `user` (Vietnamese unless told otherwise)."""

    def build(user: User, language: str | None = None) -> Client:
        client = Client()
        client.force_login(user)
        if language:
            client.cookies["django_language"] = language
        return client

    return build


def validated(content: bytes, name: str = "van-ban.pdf"):
    upload = io.BytesIO(content)
    upload.name = name
    return pdf_validate(upload, name)


@pytest.fixture
def sample_pdf() -> bytes:
    """A realistic two-page Kế hoạch rendered in the Decree 30 layout."""
    from edoc.pdfgen import render_pdf, sample_document

    return render_pdf(sample_document())


@pytest.fixture
def incoming(users, catalogs) -> Callable[..., Document]:
    """Register an incoming document as the agency clerk."""

    def build(subject: str = "Về việc báo cáo số liệu tiêm chủng", **extra) -> Document:
        lines = ["UBND TỈNH ĐỒNG NAI", f"Số: 7/KH-UBND — {subject}", "KẾ HOẠCH", subject]
        values = {
            "user": users["clerk"],
            "subject": subject,
            "urgency": catalogs["normal"],
            "confidentiality": catalogs["public"],
            "pdf": validated(make_pdf(lines)),
            "issuer": "Ủy ban nhân dân tỉnh Đồng Nai",
            "number": "7",
            "notation": "KH-UBND",
        }
        values.update(extra)
        return incoming_register(**values)

    return build
