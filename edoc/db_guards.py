"""Database triggers that make the audit log append-only (SQLite and PostgreSQL)."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

_INSTALL = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS edoc_audit_no_update BEFORE UPDATE ON edoc_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
        "CREATE TRIGGER IF NOT EXISTS edoc_audit_no_delete BEFORE DELETE ON edoc_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION edoc_audit_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;",
        "DROP TRIGGER IF EXISTS edoc_audit_no_change ON edoc_auditentry;",
        "CREATE TRIGGER edoc_audit_no_change BEFORE UPDATE OR DELETE ON edoc_auditentry "
        "FOR EACH ROW EXECUTE FUNCTION edoc_audit_append_only();",
    ],
}
_REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS edoc_audit_no_update;",
        "DROP TRIGGER IF EXISTS edoc_audit_no_delete;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS edoc_audit_no_change ON edoc_auditentry;",
        "DROP FUNCTION IF EXISTS edoc_audit_append_only();",
    ],
}


def _run(connection: BaseDatabaseWrapper, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)


def install_audit_guard(connection: BaseDatabaseWrapper) -> None:
    """Refuse UPDATE and DELETE on the audit log."""
    _run(connection, _INSTALL)


def remove_audit_guard(connection: BaseDatabaseWrapper) -> None:
    """Drop the guard (reverse migration, and test-database flushes)."""
    _run(connection, _REMOVE)
