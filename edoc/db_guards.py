"""Database triggers that make the audit log and its anchors append-only (SQLite and
PostgreSQL). Each guarded table gets its triggers only once it exists, so the migration that
first installed the guard (edoc 0002, before the anchors' table) still runs on a new
database; the migration that creates the anchors' table installs theirs."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

#: Guarded table → the name its triggers carry.
GUARDED = {"edoc_auditentry": "edoc_audit", "edoc_auditanchor": "edoc_auditanchor"}
_FUNCTION = (
    "CREATE OR REPLACE FUNCTION edoc_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;"
)


def _install(vendor: str, table: str, name: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {name}_no_update BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
            f"CREATE TRIGGER IF NOT EXISTS {name}_no_delete BEFORE DELETE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
        ]
    if vendor == "postgresql":
        return [
            _FUNCTION,
            f"DROP TRIGGER IF EXISTS {name}_no_change ON {table};",
            f"CREATE TRIGGER {name}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION edoc_audit_append_only();",
        ]
    return []


def _remove(vendor: str, table: str, name: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}_no_update;",
            f"DROP TRIGGER IF EXISTS {name}_no_delete;",
        ]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name}_no_change ON {table};"]
    return []


def _guarded_tables(connection: BaseDatabaseWrapper, tables: tuple[str, ...] | None) -> list[str]:
    existing = set(connection.introspection.table_names())
    return [table for table in (tables or tuple(GUARDED)) if table in existing]


def install_audit_guard(
    connection: BaseDatabaseWrapper, tables: tuple[str, ...] | None = None
) -> None:
    """Refuse UPDATE and DELETE on the audit log and its anchors (or only on `tables`)."""
    with connection.cursor() as cursor:
        for table in _guarded_tables(connection, tables):
            for sql in _install(connection.vendor, table, GUARDED[table]):
                cursor.execute(sql)


def remove_audit_guard(
    connection: BaseDatabaseWrapper, tables: tuple[str, ...] | None = None
) -> None:
    """Drop the guard (reverse migrations, and test-database flushes)."""
    with connection.cursor() as cursor:
        for table in _guarded_tables(connection, tables):
            for sql in _remove(connection.vendor, table, GUARDED[table]):
                cursor.execute(sql)
        if tables is None and connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS edoc_audit_append_only();")
