"""OpenSearch test helpers: a corpus built through the registry's services, a second node of our
own, search shortcuts. The fixtures are in opensearch_fixtures.py."""

from __future__ import annotations

import datetime
import io
import os
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from edoc.models import Document, DocumentFile
from edoc.services.documents import document_grant, incoming_register, outgoing_create
from edoc.services.files import pdf_validate
from edoc.services.handling import delegation_create, document_assign
from edoc.services.text import file_text_extract
from search.backends import SearchQuery
from search.backends.opensearch import OpenSearchBackend
from search.documents import index_records

NODE_DIR = Path(__file__).resolve().parents[2] / "tools" / "opensearch-node"


def opensearch_url() -> str:
    return os.environ.get("OPENSEARCH_URL", "")


def new_backend(url: str | None = None) -> OpenSearchBackend:
    return OpenSearchBackend(
        url=url or opensearch_url(), alias=f"edoc-test-{uuid.uuid4().hex[:12]}"
    )


def search_ids(backend, user, text: str = "", **options) -> list[int]:
    """Ids of every hit (one big page), best first."""
    options.setdefault("page_size", 100)
    result = backend.search(SearchQuery(text=text, **options), user)
    return [hit.document_id for hit in result.hits]


def pdf_upload(lines: list[str], name: str = "van-ban.pdf"):
    from tests.conftest import make_pdf

    return pdf_validate(io.BytesIO(make_pdf(lines)), name)


@dataclass
class Corpus:
    """A small agency's documents: open, confidential, other units, assigned, granted, delegated."""

    docs: dict[str, Document] = field(default_factory=dict)

    @property
    def ids(self) -> set[int]:
        return {document.pk for document in self.docs.values()}

    def id(self, name: str) -> int:
        return self.docs[name].pk


def build_corpus(users, units, catalogs) -> Corpus:
    """Documents registered and drafted through the registry's services."""
    types = catalogs["types"]
    today = datetime.date(2025, 3, 10)
    corpus = Corpus()

    def incoming(name, subject, *, clerk="clerk", secret=False, **extra):
        corpus.docs[name] = incoming_register(
            user=users[clerk],
            subject=subject,
            urgency=extra.pop("urgency", catalogs["normal"]),
            confidentiality=catalogs["secret"] if secret else catalogs["public"],
            **extra,
        )
        return corpus.docs[name]

    incoming(
        "plan",
        "Kế hoạch chuyển đổi số ngành y tế tỉnh Đồng Nai năm 2025",
        document_type=types["KH"],
        number="15",
        notation="KH-UBND",
        issuer="Ủy ban nhân dân tỉnh Đồng Nai",
        issue_date=today,
        pdf=pdf_upload(
            [
                "ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI",
                "KẾ HOẠCH",
                "Chuyển đổi số trong khám bệnh, chữa bệnh và y tế dự phòng",
                "Triển khai hồ sơ sức khỏe điện tử cho mọi người dân",
            ]
        ),
    )
    incoming(
        "plan_2",
        "Kế hoạch triển khai chuyển đổi số tại các trạm y tế xã",
        document_type=types["KH"],
        number="27",
        notation="KH-SYT",
        issuer="Sở Y tế Đồng Nai",
        issue_date=today - datetime.timedelta(days=40),
        urgency=catalogs["urgent"],
    )
    incoming(
        "decision",
        "Quyết định về việc phê duyệt danh mục thuốc thiết yếu",
        document_type=types["QĐ"],
        number="123",
        notation="QĐ-UBND",
        issuer="Ủy ban nhân dân tỉnh Đồng Nai",
        issue_date=datetime.date(2024, 11, 5),
    )
    incoming(
        "decision_plain",  # typed without diacritics by its sender
        "Quyet dinh ve viec phe duyet ke hoach dau thau thuoc",
        document_type=types["QĐ"],
        number="45",
        notation="QĐ-UBND",
        issuer="UBND huyen Trang Bom",
        issue_date=datetime.date(2024, 6, 1),
    )
    incoming(
        "mentions_123",  # the number and the notation, but not as its symbol
        "Công văn về việc thực hiện Quyết định số 123 của UBND tỉnh, danh mục phê duyệt",
        document_type=types["CV"],
        number="9",
        notation="SYT-NVY",
        issuer="Sở Y tế Đồng Nai",
        issue_date=datetime.date(2024, 12, 1),
    )
    incoming(
        "dengue",
        "Công văn về việc phòng chống dịch sốt xuất huyết",
        document_type=types["CV"],
        number="310",
        notation="SYT-NVY",
        issuer="Sở Y tế Đồng Nai",
        issue_date=datetime.date(2025, 1, 20),
    )
    incoming(
        "secret",
        "Kế hoạch chuyển đổi số bảo mật hạ tầng (mật)",
        secret=True,
        document_type=types["KH"],
        number="2",
        notation="KH-SYT",
        issuer="Sở Y tế Đồng Nai",
        issue_date=today,
    )
    incoming(
        "centre",
        "Kế hoạch chuyển đổi số của Trung tâm Y tế Biên Hòa",
        clerk="centre_clerk",
        document_type=types["KH"],
        number="8",
        notation="KH-TTYT",
        issuer="Trung tâm Y tế thành phố Biên Hòa",
        issue_date=today,
    )
    incoming(
        "centre_secret",
        "Báo cáo mật của Trung tâm Y tế về chuyển đổi số",
        clerk="centre_clerk",
        secret=True,
        document_type=types["BC"],
        number="3",
        notation="BC-TTYT",
        issuer="Trung tâm Y tế thành phố Biên Hòa",
        issue_date=today,
    )
    # Assigned to the medical unit: its head and specialist take part.
    assigned = incoming(
        "assigned",
        "Công văn về việc kiểm tra an toàn thực phẩm",
        document_type=types["CV"],
        number="77",
        notation="UBND-KGVX",
        issuer="Ủy ban nhân dân tỉnh Đồng Nai",
        issue_date=datetime.date(2025, 2, 2),
    )
    document_assign(
        user=users["director"],
        document=assigned,
        lead_unit=units["medical"],
        deadline=datetime.date.today() + datetime.timedelta(days=5),
    )
    # A confidential document granted to the specialist.
    granted = incoming(
        "granted",
        "Kế hoạch mật về nhân sự chuyển đổi số",
        secret=True,
        document_type=types["KH"],
        number="4",
        notation="KH-SYT",
        issuer="Sở Y tế Đồng Nai",
        issue_date=today,
    )
    document_grant(user=users["clerk"], document=granted, grantee=users["specialist"])
    # Drafts of the medical and pharmacy units; the medical one awaits issuance (clerks' desk).
    corpus.docs["draft_medical"] = outgoing_create(
        user=users["specialist"],
        subject="Dự thảo kế hoạch chuyển đổi số khám chữa bệnh",
        document_type=types["KH"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    corpus.docs["ready_medical"] = outgoing_create(
        user=users["head"],
        subject="Tờ trình về việc mua sắm trang thiết bị y tế",
        document_type=types["TTr"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        signer=users["director"],
    )
    Document.objects.filter(pk=corpus.docs["ready_medical"].pk).update(status=Document.Status.READY)
    corpus.docs["draft_pharmacy"] = outgoing_create(
        user=users["other_specialist"],
        subject="Dự thảo công văn về quản lý giá thuốc",
        document_type=types["CV"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    # The pharmacy head acts for the medical head this week (sees the medical unit's documents).
    delegation_create(
        user=users["head"],
        delegate=users["other_head"],
        start_date=datetime.date.today() - datetime.timedelta(days=1),
        end_date=datetime.date.today() + datetime.timedelta(days=6),
    )
    # Text extraction runs after commit in the application; the test transaction never commits.
    for file_id in DocumentFile.objects.filter(document__in=corpus.ids).values_list(
        "pk", flat=True
    ):
        file_text_extract(file_id)
    for name, document in corpus.docs.items():
        corpus.docs[name] = Document.objects.get(pk=document.pk)
    return corpus


def index_corpus(backend, corpus: Corpus) -> None:
    backend.index(index_records(sorted(corpus.ids)))
    backend.refresh()


# --- A second node of our own, for tests that stop and restart it.


def free_port() -> int:
    """A free HTTP port whose transport port (+100) is free too."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + 100 > 65535:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 100))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair")


@dataclass
class OwnNode:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        out = subprocess.run(
            ["bash", str(NODE_DIR / "start.sh"), str(self.directory), str(self.port)],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == f"OPENSEARCH_URL={self.url}"

    def stop(self) -> None:
        subprocess.run(
            ["bash", str(NODE_DIR / "stop.sh"), str(self.directory)],
            check=True,
            capture_output=True,
            timeout=60,
        )
