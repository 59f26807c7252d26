"""SQLite: the FTS5 table keeps prefix indexes of one and two characters (`prefix = '1 2'`).

A begun word of one or two letters ("bệnh án điện t", typed ahead) was expanded over the whole
term list at every search: 0.3-0.6 s per MATCH at 100,000 documents, where the prefix index
answers in 20-35 ms. The table takes about twice the space. Rebuilt from search_searchentry,
the rows it mirrors (nothing is lost either way); PostgreSQL is untouched."""

from django.db import migrations

COLUMNS = "symbol_key, type_words, head_exact, head_folded, body_exact, body_folded"


def _rebuild(prefix: str) -> list[str]:
    option = f", prefix = '{prefix}'" if prefix else ""
    return [
        "DROP TABLE IF EXISTS search_fts",
        f"""
        CREATE VIRTUAL TABLE search_fts USING fts5(
            {COLUMNS},
            tokenize = 'unicode61 remove_diacritics 0'{option}
        )
        """,
        f"""
        INSERT INTO search_fts (rowid, {COLUMNS})
        SELECT document_id, {COLUMNS} FROM search_searchentry
        """,
    ]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _rebuild("1 2"):
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _rebuild(""):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0007_file_text_to_edoc")]

    operations = [migrations.RunPython(forward, backward)]
