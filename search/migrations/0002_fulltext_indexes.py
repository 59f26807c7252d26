"""Full-text structures of the database backend, per database vendor.

SQLite: an FTS5 table (rowid = document id) kept in step by search.backends.database.
PostgreSQL: generated tsvector columns ('simple' configuration: our words are already lower-cased
and folded in Python, so `unaccent` is not needed) with GIN indexes.
"""

from django.db import migrations

SQLITE_FORWARD = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    symbol_key, head_exact, head_folded, body_exact, body_folded,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""
SQLITE_BACKWARD = "DROP TABLE IF EXISTS search_fts"

POSTGRES_FORWARD = [
    """
    ALTER TABLE search_searchentry ADD COLUMN folded_vec tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, symbol_key), 'A')
        || setweight(to_tsvector('simple'::regconfig, head_folded), 'B')
        || setweight(to_tsvector('simple'::regconfig, body_folded), 'D')
    ) STORED
    """,
    """
    ALTER TABLE search_searchentry ADD COLUMN exact_vec tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, head_exact), 'B')
        || setweight(to_tsvector('simple'::regconfig, body_exact), 'D')
    ) STORED
    """,
    "CREATE INDEX search_entry_folded_gin ON search_searchentry USING gin (folded_vec)",
    "CREATE INDEX search_entry_exact_gin ON search_searchentry USING gin (exact_vec)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_exact_gin",
    "DROP INDEX IF EXISTS search_entry_folded_gin",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS exact_vec",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS folded_vec",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": [SQLITE_FORWARD], "postgresql": POSTGRES_FORWARD}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": [SQLITE_BACKWARD], "postgresql": POSTGRES_BACKWARD}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
