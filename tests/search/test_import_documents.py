"""`manage.py import_documents`: bulk registration of a folder tree of PDFs."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from edoc.demo.builders import IncomingSpec, build_incoming, fill
from edoc.demo.issuers import ISSUERS_BY_KEY
from edoc.demo.large_files import large_pdf
from edoc.demo.topics import TOPICS_BY_KEY
from edoc.models import AuditEntry, Document, DocumentFile, RegisterBook
from edoc.pdfgen import render_pdf
from edoc.services import importing
from edoc.services.documents import default_incoming_book
from edoc.text import fold

# (issuer, topic, type, number, notation, date): printed on the generated documents.
PRINTED = [
    ("ubnd", "cds-tinh", "Kế hoạch", "49", "KH-UBND", datetime.date(2023, 3, 1)),
    ("byt", "tiem-chung", "Quyết định", "1234", "QĐ-BYT", datetime.date(2024, 5, 14)),
    ("bhxh", "giam-dinh-bhyt", "Công văn", "812", "BHXH-GĐBHYT", datetime.date(2025, 2, 3)),
]


def official_pdf(issuer_key: str, topic_key: str, type_name: str, number, notation, day) -> bytes:
    issuer, topic = ISSUERS_BY_KEY[issuer_key], TOPICS_BY_KEY[topic_key]
    spec = IncomingSpec(
        issuer=issuer,
        topic=topic,
        type_name=type_name,
        issue_date=day,
        number=number,
        notation=notation,
        subject=fill(topic.subjects[type_name], day),
        signer=issuer.signers[0],
    )
    return render_pdf(build_incoming(spec, random.Random(7)))


@pytest.fixture
def tree(tmp_path, pdf_bytes) -> Path:
    """Three good PDFs (one in a sub-folder), a duplicate of one, and four bad files."""
    root = tmp_path / "archive"
    (root / "2023" / "q1").mkdir(parents=True)
    (root / "2024").mkdir()
    good = [official_pdf(*printed) for printed in PRINTED]
    (root / "2023" / "q1" / "kh-49.pdf").write_bytes(good[0])
    (root / "2024" / "qd-1234.pdf").write_bytes(good[1])
    (root / "2024" / "cv-812.pdf").write_bytes(good[2])
    (root / "2024" / "zz-copy-of-kh-49.pdf").write_bytes(good[0])  # duplicate
    (root / "2024" / "damaged.pdf").write_bytes(good[1][:2000])
    (root / "2024" / "notes.docx").write_bytes(b"PK\x03\x04 not a pdf")
    (root / "2024" / "locked.pdf").write_bytes(pdf_bytes(encrypt_with="secret"))
    (root / "empty.pdf").write_bytes(b"")
    (root / ".DS_Store").write_bytes(b"\0\0")  # hidden: not a candidate
    return root


def run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_documents", *args, "--no-progress", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


@pytest.fixture
def setup(users, catalogs):
    return {**users, **catalogs}


def this_years_book(clerk) -> RegisterBook:
    return default_incoming_book(clerk, confidential=False, year=datetime.date.today().year)


def fold_words(text: str) -> set[str]:
    return set(fold(text).split())


def test_import_registers_each_pdf_with_the_proposed_metadata(
    setup, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        code, output = run(str(tree))

    assert code == 1, output  # some files failed
    documents = list(Document.objects.order_by("book_number"))
    # Sorted path order: 2023/q1/kh-49.pdf, 2024/cv-812.pdf, 2024/qd-1234.pdf.
    assert [d.symbol for d in documents] == ["49/KH-UBND", "812/BHXH-GĐBHYT", "1234/QĐ-BYT"]
    plan = documents[0]
    assert plan.direction == Document.Direction.INCOMING
    assert plan.status == Document.Status.REGISTERED
    assert plan.issue_date == datetime.date(2023, 3, 1)
    assert plan.subject == "Chuyển đổi số tỉnh Đồng Nai năm 2023"
    assert plan.document_type.name == "Kế hoạch"
    assert plan.issuer_organization == setup["ubnd"]
    assert plan.signer_name == "Võ Văn Phi"
    assert plan.created_by == setup["clerk"]
    assert plan.note == ""
    assert plan.extraction_proposal["number"] == "49"
    assert not plan.is_confidential
    # This year's incoming book of the clerk, numbered 1, 2, 3.
    book = this_years_book(setup["clerk"])
    assert [(d.register_book_id, d.book_number) for d in documents] == [
        (book.pk, number) for number in (1, 2, 3)
    ]
    assert plan.files.get().original_name == "2023/q1/kh-49.pdf"

    # Stored like an upload: content-addressed by SHA-256, text extracted after commit.
    for document in documents:
        stored = document.files.get()
        assert stored.file.name == f"documents/{stored.sha256[:2]}/{stored.sha256}.pdf"
        assert default_storage.exists(stored.file.name)
        assert fold_words(document.subject) <= fold_words(stored.text)
    registered = AuditEntry.objects.filter(action="document.register", actor_username="vanthu")
    assert registered.count() == 3

    summary = output.split("Imported", 1)[1]
    assert summary.startswith(" 3, skipped 1 (already imported), failed 4 — 8 file(s) found")
    for name, reason in (
        ("damaged.pdf", "bị hỏng"),
        ("notes.docx", "không phải là tài liệu PDF"),
        ("locked.pdf", "mã hóa"),
        ("empty.pdf", "Tệp rỗng"),
    ):
        line = next(
            line for line in summary.splitlines() if line.endswith(reason, 0) or name in line
        )
        assert line.strip().startswith(str(tree)) and reason in line, line
    assert ".DS_Store" not in output


def test_a_rerun_imports_nothing_new(setup, tree):
    first_code, _ = run(str(tree))
    before = set(Document.objects.values_list("pk", flat=True))
    files_before = DocumentFile.objects.count()

    code, output = run(str(tree))

    assert first_code == code == 1  # the bad files still fail
    assert set(Document.objects.values_list("pk", flat=True)) == before
    assert DocumentFile.objects.count() == files_before == 3
    assert "Imported 0, skipped 4 (already imported), failed 4" in output


def test_all_good_exits_zero(setup, tmp_path):
    (tmp_path / "kh.pdf").write_bytes(official_pdf(*PRINTED[0]))
    code, output = run(str(tmp_path))
    assert code == 0, output
    assert "Imported 1, skipped 0 (already imported), failed 0" in output


def test_an_archive_starts_no_process_unless_asked(setup, units, tmp_path):
    """Imported documents were handled before eDoc: no task floods the leaders' inboxes,
    unless --start-processes asks for the incoming handling process."""
    from edoc.models import User
    from edoc.models.organisation import Role
    from workflows.models import ProcessRun, WorkItem
    from workflows.shipped import install_shipped_definitions

    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    install_shipped_definitions(admin=admin, office=units["office"])
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "kh.pdf").write_bytes(official_pdf(*PRINTED[0]))
    (tmp_path / "new" / "qd.pdf").write_bytes(official_pdf(*PRINTED[1]))

    assert run(str(tmp_path / "old"))[0] == 0
    assert Document.objects.count() == 1
    assert not ProcessRun.objects.exists() and not WorkItem.objects.exists()

    assert run(str(tmp_path / "new"), "--start-processes")[0] == 0
    started = Document.objects.exclude(process_runs=None)
    assert Document.objects.count() == 2 and started.count() == 1
    assert WorkItem.objects.filter(run__document=started.get(), status="open").exists()


def test_an_interrupted_run_stops_after_the_current_file_and_resumes(setup, tree):
    clerk = setup["clerk"]
    seen: list[importing.ImportOutcome] = []

    def interrupt_after_first_import(outcome: importing.ImportOutcome) -> None:
        seen.append(outcome)
        if outcome.status == importing.IMPORTED:
            raise KeyboardInterrupt  # what Ctrl-C does while the callback runs

    summary = importing.import_documents(tree, user=clerk, progress=interrupt_after_first_import)

    assert summary.interrupted
    assert [o.status for o in summary.outcomes] == [importing.IMPORTED]
    assert summary.not_reached == summary.found - 1 == 7
    assert Document.objects.count() == 1

    stops = iter([False, False, True])  # stop_requested: checked before each file
    summary = importing.import_documents(tree, user=clerk, stop_requested=lambda: next(stops))
    assert summary.interrupted
    assert [o.status for o in summary.outcomes] == [importing.SKIPPED, importing.IMPORTED]

    summary = importing.import_documents(tree, user=clerk)
    assert not summary.interrupted
    assert len(summary.imported) == 1 and len(summary.skipped) == 3
    assert len(summary.failed) == 4
    numbers = sorted(Document.objects.values_list("book_number", flat=True))
    assert numbers == [1, 2, 3]  # no duplicates, no gaps
    assert (
        Document.objects.filter(files__sha256__in=DocumentFile.objects.values("sha256")).count()
        == 3
    )


def test_what_the_extractor_does_not_find_stays_empty(setup, tmp_path, pdf_bytes):
    (tmp_path / "Ghi chép họp giao ban.pdf").write_bytes(pdf_bytes(["Một trang không có tiêu đề"]))

    code, output = run(str(tmp_path))

    assert code == 0, output
    document = Document.objects.get()
    assert document.subject == "Ghi chép họp giao ban"  # the file name stands in for it
    assert "tên tệp" in document.note
    assert (document.number, document.notation, document.issuer) == ("", "", "")
    assert document.issue_date is None
    assert document.document_type is None
    assert document.signer_name == ""


def test_book_by_id_or_name_and_confidential_books(setup, tmp_path):
    clerk = setup["clerk"]
    (tmp_path / "a.pdf").write_bytes(official_pdf(*PRINTED[0]))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "b.pdf").write_bytes(official_pdf(*PRINTED[1]))
    year = datetime.date.today().year
    secret = default_incoming_book(clerk, confidential=True, year=year)

    code, output = run(str(tmp_path / "b"), "--book", str(secret.pk))
    assert code == 0, output
    document = Document.objects.get()
    assert document.register_book == secret and document.is_confidential
    assert document.grants.filter(user=clerk).exists()

    book = this_years_book(clerk)
    code, output = run(str(tmp_path), "--book", book.name.upper(), "--as", "vanthu")
    assert code == 0, output
    assert Document.objects.get(register_book=book).symbol == "49/KH-UBND"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--as", "nobody"], "No user named 'nobody'"),
        (["--as", "giamdoc"], "is not a clerk"),
        (["--as", "vanthu_ttyt", "--kind", "outgoing"], "not a clerk of the agency's office"),
        (["--book", "Sổ không có"], "No incoming register book"),
        (["--book", "999999"], "No incoming register book"),
        (["--kind", "outgoing", "--book", "1"], "--book applies to incoming imports only"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(setup, tmp_path, args, message):
    (tmp_path / "a.pdf").write_bytes(official_pdf(*PRINTED[0]))
    code, output = run(str(tmp_path), *args)
    assert code == 2
    assert message in output
    assert not Document.objects.exists()


def test_missing_directory_and_unknown_kind(setup, tmp_path):
    code, output = run(str(tmp_path / "nowhere"))
    assert code == 2 and "is not a directory nor a ZIP archive" in output
    with pytest.raises(CommandError):  # argparse refuses it
        call_command("import_documents", str(tmp_path), "--kind", "sideways")


def test_outgoing_import_records_issued_documents_with_their_printed_number(
    setup, tmp_path, pdf_bytes
):
    (tmp_path / "qd.pdf").write_bytes(official_pdf(*PRINTED[1]))
    (tmp_path / "draft.pdf").write_bytes(pdf_bytes(["SỞ Y TẾ", "Số:      /KH-SYT", "KẾ HOẠCH"]))

    code, output = run(str(tmp_path), "--kind", "outgoing")

    assert code == 1
    document = Document.objects.get()
    assert document.direction == Document.Direction.OUTGOING
    assert document.status == Document.Status.ISSUED
    assert (document.symbol, document.issue_date) == ("1234/QĐ-BYT", datetime.date(2024, 5, 14))
    assert document.register_book is None and document.book_number is None
    assert document.issuer == setup["clerk"].unit.agency.name
    assert document.owner_unit == setup["clerk"].unit
    assert AuditEntry.objects.filter(action="document.import_issued").count() == 1
    assert "draft.pdf: no number and no issue date could be read" in output
    # The issuance desk sees it; a specialist of another unit does not.
    from edoc.selectors.access import visible_documents

    assert visible_documents(setup["clerk"]).filter(pk=document.pk).exists()
    assert visible_documents(setup["director"]).filter(pk=document.pk).exists()
    assert not visible_documents(setup["other_specialist"]).filter(pk=document.pk).exists()


def test_imported_documents_are_searchable(setup, tree, django_capture_on_commit_callbacks):
    """The registry's hooks extract and index each file after its commit (database index: the
    embedded default, and the fallback of an external engine)."""
    from search.backends import SearchQuery, database_backend

    with django_capture_on_commit_callbacks(execute=True):
        run(str(tree))

    for text, symbol in (("49 KH UBND", "49/KH-UBND"), ("tiem chung mo rong", "1234/QĐ-BYT")):
        result = database_backend().search(SearchQuery(text=text), setup["director"])
        assert result.hits, text
        assert Document.objects.get(pk=result.hits[0].document_id).symbol == symbol


def test_workers_import_what_one_process_imports_numbered_in_file_order(setup, tree):
    """`--workers 2`: worker processes read, check and propose the files; this process
    registers them in path order, so the numbers are those of a run in one process."""
    code, output = run(str(tree), "--workers", "2")

    assert code == 1, output
    documents = list(Document.objects.order_by("book_number"))
    assert [d.symbol for d in documents] == ["49/KH-UBND", "812/BHXH-GĐBHYT", "1234/QĐ-BYT"]
    assert [d.book_number for d in documents] == [1, 2, 3]
    plan = documents[0]
    assert plan.subject == "Chuyển đổi số tỉnh Đồng Nai năm 2023"
    assert plan.document_type.name == "Kế hoạch"
    assert plan.issuer_organization == setup["ubnd"]
    assert plan.signer_name == "Võ Văn Phi"
    for document in documents:
        assert fold_words(document.subject) <= fold_words(document.files.get().text)
    summary = output.split("Imported", 1)[1]
    assert summary.startswith(" 3, skipped 1 (already imported), failed 4 — 8 file(s) found")
    assert "bị hỏng" in summary and "mã hóa" in summary


def test_an_interrupted_run_with_workers_resumes_without_duplicates(setup, tree):
    clerk = setup["clerk"]

    def interrupt_after_first_import(outcome: importing.ImportOutcome) -> None:
        if outcome.status == importing.IMPORTED:
            raise KeyboardInterrupt

    summary = importing.import_documents(
        tree, user=clerk, progress=interrupt_after_first_import, workers=2
    )
    assert summary.interrupted and len(summary.imported) == 1
    assert Document.objects.count() == 1

    summary = importing.import_documents(tree, user=clerk, workers=2)
    assert not summary.interrupted
    assert (len(summary.imported), len(summary.skipped), len(summary.failed)) == (2, 2, 4)
    assert sorted(Document.objects.values_list("book_number", flat=True)) == [1, 2, 3]


def test_workers_must_be_at_least_one(setup, tmp_path):
    (tmp_path / "kh.pdf").write_bytes(official_pdf(*PRINTED[0]))
    code, output = run(str(tmp_path), "--workers", "0")
    assert code == 2 and "--workers must be at least 1" in output
    assert not Document.objects.exists()


def zip_of(tree: Path, target: Path) -> Path:
    """The tree's files in a ZIP archive (names relative to the tree, as a folder import)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tree.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(tree).as_posix())
        archive.writestr("2024/", b"")  # a directory entry: not a candidate
    return target


def test_a_zip_archive_imports_what_the_folder_imports(setup, tree, tmp_path):
    """`import_documents archive.zip`: each member is read from the archive (never extracted
    to disk), with the same outcomes and numbers as the folder it was made of."""
    archive = zip_of(tree, tmp_path / "archive.zip")

    code, output = run(str(archive))

    assert code == 1, output
    documents = list(Document.objects.order_by("book_number"))
    assert [d.symbol for d in documents] == ["49/KH-UBND", "812/BHXH-GĐBHYT", "1234/QĐ-BYT"]
    assert [d.book_number for d in documents] == [1, 2, 3]
    assert documents[0].files.get().original_name == "2023/q1/kh-49.pdf"
    summary = output.split("Imported", 1)[1]
    assert summary.startswith(" 3, skipped 1 (already imported), failed 4 — 8 file(s) found")
    assert f"{archive}/2024/notes.docx" in summary
    assert not (tmp_path / "2024").exists()  # nothing extracted next to the archive

    code, output = run(str(archive), "--workers", "2")  # a rerun, in worker processes
    assert "Imported 0, skipped 4 (already imported), failed 4" in output
    assert Document.objects.count() == 3


def test_a_zip_member_larger_than_the_upload_limit_is_refused_unread(setup, tmp_path, settings):
    """A member is decompressed only up to the upload limit: a small archive of a huge
    member (a ZIP bomb) is refused like a too large upload, and the others are imported."""
    settings.EDOC_MAX_UPLOAD_MB = 1
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("a-bomb.pdf", b"%PDF-1.7\n" + b"\0" * (64 * 1024 * 1024))
        zipped.writestr("b-plan.pdf", official_pdf(*PRINTED[0]))
    assert archive.stat().st_size < 1024 * 1024

    code, output = run(str(archive))

    assert code == 1
    assert "a-bomb.pdf: " in output and "1 MB" in output
    assert [document.symbol for document in Document.objects.all()] == ["49/KH-UBND"]


def test_neither_a_folder_nor_a_zip_archive(setup, tmp_path):
    (tmp_path / "plan.pdf").write_bytes(official_pdf(*PRINTED[0]))
    code, output = run(str(tmp_path / "plan.pdf"))
    assert code == 2 and "is not a directory nor a ZIP archive" in output


# --- Large files: read from a temporary copy, never whole (issue 16, target 7) ---------------


def test_a_large_file_is_stored_byte_for_byte_from_its_temporary_copy(setup, tmp_path, spool):
    source = official_pdf(*PRINTED[0])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "kh-49.pdf").write_bytes(source)

    code, output = run(str(tmp_path / "in"))

    assert code == 0, output
    stored = DocumentFile.objects.get()
    assert stored.sha256 == hashlib.sha256(source).hexdigest()
    assert stored.size == len(source)
    with default_storage.open(stored.file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == stored.sha256
    assert stored.document.symbol == "49/KH-UBND"  # read from the copy: text and proposal
    assert list(spool.iterdir()) == []  # the temporary copy is gone


def test_refused_and_failed_large_files_leave_no_temporary_file(
    setup, tree, tmp_path, spool, pdf_bytes
):
    """Every error path removes its copy: files refused by the checks (damaged, encrypted, not
    a PDF), a duplicate skipped, a file whose registration fails (an issued document without a
    readable number), a ZIP member beyond the upload limit, and the copies handed over by
    worker processes."""
    code, output = run(str(tree), "--workers", "2")
    assert code == 1 and "Imported 3, skipped 1 (already imported), failed 4" in output
    assert list(spool.iterdir()) == []

    (tmp_path / "issued").mkdir()
    (tmp_path / "issued" / "no-number.pdf").write_bytes(pdf_bytes(["Ghi chú không có số"]))
    code, output = run(str(tmp_path / "issued"), "--kind", "outgoing")
    assert code == 1 and "no number" in output
    assert list(spool.iterdir()) == []

    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("a-bomb.pdf", b"%PDF-1.7\n" + b"\0" * (60 * 1024 * 1024))
    code, output = run(str(archive))
    assert code == 1 and "a-bomb.pdf: " in output and "50 MB" in output
    assert list(spool.iterdir()) == []
    assert Document.objects.count() == 3


def test_an_interrupted_run_leaves_no_temporary_file(setup, tree, spool):
    """Ctrl-C during a run with workers: the files they prepared ahead and never handed to
    the registration are removed with the run's folder."""

    def interrupt_after_first_import(outcome: importing.ImportOutcome) -> None:
        if outcome.status == importing.IMPORTED:
            raise KeyboardInterrupt

    summary = importing.import_documents(
        tree, user=setup["clerk"], progress=interrupt_after_first_import, workers=2
    )
    assert summary.interrupted and len(summary.imported) == 1
    assert list(spool.iterdir()) == []


#: Run in a child process: import a small file (every module and connection warmed up), then
#: the large one; print how far the peak RSS of the second import (Linux's VmHWM, reset through
#: /proc/self/clear_refs before it) rose above the RSS it started from, in KiB.
MEMORY_CHILD = """
import sys
import django
django.setup()
from django.core.management import call_command

def status(key):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(key + ":"))

call_command("import_documents", sys.argv[1], "--no-progress", "--as", "vanthu")
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
before = status("VmRSS")
call_command("import_documents", sys.argv[2], "--no-progress", "--as", "vanthu")
print(f"GROWTH_KIB={status('VmHWM') - before}")
"""


def database_url(settings_dict: dict) -> str:
    """The test database, for a child process (its rows are committed: transactional test)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = ":".join(filter(None, (settings_dict["USER"], settings_dict["PASSWORD"])))
    host = f"{settings_dict['HOST'] or 'localhost'}:{settings_dict['PORT'] or 5432}"
    return f"postgres://{user}@{host}/{settings_dict['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_large_pdf_is_imported_in_less_memory_than_its_size(setup, tmp_path):
    """The real command in a process of its own, on a 48 MB PDF: validation, text, proposal,
    storage and the signature check after the commit (eager Celery) read it from a temporary
    copy or from storage, a few pages at a time. Before, the file was held whole several
    times over (4x its size: docs/benchmarks.md)."""
    from django.db import connection

    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "kh-49.pdf").write_bytes(official_pdf(*PRINTED[0]))
    (tmp_path / "large").mkdir()
    large = tmp_path / "large" / "scan.pdf"
    large_pdf(large, 48, caption="Scanned report of the health department, page {page}", side=1400)
    size_kib = large.stat().st_size // 1024
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "SEARCH_BACKEND": "database",
        "EDOC_MAX_UPLOAD_MB": "100",
    }

    done = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(tmp_path / "small"), str(tmp_path / "large")],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    assert Document.objects.count() == 2
    assert DocumentFile.objects.filter(size=large.stat().st_size).exists()
    growth_kib = int(done.stdout.strip().splitlines()[-1].split("=")[1])
    assert growth_kib < size_kib, f"peak grew by {growth_kib} KiB for a {size_kib} KiB file"
