"""manage.py backup / restore: a populated instance backed up, restored into a fresh database
and an empty media directory by a separate process (as an administrator would on a new
server), every table's row count and every file's SHA-256 compared; bad archives refused."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from edoc.models import AuditEntry, Document
from edoc.services.audit import audit_record
from edoc.services.backup import storage_walk
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate

ROOT = Path(settings.BASE_DIR)


def _populate(users, catalogs, pdf_bytes) -> None:
    for index, words in enumerate(["Kế hoạch tiêm chủng", "Báo cáo dịch sốt xuất huyết"]):
        pdf = pdf_validate(io.BytesIO(pdf_bytes([words, f"Số {index}"])), f"vb{index}.pdf")
        incoming_register(
            user=users["clerk"],
            subject=words,
            urgency=catalogs["normal"],
            confidentiality=catalogs["public"],
            pdf=pdf,
        )
    audit_record(actor=users["director"], action="test.marker", details={"note": "Đồng Nai"})


def _source_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _stored_hashes() -> dict[str, str]:
    from django.core.files.storage import default_storage

    hashes = {}
    for name in storage_walk():
        with default_storage.open(name, "rb") as handle:
            hashes[name] = hashlib.sha256(handle.read()).hexdigest()
    return hashes


def _dir_hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@contextlib.contextmanager
def _fresh_database(tmp_path: Path):
    """A DATABASE_URL of a database with nothing in it (a new server's), and a row counter."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def counts() -> dict[str, int]:
            with contextlib.closing(sqlite3.connect(path)) as db:
                names = [
                    row[0]
                    for row in db.execute(
                        "SELECT name FROM sqlite_master WHERE type='table' "
                        "AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608

        yield f"sqlite:///{path}", counts
        return
    import psycopg

    params = connection.settings_dict
    name = f"{params['NAME']}_restored"
    admin_url = (
        f"postgresql://{params['USER']}:{params['PASSWORD']}@{params['HOST']}:{params['PORT']}"
    )
    with psycopg.connect(f"{admin_url}/{params['NAME']}", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

    def counts() -> dict[str, int]:
        with psycopg.connect(f"{admin_url}/{name}") as db:
            names = [
                row[0]
                for row in db.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            ]
            return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608

    try:
        yield (
            f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST']}:{params['PORT']}/{name}",
            counts,
        )
    finally:
        with psycopg.connect(f"{admin_url}/{params['NAME']}", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(*args: str, database_url: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DJANGO_SETTINGS_MODULE", "OPENSEARCH"))
    }
    env.update(
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        SEARCH_BACKEND="database",
        DJANGO_SETTINGS_MODULE="config.settings.base",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_installation_with_every_row_and_file(
    users, catalogs, pdf_bytes, tmp_path
):
    _populate(users, catalogs, pdf_bytes)
    archive = tmp_path / "backup.tar"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    source_counts = _source_counts()
    source_files = _stored_hashes()
    assert len(source_files) == 2
    assert AuditEntry.objects.filter(action="backup.create").count() == 1

    media = tmp_path / "media"
    media.mkdir()
    with _fresh_database(tmp_path) as (database_url, restored_counts):
        result = _manage("restore", str(archive), database_url=database_url, media=media)
        assert result.returncode == 0, result.stderr + result.stdout
        assert "Search index rebuilt: 2 documents." in result.stdout

        counts = restored_counts()
        after_restore = dict(counts)
        # The restore's own audit entry is the one row more. SQLite's full-text index keeps its
        # b-tree segments in shadow tables whose row counts depend on how it was written (the
        # restore rebuilds it in one go); its rows (search_fts, search_fts_docsize) are compared.
        source_counts["edoc_auditentry"] += 1
        for shadow in ("search_fts_data", "search_fts_idx"):
            assert counts.pop(shadow, 0) > 0 if connection.vendor == "sqlite" else True
            source_counts.pop(shadow, None)
        assert counts == source_counts
        assert _dir_hashes(media) == source_files

        verified = _manage("verify_audit", database_url=database_url, media=media)
        assert verified.returncode == 0, verified.stderr
        assert f"{source_counts['edoc_auditentry']} entries verified" in verified.stdout

        # A second restore onto the now populated installation is refused, changing nothing.
        again = _manage("restore", str(archive), database_url=database_url, media=media)
        assert again.returncode == 1
        assert "Restore only onto an empty installation" in again.stderr
        assert restored_counts() == after_restore


def _rewrite(archive: Path, target: Path, change) -> None:
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            content = change(member.name, content)
            member.size = len(content)
            out.addfile(member, io.BytesIO(content))


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_bad_archives_and_a_populated_installation(
    users, catalogs, pdf_bytes, tmp_path
):
    _populate(users, catalogs, pdf_bytes)
    archive = tmp_path / "backup.tar"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    documents = Document.objects.count()
    entries = AuditEntry.objects.count()

    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore", str(tmp_path / "missing.tar"))
    (tmp_path / "notes.txt").write_text("không phải bản sao lưu")
    with pytest.raises(CommandError, match="not an eDoc backup archive"):
        call_command("restore", str(tmp_path / "notes.txt"))

    damaged = tmp_path / "damaged.tar"
    _rewrite(
        archive,
        damaged,
        lambda name, content: (
            content.replace(b"%PDF", b"%PDX") if name.startswith("files/") else content
        ),
    )
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(damaged))
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(damaged), check=True)

    out = io.StringIO()
    call_command("restore", str(archive), check=True, stdout=out)
    assert "intact" in out.getvalue()
    with pytest.raises(CommandError, match="Restore only onto an empty installation"):
        call_command("restore", str(archive))
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=str(archive))

    assert (Document.objects.count(), AuditEntry.objects.count()) == (documents, entries)
