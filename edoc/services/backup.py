"""Back up and restore a whole installation: one `.tar` archive holding a consistent snapshot
of the database (pg_dump custom format on PostgreSQL, SQLite's online backup API on SQLite),
every file of the default storage (local or S3, through Django's storage API), and a
manifest (versions, time, row count per table, the audit chain's head, every file with its
SHA-256), with `SHA256SUMS` over every other member.

Archive layout::

    manifest.json
    database.pgdump | database.sqlite3
    files/<storage name>          one per stored file
    SHA256SUMS                    `sha256sum -c` format, every member above

Restore checks the whole archive before it changes anything, refuses a non-empty installation,
writes the files, then the database (in one transaction on PostgreSQL), and verifies the
result: row counts, the audit chain (`audit_verify`) holding the backed-up head, every file's
hash. Upper apps rebuild what they derive from the data (the search index) on
`edoc.signals.data_restored`.
"""

from __future__ import annotations

import contextlib
import datetime
import glob
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import django
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from config.env import child_environment
from edoc.models import AuditChainHead, AuditEntry, Document, User

FORMAT = "edoc-backup/1"
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
FILES_DIR = "files/"
DB_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class RestoreReport:
    """What a restore did and found."""

    manifest: dict[str, Any]
    tables: int = 0
    files: int = 0
    audit_entries: int = 0
    problems: list[str] = field(default_factory=list)
    after_restore: list[str] = field(default_factory=list)  # what upper apps did (reindex …)


# --- helpers ---------------------------------------------------------------------------------


def _sha256_stream(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return _sha256_stream(handle)


def pg_tool(name: str) -> str:
    """The path of pg_dump / pg_restore: on PATH, else the newest /usr/lib/postgresql/*/bin
    (where .ci/services.sh finds the server); BackupError when neither has it."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parent.parent.name.split(".")[0] or 0),
    )
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} was not found on PATH nor in /usr/lib/postgresql/*/bin "
        "(Debian: apt-get install postgresql-client)."
    )


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    """Connection arguments of the default database for the PostgreSQL client tools; the
    password goes through the environment, never the command line."""
    settings_dict = connection.settings_dict
    password = settings_dict.get("PASSWORD")
    env = child_environment(**({"PGPASSWORD": str(password)} if password else {}))
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    args += ["--dbname", str(settings_dict["NAME"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")


def storage_walk(path: str = "") -> Iterator[str]:
    """Every file name in the default storage (local directory or S3 bucket), depth first."""
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from storage_walk(f"{path}/{directory}" if path else directory)


def _applied_migrations() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        rows = cursor.fetchall()
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table_counts_here() -> dict[str, int]:
    """Rows per table of the default database, as the current transaction sees it."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            # Table names come from the database's own catalogue, quoted.
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_facts(path: Path) -> tuple[dict[str, int], dict[str, list[str]], dict[str, Any]]:
    """Row counts, applied migrations and audit head of a SQLite database file."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {
            table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in sorted(tables)
        }
        applied: dict[str, list[str]] = {}
        for app, name in db.execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
            applied.setdefault(app, []).append(name)
        head = db.execute(
            "SELECT last_hash, length FROM edoc_auditchainhead WHERE id = 1"
        ).fetchone()
    audit = {"head_hash": head[0], "length": head[1]} if head else {}
    return counts, applied, audit


def _versions() -> dict[str, str]:
    try:
        edoc_version = metadata.version("edoc")
    except metadata.PackageNotFoundError:
        edoc_version = "unknown"
    versions = {
        "edoc": edoc_version,
        "django": django.get_version(),
        "python": platform.python_version(),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            versions["postgresql"] = cursor.fetchone()[0]
    else:
        versions["sqlite"] = sqlite3.sqlite_version
    return versions


# --- backup ----------------------------------------------------------------------------------


def backup_create(output: Path, *, actor: Any = None) -> dict[str, Any]:
    """Write the archive to `output` (a new `.tar`; written beside it and renamed when whole,
    so a failed backup leaves no partial archive) and return its manifest.

    The backup is recorded in the audit log first, so the snapshot holds its own entry."""
    from edoc.services.audit import audit_record

    if connection.vendor not in DB_MEMBERS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists; choose a new file name.")
    if not output.parent.is_dir():
        raise BackupError(f"The directory {output.parent} does not exist.")
    if connection.vendor == "postgresql":
        pg_tool("pg_dump")  # a missing client fails before anything is recorded
    audit_record(actor=actor, action="backup.create", details={"archive": output.name})
    with tempfile.TemporaryDirectory(prefix="edoc-backup-", dir=output.parent) as work:
        work_dir = Path(work)
        db_member = DB_MEMBERS[connection.vendor]
        db_path = work_dir / db_member
        if connection.vendor == "postgresql":
            counts, applied, audit, file_names = _pg_snapshot(db_path)
        else:
            counts, applied, audit, file_names = _sqlite_snapshot(db_path)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "versions": _versions(),
            "database": {
                "vendor": connection.vendor,
                "member": db_member,
                "sha256": _sha256_file(db_path),
                "size": db_path.stat().st_size,
            },
            "migrations": applied,
            "tables": counts,
            "audit": audit,
            "files": [],
        }
        partial = work_dir / "archive.tar"
        sums: dict[str, str] = {db_member: manifest["database"]["sha256"]}
        with tarfile.open(partial, "w") as archive:
            archive.add(db_path, arcname=db_member)
            for name in file_names:
                digest, size = _add_stored_file(archive, name)
                manifest["files"].append({"name": name, "size": size, "sha256": digest})
                sums[FILES_DIR + name] = digest
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            _add_bytes(archive, MANIFEST, manifest_bytes)
            sums[MANIFEST] = hashlib.sha256(manifest_bytes).hexdigest()
            lines = "".join(f"{digest}  {member}\n" for member, digest in sorted(sums.items()))
            _add_bytes(archive, CHECKSUMS, lines.encode())
        os.replace(partial, output)
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def _add_stored_file(archive: tarfile.TarFile, name: str) -> tuple[str, int]:
    """Copy one stored file into the archive (through a temporary file: S3 objects are
    streams without a known size), returning its SHA-256 and size."""
    with tempfile.TemporaryFile() as spool:
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
                spool.write(chunk)
        size = spool.tell()
        spool.seek(0)
        info = tarfile.TarInfo(FILES_DIR + name)
        info.size = size
        info.mtime = int(timezone.now().timestamp())
        info.mode = 0o600
        archive.addfile(info, spool)
    return digest.hexdigest(), size


def _pg_snapshot(path: Path) -> tuple[dict[str, int], dict[str, list[str]], dict, list[str]]:
    """pg_dump in the snapshot of a REPEATABLE READ transaction that also counts the rows and
    reads the audit head: the manifest describes exactly the dump."""
    env, args = _pg_env_and_args()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        command = [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}"]
        _run([*command, "--file", str(path), *args], env)
        counts = _table_counts_here()
        applied = _applied_migrations()
        head = AuditChainHead.objects.filter(pk=1).first()
        audit = {"head_hash": head.last_hash, "length": head.length} if head else {}
        # Stored files are content-addressed and never rewritten: every file the snapshot
        # names is in the storage now; a file added since is harmless.
        file_names = list(storage_walk())
    return counts, applied, audit, file_names


def _sqlite_snapshot(path: Path) -> tuple[dict[str, int], dict[str, list[str]], dict, list[str]]:
    """SQLite's online backup API copies a consistent snapshot; the manifest reads the copy."""
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)
    counts, applied, audit = _sqlite_facts(path)
    return counts, applied, audit, list(storage_walk())


# --- restore ---------------------------------------------------------------------------------


def _safe_members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    members = {}
    for member in archive.getmembers():
        name = member.name
        if not member.isfile() or name.startswith("/") or ".." in Path(name).parts:
            raise BackupError(f"The archive holds an unexpected entry {name!r}; not restoring.")
        members[name] = member
    return members


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = archive.extractfile(member)
    assert handle is not None
    return handle.read()


def archive_check(path: Path) -> dict[str, Any]:
    """Open an archive and check every member against SHA256SUMS and the manifest; return the
    manifest. BackupError naming the first problem (nothing is changed by a check)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file.")
    try:
        archive = tarfile.open(path, "r:")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not an eDoc backup archive ({exc}).")
    with archive:
        try:
            members = _safe_members(archive)
        except tarfile.TarError as exc:
            raise BackupError(f"{path} is damaged ({exc}).")
        for required in (MANIFEST, CHECKSUMS):
            if required not in members:
                raise BackupError(f"{path} is not an eDoc backup archive (no {required}).")
        sums = {}
        for line in _read_member(archive, members[CHECKSUMS]).decode().splitlines():
            digest, _sep, member = line.partition("  ")
            sums[member] = digest
        manifest_bytes = _read_member(archive, members[MANIFEST])
        if hashlib.sha256(manifest_bytes).hexdigest() != sums.get(MANIFEST):
            raise BackupError(f"{path}: the manifest does not match its checksum.")
        manifest = json.loads(manifest_bytes)
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}.")
        expected = {manifest["database"]["member"]: manifest["database"]["sha256"]}
        expected.update({FILES_DIR + item["name"]: item["sha256"] for item in manifest["files"]})
        for member, digest in expected.items():
            if sums.get(member) != digest:
                raise BackupError(f"{path}: {member} is missing from SHA256SUMS.")
            if member not in members:
                raise BackupError(f"{path}: {member} is missing from the archive.")
            handle = archive.extractfile(members[member])
            assert handle is not None
            try:
                actual = _sha256_stream(handle)
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise BackupError(f"{path}: {member} cannot be read ({exc}).")
            if actual != digest:
                raise BackupError(f"{path}: {member} does not match its checksum (damaged).")
    return manifest


def installation_problems() -> list[str]:
    """Why this installation is not empty (users, documents, audit entries, stored files);
    [] when a backup may be restored onto it. A database without tables is empty."""
    tables = set(connection.introspection.table_names())
    problems = []
    for model, what in (
        (User, "user accounts"),
        (Document, "documents"),
        (AuditEntry, "audit entries"),
    ):
        if model._meta.db_table in tables and model.objects.exists():
            problems.append(f"the database has {what}")
    if next(storage_walk(), None) is not None:
        problems.append("the file storage is not empty")
    return problems


def _migrations_unknown(manifest: dict[str, Any]) -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]


def backup_restore(path: Path) -> RestoreReport:
    """Restore the archive onto this (empty) installation, then verify it. BackupError before
    anything changed when the archive or the installation is not fit; a failed write removes
    the files it wrote (the database load is one transaction on PostgreSQL)."""
    path = Path(path)
    manifest = archive_check(path)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"The backup is of a {vendor} database; this installation uses {connection.vendor}."
        )
    unknown = _migrations_unknown(manifest)
    if unknown:
        raise BackupError(
            "The backup was made by a newer eDoc (migrations unknown here: "
            f"{', '.join(unknown[:5])}); upgrade this installation first."
        )
    problems = installation_problems()
    if problems:
        raise BackupError(
            "Restore only onto an empty installation: "
            + "; ".join(problems)
            + ". Use a new database and an empty file storage."
        )
    with tempfile.TemporaryDirectory(prefix="edoc-restore-") as work, tarfile.open(path) as archive:
        members = _safe_members(archive)
        db_path = Path(work) / manifest["database"]["member"]
        archive.extract(members[manifest["database"]["member"]], work, filter="data")
        written = _restore_files(archive, members, manifest)
        try:
            _restore_database(db_path, vendor)
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    return _verify_restored(manifest, path)


def _restore_files(
    archive: tarfile.TarFile, members: dict[str, tarfile.TarInfo], manifest: dict[str, Any]
) -> list[str]:
    written: list[str] = []
    try:
        for item in manifest["files"]:
            handle = archive.extractfile(members[FILES_DIR + item["name"]])
            assert handle is not None
            stored = default_storage.save(item["name"], File(handle, name=item["name"]))
            written.append(stored)
            if stored != item["name"]:
                raise BackupError(f"The storage stored {item['name']} as {stored}.")
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return written


def _restore_database(db_path: Path, vendor: str) -> None:
    connection.close()
    if vendor == "postgresql":
        env, args = _pg_env_and_args()
        command = [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ]
        _run([*command, *args, str(db_path)], env)
        return
    target_name = connection.settings_dict["NAME"]
    with (
        contextlib.closing(sqlite3.connect(db_path)) as source,
        contextlib.closing(sqlite3.connect(target_name)) as target,
    ):
        source.backup(target)


def _verify_restored(manifest: dict[str, Any], path: Path) -> RestoreReport:
    """Compare the restored data with the manifest, verify the audit chain and every file,
    record the restore in the audit log and let upper apps rebuild (search index)."""
    from edoc.services.audit import audit_record, audit_verify
    from edoc.signals import data_restored

    report = RestoreReport(manifest=manifest)
    counts = _table_counts_here()
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            report.problems.append(f"table {table}: {counts.get(table)} rows, backup {expected}")
    report.tables = len(manifest["tables"])
    for item in manifest["files"]:
        with default_storage.open(item["name"], "rb") as handle:
            if _sha256_stream(handle) != item["sha256"]:
                report.problems.append(f"file {item['name']} does not match its SHA-256")
    report.files = len(manifest["files"])
    verification = audit_verify()
    report.audit_entries = verification.checked
    if not verification.ok:
        report.problems.append(
            f"audit log: entry #{verification.first_bad_id}: {verification.problem}"
        )
    head = manifest["audit"].get("head_hash")
    if head and not AuditEntry.objects.filter(hash=head).exists():
        report.problems.append("audit log: the backed-up head entry is missing")
    audit_record(
        actor=None,
        action="backup.restore",
        details={
            "archive": path.name,
            "created_at": manifest["created_at"],
            "ok": not report.problems,
        },
    )
    for _receiver, answer in data_restored.send(sender=backup_restore):
        if answer:
            report.after_restore.append(str(answer))
    return report


def default_archive_name() -> str:
    """edoc-backup-20261206T213000Z.tar"""
    now = datetime.datetime.now(datetime.UTC)
    return f"edoc-backup-{now:%Y%m%dT%H%M%SZ}.tar"
