"""Shared by the search benchmarks: their own database, Django set-up, percentiles, tables and
the marked sections of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = Path(os.environ.get("EDOC_BENCH_DOCS") or ROOT / "docs" / "benchmarks.md")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class BenchDatabase:
    """A database created for one run (SQLite file or a PostgreSQL database), never the one
    DATABASE_URL names."""

    url: str
    vendor: str
    name: str
    admin: dict[str, Any] | None = None

    def drop(self) -> None:
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.name + suffix).unlink(missing_ok=True)
            return
        import psycopg

        with psycopg.connect(**self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def create_database(name: str, workdir: Path) -> BenchDatabase:
    """SQLite under `workdir` unless DATABASE_URL names a PostgreSQL server: then database
    `name` on that server (dropped first if a previous run left it)."""
    import environ

    url = os.environ.get("DATABASE_URL", "")
    if not url or "sqlite" in environ.Env.db_url_config(url)["ENGINE"]:
        path = str(workdir / f"{name}.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return BenchDatabase(url=f"sqlite:///{path}", vendor="sqlite", name=path)
    config = environ.Env.db_url_config(url)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name == config["NAME"]:
        sys.exit(f"Bad benchmark database name {name!r} (must differ from DATABASE_URL's)")
    import psycopg

    admin = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": config["NAME"],
    }
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(url)
    bench_url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    return BenchDatabase(url=bench_url, vendor="postgresql", name=name, admin=admin)


@contextmanager
def bench_environment(name: str, *, keep: bool = False) -> Iterator[tuple[BenchDatabase, Path]]:
    """A fresh database and media folder, Django set up on them (base settings, eager Celery,
    database search backend while loading); both removed at the end unless `keep`."""
    workdir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=os.environ.get("BENCH_TMP")))
    database = create_database(name, workdir)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DATABASE_URL"] = database.url
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["SEARCH_BACKEND"] = "database"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        yield database, workdir
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            log(f"kept {database.url} and {workdir}")
        else:
            database.drop()
            subprocess.run(["rm", "-rf", str(workdir)], check=False)


def opensearch_available() -> bool:
    """Whether OPENSEARCH_URL answers (the embedded node: tools/opensearch-node/start.sh)."""
    from django.conf import settings

    if not getattr(settings, "OPENSEARCH_URL", ""):
        return False
    from search.backends import get_backend

    try:
        return get_backend("opensearch").ping()
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


def percentile(values: Sequence[float], percent: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = (len(ordered) - 1) * percent / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine_facts(vendor: str) -> str:
    """One line: cores, CPU, Python, database (and its version), commit."""
    import django
    from django.db import connection

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    database = "SQLite " + connection.Database.sqlite_version if vendor == "sqlite" else ""
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]} (same machine, loopback)"
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, {database}, code {code_version()}"
    )


def code_version() -> str:
    """The commit measured (BENCH_CODE when run from an exported snapshot without .git)."""
    if os.environ.get("BENCH_CODE"):
        return os.environ["BENCH_CODE"]
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def replace_section(key: str, title: str, body: str) -> None:
    """Put `body` between this key's marker comments in docs/benchmarks.md (a new section at
    the end the first time); nothing outside the markers changes."""
    begin, end = f"<!-- {key}: begin -->", f"<!-- {key}: end -->"
    text = DOCS.read_text(encoding="utf-8")
    block = f"{begin}\n{body.strip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _old, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + f"\n\n## {title}\n\n{block}\n"
    DOCS.write_text(text, encoding="utf-8")
