"""The document type's words get their own, heavily weighted, place in the full-text index
("kế hoạch chuyển đổi số" ranks plans above letters about a plan). Run search_reindex after."""

from django.db import migrations, models

SQLITE_FORWARD = [
    "DROP TABLE IF EXISTS search_fts",
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        symbol_key, type_words, head_exact, head_folded, body_exact, body_folded,
        tokenize = 'unicode61 remove_diacritics 0'
    )
    """,
    """
    INSERT INTO search_fts (rowid, symbol_key, type_words, head_exact, head_folded, body_exact,
        body_folded)
    SELECT document_id, symbol_key, type_words, head_exact, head_folded, body_exact, body_folded
    FROM search_searchentry
    """,
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS search_fts",
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        symbol_key, head_exact, head_folded, body_exact, body_folded,
        tokenize = 'unicode61 remove_diacritics 0'
    )
    """,
    """
    INSERT INTO search_fts (rowid, symbol_key, head_exact, head_folded, body_exact, body_folded)
    SELECT document_id, symbol_key, head_exact, head_folded, body_exact, body_folded
    FROM search_searchentry
    """,
]


def _folded_vec(with_type: bool) -> list[str]:
    type_part = (
        "|| setweight(to_tsvector('simple'::regconfig, type_words), 'A')" if with_type else ""
    )
    return [
        "DROP INDEX IF EXISTS search_entry_folded_gin",
        "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS folded_vec",
        f"""
        ALTER TABLE search_searchentry ADD COLUMN folded_vec tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, symbol_key), 'A')
            {type_part}
            || setweight(to_tsvector('simple'::regconfig, head_folded), 'B')
            || setweight(to_tsvector('simple'::regconfig, body_folded), 'D')
        ) STORED
        """,
        "CREATE INDEX search_entry_folded_gin ON search_searchentry USING gin (folded_vec)",
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": _folded_vec(True)}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": _folded_vec(False)}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_indexes")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="type_words",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.RunPython(forward, backward),
    ]
