"""The text of a file version gets one home, edoc's FileText (issue 10): the registry's
`DocumentFile.text` moves into it (search's extraction rows, with their OCR and state, follow in
search 0006). Nothing is lost: every non-empty text becomes a FileText row, and going back
copies the text layer into `DocumentFile.text` again."""

import django.db.models.deletion
from django.db import migrations, models

CHUNK = 500


def _chunks(rows, *fields):
    """The rows' values of `fields`, CHUNK rows at a time, in primary key order."""
    rows = rows.order_by("pk")
    last = 0
    while chunk := list(rows.filter(pk__gt=last).values("pk", *fields)[:CHUNK]):
        last = chunk[-1]["pk"]
        yield chunk


def texts_forward(apps, schema_editor):
    DocumentFile = apps.get_model("edoc", "DocumentFile")
    FileText = apps.get_model("edoc", "FileText")
    for chunk in _chunks(DocumentFile.objects.exclude(text=""), "text", "page_count", "uploaded_at"):
        FileText.objects.bulk_create(
            FileText(file_id=row["pk"], state="done", pdf_text=row["text"], pages=row["page_count"] or 0)
            for row in chunk
        )
        # The row's times are the upload's (bulk_update keeps them; bulk_create sets now).
        uploaded = {row["pk"]: row["uploaded_at"] for row in chunk}
        made = list(FileText.objects.filter(file_id__in=uploaded).only("pk", "file_id"))
        for text in made:
            text.created_at = text.updated_at = uploaded[text.file_id]
        FileText.objects.bulk_update(made, ["created_at", "updated_at"])


def texts_backward(apps, schema_editor):
    DocumentFile = apps.get_model("edoc", "DocumentFile")
    FileText = apps.get_model("edoc", "FileText")
    for chunk in _chunks(FileText.objects.exclude(pdf_text=""), "file_id", "pdf_text"):
        DocumentFile.objects.bulk_update(
            [DocumentFile(pk=row["file_id"], text=row["pdf_text"]) for row in chunk], ["text"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("edoc", "0008_field_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="FileText",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("state", models.CharField(choices=[("pending", "Waiting"), ("running", "Extracting"), ("ocr", "Waiting for OCR"), ("done", "Done"), ("failed", "Failed")], default="pending", max_length=10, verbose_name="state")),
                ("error", models.TextField(blank=True, verbose_name="error")),
                ("pdf_text", models.TextField(blank=True, verbose_name="text layer")),
                ("ocr_text", models.TextField(blank=True, verbose_name="OCR text")),
                ("pages", models.PositiveIntegerField(default=0, verbose_name="pages")),
                ("ocr_pages", models.PositiveIntegerField(default=0, verbose_name="pages read by OCR")),
                ("text_seconds", models.FloatField(blank=True, null=True, verbose_name="text extraction time (s)")),
                ("ocr_seconds", models.FloatField(blank=True, null=True, verbose_name="OCR time (s)")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("file", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="file_text", to="edoc.documentfile", verbose_name="file")),
            ],
            options={
                "verbose_name": "extracted text",
                "verbose_name_plural": "extracted texts",
            },
        ),
        migrations.RunPython(texts_forward, texts_backward),
        migrations.RemoveField(
            model_name="documentfile",
            name="text",
        ),
    ]
