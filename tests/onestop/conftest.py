# ruff: noqa: F811 (pytest fixtures imported from tests/signing are parameters here)
"""One-stop fixtures: procedures with papers, a one-stop officer, uploads, a fixed clock,
a signed result document (with tests/signing's test PKI)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from edoc.models.organisation import Role
from onestop.models import ONESTOP_GROUP, Procedure, ProcedurePaper
from tests.conftest import _user
from workflows import calendar

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.EDOC_PUBLIC_BASE_URL = "https://dichvucong.example.vn"


@pytest.fixture
def officer(users, units):
    user = _user("motcua", units["office"], Role.SPECIALIST, "Công chức một cửa", "Thảo", "Lê Thị")
    group, _created = Group.objects.get_or_create(name=ONESTOP_GROUP)
    user.groups.add(group)
    return user


@pytest.fixture
def procedure(agency, units) -> Procedure:
    procedure = Procedure.objects.create(
        agency=agency,
        code="1.004616",
        name="Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
        processing_days=Decimal(10),
        fee=360_000,
        result_type="Chứng chỉ hành nghề",
        handling_unit=units["medical"],
    )
    ProcedurePaper.objects.create(procedure=procedure, name="Đơn đề nghị", order=1)
    ProcedurePaper.objects.create(
        procedure=procedure, name="Văn bằng chuyên môn", order=2, extensions="pdf"
    )
    ProcedurePaper.objects.create(
        procedure=procedure, name="Ảnh 4x6", order=3, mandatory=False, max_size_mb=1
    )
    return procedure


@pytest.fixture
def papers(procedure):
    return list(procedure.papers.order_by("order"))


@pytest.fixture
def applicant() -> dict:
    return {
        "name": "Nguyễn Văn An",
        "phone": "+84 912 345 678",
        "id_number": "079123456789",
        "email": "an@example.vn",
        "address": "Biên Hòa, Đồng Nai",
    }


@pytest.fixture
def upload(pdf_bytes):
    def make(kind: str = "pdf", name: str | None = None, content: bytes | None = None):
        data = content
        if data is None:
            data = {"pdf": pdf_bytes(), "png": PNG, "jpg": JPG}.get(kind, b"plain text")
        return SimpleUploadedFile(name or f"giay.{kind}", data)

    return make


@pytest.fixture
def all_files(papers, upload):
    return lambda: {papers[0].pk: upload("pdf"), papers[1].pk: upload("pdf")}


class Clock:
    """Sets Django's idea of now (timezone.now) for the services under test."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, value: datetime.datetime) -> datetime.datetime:
        moment = value if value.tzinfo else value.replace(tzinfo=calendar.VN_TZ)
        self.monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        return moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


WORKING_MORNING = datetime.datetime(2026, 12, 9, 9, 30)  # a Wednesday, Vietnam time


@pytest.fixture
def office_hours(clock) -> datetime.datetime:
    """Now is a working morning, so that working days left do not depend on the hour the suite
    runs (a dossier received before the office opens is already in its first working day)."""
    return clock.set(WORKING_MORNING)


# --- A signed result document: an outgoing document through the shipped outgoing process,
# signed by the director with the test PKI's PKCS#12 key (tests/signing's fixtures).
from tests.signing.conftest import test_pki  # noqa: E402, F401
from tests.signing.signing_support import (  # noqa: E402, F401
    _no_token_unless_asked,
    in_signing,
    pkcs12_data,
    registered_signers,
    shipped,
)


@pytest.fixture
def signed_result(in_signing, users, test_pki):
    """Signed by the director, then numbered and issued by the clerk (a result must be both)."""
    from edoc.models import Document
    from tests.signing.signing_support import open_item as document_item
    from workflows.services.processes import work_item_complete

    document, sign = in_signing
    work_item_complete(user=users["director"], work_item=sign, data=pkcs12_data(test_pki))
    work_item_complete(user=users["clerk"], work_item=document_item(document, "issue"))
    document = Document.objects.get(pk=document.pk)
    assert document.status == Document.Status.ISSUED
    return document


@pytest.fixture
def process_procedure(procedure, shipped):
    """The procedure with its shipped internal process (and the apology process)."""
    from onestop.services import APOLOGY_KEY
    from onestop.shipped import _definition, apology_graph, dossier_graph

    _definition(shipped, APOLOGY_KEY, "Duyệt phiếu xin lỗi", apology_graph())
    procedure.definition = _definition(
        shipped, "onestop-test", "Giải quyết hồ sơ", dossier_graph(procedure.processing_days)
    )
    procedure.save()
    return procedure
