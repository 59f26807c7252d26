"""API fixtures: authenticated clients, a Decree-30 style PDF, and helpers to observe the audit
log and the file storage. The agency, units, users and catalogs come from tests/conftest.py."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from edoc.models import AuditEntry, Unit, User
from edoc.models.organisation import Role


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """api(user) → a client authenticated as `user`; api(None) → anonymous."""

    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def office_specialist(units: dict[str, Unit]) -> User:
    """A specialist of Văn phòng, who drafts the office's Công văn."""
    return User.objects.create_user(
        username="chuyenvien_vp",
        password="pw-chuyenvien_vp",
        unit=units["office"],
        role=Role.SPECIALIST,
        position="Chuyên viên",
        first_name="Thảo",
        last_name="Đinh Thị",
    )


def make_letter(
    *,
    number: str = "15",
    notation: str = "KH-SYT",
    type_line: str | None = "KẾ HOẠCH",
    subject: str = "Triển khai chuyển đổi số ngành y tế năm 2023",
    date_line: str = "Đồng Nai, ngày 05 tháng 3 năm 2023",
    signer: str = "Nguyễn Văn An",
    marker: str = "",
) -> bytes:
    """A one-page document laid out as Decree 30 prescribes (header columns, number, date,
    type, subject, signature block), drawn with reportlab."""
    from reportlab.pdfgen import canvas

    from edoc.fonts import SERIF, SERIF_BOLD, SERIF_ITALIC, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=True)

    def text(x: float, y: float, value: str, font: str = SERIF, size: int = 13) -> None:
        pdf.setFont(font, size)
        pdf.drawCentredString(x, y, value)

    text(150, 800, "UBND TỈNH ĐỒNG NAI", size=12)
    text(150, 784, "SỞ Y TẾ", SERIF_BOLD, 12)
    text(400, 800, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", SERIF_BOLD, 12)
    text(400, 784, "Độc lập - Tự do - Hạnh phúc", SERIF_BOLD)
    text(150, 756, f"Số: {number}/{notation}")
    text(400, 756, date_line, SERIF_ITALIC)
    y = 720
    if type_line:
        text(297, y, type_line, SERIF_BOLD, 14)
        text(297, y - 18, subject, SERIF_BOLD)
        y -= 60
    else:
        text(150, 738, f"V/v {subject}", size=12)
        y -= 30
    pdf.setFont(SERIF, 13)
    pdf.drawString(70, y, "Căn cứ Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ;")
    pdf.drawString(70, y - 18, f"Sở Y tế ban hành văn bản này để thực hiện. {marker}")
    text(400, y - 60, "KT. GIÁM ĐỐC", SERIF_BOLD)
    text(400, y - 76, "PHÓ GIÁM ĐỐC", SERIF_BOLD)
    text(400, y - 140, signer, SERIF_BOLD)
    pdf.setFont(SERIF_BOLD, 12)
    pdf.drawString(60, y - 60, "Nơi nhận:")
    pdf.setFont(SERIF, 11)
    pdf.drawString(60, y - 74, "- Như trên;")
    pdf.drawString(60, y - 88, "- Lưu: VT, VP.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def letter_pdf() -> Callable[..., bytes]:
    return make_letter


def upload(content: bytes, name: str = "van-ban.pdf") -> io.BytesIO:
    """A file object the test client sends as a multipart upload."""
    handle = io.BytesIO(content)
    handle.name = name
    return handle


class AuditWatch:
    """The audit entries written since the watch started."""

    def __init__(self) -> None:
        self.start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def entries(self) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(pk__gt=self.start).order_by("pk"))

    def actions(self) -> list[str]:
        return [entry.action for entry in self.entries()]


@pytest.fixture
def audit() -> Callable[[], AuditWatch]:
    return AuditWatch


def stored_files() -> set[Path]:
    root = Path(default_storage.location)
    return {path for path in root.rglob("*") if path.is_file()}
