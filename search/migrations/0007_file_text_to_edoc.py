"""Search's extracted texts move to edoc's FileText, the one home of a file version's text
(issue 10). Every row is kept, with its state, error, OCR text, page counts, timings and times;
where edoc 0009 already made a row from the registry's own text, search's row (the same text
layer, with OCR and state) takes its place, keeping the registry's text when search's is empty.
Going back copies them into search's table again."""

from django.db import migrations

CHUNK = 500
FIELDS = (
    "state",
    "error",
    "pdf_text",
    "ocr_text",
    "pages",
    "ocr_pages",
    "text_seconds",
    "ocr_seconds",
)


def _copy(source, target, *, keep_target_text: bool) -> None:
    """Every row of `source` into `target` (by file), timestamps included."""
    rows = source.objects.order_by("pk")
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1].pk
        files = [row.file_id for row in chunk]
        existing = {
            row.file_id: row.pdf_text
            for row in target.objects.filter(file_id__in=files).only("file_id", "pdf_text")
        }
        target.objects.filter(file_id__in=files).delete()
        made = []
        for row in chunk:
            values = {name: getattr(row, name) for name in FIELDS}
            if keep_target_text and not values["pdf_text"]:
                values["pdf_text"] = existing.get(row.file_id, "")
            made.append(target(file_id=row.file_id, **values))
        target.objects.bulk_create(made)
        times = {row.file_id: (row.created_at, row.updated_at) for row in chunk}
        stored = list(target.objects.filter(file_id__in=files).only("pk", "file_id"))
        for text in stored:
            text.created_at, text.updated_at = times[text.file_id]
        target.objects.bulk_update(stored, ["created_at", "updated_at"])


def to_edoc(apps, schema_editor):
    _copy(
        apps.get_model("search", "FileText"),
        apps.get_model("edoc", "FileText"),
        keep_target_text=True,
    )


def to_search(apps, schema_editor):
    _copy(
        apps.get_model("edoc", "FileText"),
        apps.get_model("search", "FileText"),
        keep_target_text=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("edoc", "0009_file_text_home"),
        ("search", "0006_head_order_and_tone_placement"),
    ]

    operations = [
        migrations.RunPython(to_edoc, to_search),
        migrations.DeleteModel(name="FileText"),
    ]
