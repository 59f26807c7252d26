"""The database index's exact words and head, as search.text and the database backend now write
them: the head reads as the document is named (type, subject, symbol, issuer: "Kế hoạch Chuyển
đổi số … 49/KH-UBND …"), so that "kế hoạch chuyển đổi số" is a phrase of the plan itself; and
the exact words have the tone of "oa", "oe", "uy" on the first vowel ("hoà" → "hòa"), so that
both spellings are one word (search.ranking ranks words with the diacritics typed first).

Rewrites every entry from its own columns and its type, and on SQLite the FTS5 table too
(PostgreSQL's tsvector columns are generated). The reverse keeps the new values, which the
previous code reads as well."""

from django.db import migrations

from search.text import index_text, tone_placement

BATCH = 200


def forward(apps, schema_editor):
    SearchEntry = apps.get_model("search", "SearchEntry")
    DocumentType = apps.get_model("edoc", "DocumentType")
    names = {str(pk): name for pk, name in DocumentType.objects.values_list("pk", "name")}
    sqlite = schema_editor.connection.vendor == "sqlite"
    entries = SearchEntry.objects.only(
        "document_id", "type_code", "subject", "symbol", "issuer", "body_exact"
    ).order_by("document_id")
    heads, bodies = [], []

    def flush():
        SearchEntry.objects.bulk_update(heads, ["head_exact", "head_folded"])
        SearchEntry.objects.bulk_update(bodies, ["body_exact"])
        if sqlite:
            with schema_editor.connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE search_fts SET head_exact = %s, head_folded = %s WHERE rowid = %s",
                    [(e.head_exact, e.head_folded, e.document_id) for e in heads],
                )
                cursor.executemany(
                    "UPDATE search_fts SET body_exact = %s WHERE rowid = %s",
                    [(e.body_exact, e.document_id) for e in bodies],
                )
        heads.clear()
        bodies.clear()

    for entry in entries.iterator(chunk_size=BATCH):
        head = " ".join((names.get(entry.type_code, ""), entry.subject, entry.symbol, entry.issuer))
        entry.head_exact, entry.head_folded = index_text(head)
        heads.append(entry)
        body = tone_placement(entry.body_exact)
        if body != entry.body_exact:
            entry.body_exact = body
            bodies.append(entry)
        if len(heads) >= BATCH:
            flush()
    flush()


class Migration(migrations.Migration):
    dependencies = [("search", "0005_field_labels")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
