"""Search fixtures: a small corpus with confidential, other-unit, granted, delegated and clerk-desk
cases, indexed in the configured backend (and the database one).

(The `tesseract` marker of the OCR tests is the root conftest's.)
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

import pytest

from edoc.models import (
    Assignment,
    Delegation,
    Document,
    DocumentFile,
    DocumentGrant,
    FileText,
)


@dataclass
class Corpus:
    docs: dict[str, Document] = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)


def make_document(
    *,
    agency,
    unit,
    user,
    catalogs,
    subject: str,
    type_key: str = "CV",
    number: str = "",
    notation: str = "",
    issuer: str = "",
    direction: str = Document.Direction.INCOMING,
    status: str = Document.Status.IN_PROGRESS,
    confidential: bool = False,
    body: str = "",
    issue_date: datetime.date | None = None,
    urgent: bool = False,
) -> Document:
    document = Document.objects.create(
        agency=agency,
        direction=direction,
        status=status,
        owner_unit=unit,
        document_type=catalogs["types"][type_key],
        number=number,
        notation=notation,
        issuer=issuer,
        subject=subject,
        urgency=catalogs["urgent" if urgent else "normal"],
        confidentiality=catalogs["secret" if confidential else "public"],
        created_by=user,
        issue_date=issue_date or datetime.date(2026, 3, 2),
    )
    if body:
        sha = hashlib.sha256(body.encode()).hexdigest()
        file = DocumentFile(
            document=document,
            version=1,
            original_name="van-ban.pdf",
            size=len(body),
            sha256=sha,
            uploaded_by=user,
        )
        file.file.name = f"documents/{sha[:2]}/{sha}.pdf"
        file.save()
        FileText.objects.create(file=file, state=FileText.State.DONE, pdf_text=body, pages=1)
    return document


@pytest.fixture
def corpus(agency, units, users, catalogs) -> Corpus:
    """Documents of one agency. Medical (Phòng Nghiệp vụ Y) is the specialist's unit."""
    clerk, specialist = users["clerk"], users["specialist"]
    medical, pharmacy, office = units["medical"], units["pharmacy"], units["office"]
    ubnd = "Ủy ban nhân dân tỉnh Đồng Nai"

    def doc(key: str, **kwargs) -> None:
        kwargs.setdefault("agency", agency)
        kwargs.setdefault("catalogs", catalogs)
        kwargs.setdefault("user", clerk)
        corpus.docs[key] = make_document(**kwargs)

    corpus = Corpus(users=users, units=units)
    doc(
        "plan",
        unit=medical,
        user=specialist,
        type_key="KH",
        number="15",
        notation="KH-SYT",
        issuer="Sở Y tế Đồng Nai",
        subject="Chuyển đổi số ngành Y tế tỉnh Đồng Nai năm 2026",
        direction=Document.Direction.OUTGOING,
        status=Document.Status.ISSUED,
        body="KẾ HOẠCH Chuyển đổi số ngành Y tế. Mục tiêu: hồ sơ sức khỏe điện tử.",
        issue_date=datetime.date(2026, 1, 10),
    )
    doc(
        "letter",
        unit=medical,
        number="200",
        notation="STTTT-CNTT",
        issuer="Sở Thông tin và Truyền thông tỉnh Đồng Nai",
        subject="Đôn đốc báo cáo tình hình chuyển đổi số",
        body="Đề nghị các cơ quan báo cáo kết quả thực hiện kế hoạch chuyển đổi số quý I.",
        issue_date=datetime.date(2025, 4, 2),
    )
    doc(
        "decision",
        unit=medical,
        type_key="QĐ",
        number="123",
        notation="QĐ-UBND",
        issuer=ubnd,
        subject="Quyết định về việc phê duyệt danh mục thuốc thiết yếu",
        body="QUYẾT ĐỊNH Về việc phê duyệt danh mục thuốc thiết yếu năm 2026.",
        urgent=True,
    )
    doc(
        "decision_other_number",
        unit=medical,
        type_key="QĐ",
        number="1234",
        notation="QĐ-UBND",
        issuer=ubnd,
        subject="Quyết định thành lập tổ công tác 123",
        body="Thành lập tổ công tác; căn cứ Quyết định số 123 năm 2020.",
    )
    doc(
        "ascii",
        unit=medical,
        number="77",
        notation="BC-SYT",
        issuer="Sở Y tế Đồng Nai",
        subject="Ve viec phe duyet du toan kinh phi",
        issue_date=datetime.date(2024, 6, 1),
    )
    doc(
        "accented",
        unit=medical,
        number="78",
        notation="BC-SYT",
        issuer="Sở Y tế Đồng Nai",
        subject="Về việc phê duyệt dự toán kinh phí",
        issue_date=datetime.date(2024, 6, 1),
    )
    doc(
        "other_unit",
        unit=pharmacy,
        type_key="KH",
        number="16",
        notation="KH-NVD",
        issuer="Sở Y tế Đồng Nai",
        subject="Kế hoạch chuyển đổi số phòng Nghiệp vụ Dược",
    )
    doc(
        "confidential",
        unit=pharmacy,
        type_key="KH",
        number="17",
        notation="KH-NVD",
        issuer="Sở Y tế Đồng Nai",
        subject="Kế hoạch chuyển đổi số mật về kho thuốc dự trữ",
        confidential=True,
    )
    doc(
        "granted",
        unit=pharmacy,
        type_key="KH",
        number="18",
        notation="KH-NVD",
        issuer="Sở Y tế Đồng Nai",
        subject="Kế hoạch chuyển đổi số mật được chia sẻ",
        confidential=True,
    )
    DocumentGrant.objects.create(
        document=corpus.docs["granted"], user=specialist, granted_by=users["director"]
    )
    doc(
        "assigned_to_medical",
        unit=office,
        number="300",
        notation="UBND-VX",
        issuer=ubnd,
        subject="Giao nhiệm vụ phòng chống sốt xuất huyết",
    )
    Assignment.objects.create(
        document=corpus.docs["assigned_to_medical"],
        role=Assignment.Role.LEAD,
        unit=medical,
        assigned_by=users["director"],
    )
    doc(
        "clerk_desk",
        unit=pharmacy,
        user=users["other_specialist"],
        number="",
        issuer="Sở Y tế Đồng Nai",
        subject="Dự thảo công văn chờ ban hành về chuyển đổi số",
        direction=Document.Direction.OUTGOING,
        status=Document.Status.READY,
    )
    doc(
        "pharmacy_draft",
        unit=pharmacy,
        user=users["other_specialist"],
        subject="Dự thảo nội bộ phòng Dược",
        direction=Document.Direction.OUTGOING,
        status=Document.Status.DRAFT,
    )
    # The pharmacy head delegates to the medical head today.
    today = datetime.date.today()
    Delegation.objects.create(
        delegator=users["other_head"],
        delegate=users["head"],
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=1),
    )
    reindex_all()
    return corpus


def reindex_all() -> None:
    """Index every document in the configured backend (and the database one)."""
    from search.services import reindex

    reindex("database")
    from django.conf import settings

    if settings.SEARCH_BACKEND != "database":
        reindex(settings.SEARCH_BACKEND)


@pytest.fixture
def fresh_index(db) -> None:
    """An external index rebuilt from this test's (empty) database: no documents left over from
    earlier tests, whose ids the rolled-back database may hand out again."""
    reindex_all()


def wait_for(condition, timeout: float = 10.0) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; an external engine makes
    writes searchable within about a second (near-real-time), the database at once."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
