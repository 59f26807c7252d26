"""One text pipeline (issue 10): a file version's text is read once, stored once (edoc's
FileText), indexed once per change; the registration form, the API and import_documents map a
proposal to registration fields the same way; a scan gets a proposal too."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from edoc.models import Document, DocumentFile, ExternalOrganization
from tests.edoc.api.conftest import make_letter, upload
from tests.edoc.ui.test_flows import field_value, selected_option

INDEX_WRITE = re.compile(r'^\s*INSERT INTO "?search_searchentry"?', re.IGNORECASE)


def index_writes(queries) -> int:
    """Writes of the search index among captured queries (one per indexing, however many
    documents it holds)."""
    return sum(bool(INDEX_WRITE.match(query["sql"])) for query in queries)


def register_form(catalogs, content: bytes, **fields) -> dict:
    return {
        "file": upload(content),
        "subject": "Kế hoạch chuyển đổi số ngành Y tế",
        "urgency": catalogs["normal"].pk,
        "confidentiality": catalogs["public"].pk,
        **fields,
    }


@pytest.mark.django_db
def test_a_registration_writes_the_index_once_with_the_text(
    client_for, users, catalogs, sample_pdf, django_capture_on_commit_callbacks
):
    """Before: the registry's commit hook indexed the document, then search's own extraction
    of the same file indexed it again (and the registry read the text a third time)."""
    client = client_for(users["clerk"])
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("edoc:incoming_register"), register_form(catalogs, sample_pdf)
        )
    assert response.status_code == 302, response.content.decode()[-1500:]
    assert index_writes(queries.captured_queries) == 1

    from search.models import SearchEntry

    document = Document.objects.get()
    entry = SearchEntry.objects.get(document=document)
    assert "chuyen doi so nganh y te" in entry.body_folded  # the one write held the text


@pytest.mark.django_db
def test_the_text_has_one_home(users, catalogs, sample_pdf, django_capture_on_commit_callbacks):
    from edoc.services.documents import incoming_register
    from tests.edoc.ui.conftest import validated

    with django_capture_on_commit_callbacks(execute=True):
        document = incoming_register(
            user=users["clerk"],
            subject="Kế hoạch",
            urgency=catalogs["normal"],
            confidentiality=catalogs["public"],
            pdf=validated(sample_pdf),
        )
    from edoc.models import FileText

    version = document.files.get()
    assert "text" not in {field.name for field in DocumentFile._meta.concrete_fields}
    text = FileText.objects.get(file=version)
    assert text.state == FileText.State.DONE and text.pages == 2
    assert "Chuyển đổi số ngành Y tế tỉnh Đồng Nai năm 2023" in version.text
    from django.apps import apps

    holders = [
        model._meta.label
        for model in apps.get_models()
        if any(
            getattr(field, "related_model", None) is DocumentFile and field.name == "file"
            for field in model._meta.concrete_fields
        )
        and "text" in " ".join(f.name for f in model._meta.concrete_fields)
    ]
    assert holders == ["edoc.FileText"]


@pytest.mark.django_db
def test_an_upload_reads_each_page_once(
    client_for, users, catalogs, sample_pdf, django_capture_on_commit_callbacks, monkeypatch
):
    """The registration request reads the text of each page once (PDFium), for the stored
    text and the proposal alike; before, three readers read the first page (proposal, the
    registry's text, search's text)."""
    from pypdfium2._helpers.page import PdfPage

    reads: list[int] = []
    original = PdfPage.get_textpage

    def counted(page, *args, **kwargs):
        reads.append(page.pdf.get_index(page) if hasattr(page.pdf, "get_index") else 0)
        return original(page, *args, **kwargs)

    monkeypatch.setattr(PdfPage, "get_textpage", counted)
    client = client_for(users["clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("edoc:incoming_register"), register_form(catalogs, sample_pdf)
        )
    assert response.status_code == 302
    assert len(reads) == 2  # two pages, each read once


# --- One proposal mapping ------------------------------------------------------------------

LONG_NOTATION = "KH-SYT-" + "PHONGNGHIEPVUYDUOC" * 3  # 61 characters: the field holds 60


def _form_fields(client, content: bytes) -> dict:
    html = client.post(reverse("edoc:incoming_propose"), {"file": upload(content)}).content
    html = html.decode()
    return {
        "number": field_value(html, "number"),
        "notation": field_value(html, "notation"),
        "issuer": field_value(html, "issuer"),
        "place": field_value(html, "place"),
        "issue_date": field_value(html, "issue_date"),
        "subject": field_value(html, "subject"),
        "signer_name": field_value(html, "signer_name"),
        "document_type": selected_option(html, "document_type"),
        "issuer_organization": selected_option(html, "issuer_organization"),
    }


def _document_fields(document: Document) -> dict:
    return {
        "number": document.number,
        "notation": document.notation,
        "issuer": document.issuer,
        "place": document.place,
        "issue_date": document.issue_date.isoformat() if document.issue_date else "",
        "subject": document.subject,
        "signer_name": document.signer_name,
        "document_type": str(document.document_type_id or ""),
        "issuer_organization": str(document.issuer_organization_id or ""),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "letter",
    [
        {},  # a Kế hoạch of Sở Y tế, an organisation of the catalog
        {"notation": LONG_NOTATION},  # a notation longer than the field holds
    ],
    ids=["catalog-issuer", "notation-too-long"],
)
def test_the_form_the_api_and_the_import_map_a_proposal_alike(
    client_for, api, users, catalogs, tmp_path, letter
):
    """Before: the API matched no issuing organisation, compared the type's name exactly and
    cut a value too long for its field; the form kept it whole; the import dropped it."""
    ExternalOrganization.objects.create(name="Sở Y tế", short_name="SYT")
    # The same letter three times, told apart only in its body (the import skips a file the
    # registry already holds).
    form = _form_fields(client_for(users["clerk"]), make_letter(**letter, marker="form"))

    response = api(users["clerk"]).post(
        "/api/documents/incoming/",
        {"file": upload(make_letter(**letter, marker="api"))},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    by_api = _document_fields(Document.objects.get(pk=response.json()["id"]))

    from edoc.services import importing

    path = tmp_path / "letter.pdf"
    path.write_bytes(make_letter(**letter, marker="import"))
    summary = importing.import_documents(tmp_path, user=users["clerk"], files=[path])
    by_import = _document_fields(Document.objects.get(pk=summary.imported[0].document_id))

    assert form == by_api == by_import
    assert form["issuer_organization"] == str(ExternalOrganization.objects.get(short_name="SYT").pk)
    assert form["document_type"] == str(catalogs["types"]["KH"].pk)
    if letter:
        assert form["notation"] == ""  # not a plausible notation: left for the clerk
    else:
        assert (form["number"], form["notation"]) == ("15", "KH-SYT")


# --- Scans ---------------------------------------------------------------------------------


def scan_of(content: bytes, *, angle: float = 1.2, dpi: int = 200) -> bytes:
    """An image-only PDF of `content`, as a scanner makes it: no text layer, slightly turned."""
    from PIL import Image

    from edoc.pdftext import pdf_page_image, pdf_text_read

    pages = []
    for index in range(len(pdf_text_read(content, text_pages=(), word_pages=()).pages)):
        image = pdf_page_image(content, index, dpi=dpi, grayscale=True)
        pages.append(image.rotate(angle, resample=Image.BICUBIC, fillcolor=255))
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])
    return out.getvalue()


@pytest.mark.tesseract
def test_a_scanned_pdf_gets_a_proposal():
    """Before: every key of the proposal of an image-only PDF was null."""
    from edoc.extraction import extract_metadata, pdf_page_texts
    from edoc.pdfgen import render_pdf, sample_document
    from tests.edoc.test_extraction import expected

    doc = sample_document()
    scan = scan_of(render_pdf(doc))
    layer = "".join(pdf_page_texts(scan))
    assert not layer.strip()  # no text layer at all
    proposal = extract_metadata(io.BytesIO(scan))
    wanted = expected(doc)
    for key in ("number", "notation", "issuer", "date", "type", "subject", "signer"):
        assert proposal[key] == wanted[key], key


@pytest.mark.tesseract
@pytest.mark.django_db
def test_the_clerk_sees_the_proposal_of_a_scan_and_is_told_it_was_read_by_ocr(
    client_for, users, catalogs
):
    import time

    content = scan_of(make_letter())
    client = client_for(users["clerk"])
    started = time.perf_counter()
    html = client.post(reverse("edoc:incoming_propose"), {"file": upload(content)}).content
    seconds = time.perf_counter() - started
    html = html.decode()
    assert seconds < 40, seconds  # bounded: edoc.extraction.PROPOSAL_OCR_SECONDS (30 s)
    assert field_value(html, "number") == "15"
    assert field_value(html, "notation") == "KH-SYT"
    assert field_value(html, "subject") == "Triển khai chuyển đổi số ngành y tế năm 2023"
    assert 'id="proposal-ocr-notice"' in html and "bản scan" in html


# --- The data migration --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_texts_move_to_one_home_and_back_without_loss(users, catalogs, sample_pdf):
    """edoc 0009 + search 0007 keep every text: the registry's, search's text layer, its OCR,
    state, error and counts; going back restores both."""
    from django.db.migrations.executor import MigrationExecutor

    from edoc.models import FileText
    from edoc.services.documents import incoming_register
    from tests.edoc.ui.conftest import validated

    documents = [
        incoming_register(
            user=users["clerk"],
            subject=f"Văn bản {index}",
            urgency=catalogs["normal"],
            confidentiality=catalogs["public"],
            pdf=validated(content),
        )
        for index, content in enumerate([sample_pdf, make_letter(), make_letter(number="16")])
    ]
    files = [document.files.get() for document in documents]
    before = [("edoc", "0008_field_labels"), ("search", "0006_head_order_and_tone_placement")]
    after = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        OldFile = old.get_model("edoc", "DocumentFile")
        SearchText = old.get_model("search", "FileText")
        # What the two homes held before: the registry's text of every file; search's rows
        # (with OCR for the first; failed for the second, its text layer empty; none for the
        # third).
        for version in files:
            OldFile.objects.filter(pk=version.pk).update(text=f"registry text {version.pk}")
        SearchText.objects.all().delete()
        SearchText.objects.create(
            file_id=files[0].pk,
            state="done",
            pdf_text="layer text",
            ocr_text="ocr text",
            pages=2,
            ocr_pages=1,
            text_seconds=0.5,
            ocr_seconds=3.0,
        )
        SearchText.objects.create(file_id=files[1].pk, state="failed", error="SHA-256 check")

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        texts = {text.file_id: text for text in FileText.objects.all()}
        first, second, third = (texts[version.pk] for version in files)
        assert (first.state, first.pdf_text, first.ocr_text) == ("done", "layer text", "ocr text")
        assert (first.pages, first.ocr_pages, first.text_seconds, first.ocr_seconds) == (
            2,
            1,
            0.5,
            3.0,
        )
        assert (second.state, second.error) == ("failed", "SHA-256 check")
        assert second.pdf_text == f"registry text {files[1].pk}"  # search had none: kept
        assert (third.state, third.pdf_text) == ("done", f"registry text {files[2].pk}")

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        restored = dict(old.get_model("edoc", "DocumentFile").objects.values_list("pk", "text"))
        assert restored[files[0].pk] == "layer text"
        assert restored[files[2].pk] == f"registry text {files[2].pk}"
        back = {row.file_id: row for row in old.get_model("search", "FileText").objects.all()}
        assert (back[files[0].pk].ocr_text, back[files[1].pk].state) == ("ocr text", "failed")
    finally:
        MigrationExecutor(connection).migrate(after)


# --- Import in batches ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_import_writes_the_index_once_per_batch(users, catalogs, tmp_path):
    """Before: one index write per document after its commit, and one more after search's
    own extraction of its file. (Real commits: each file is its own transaction.)"""
    for number in range(1, 6):
        (tmp_path / f"{number}.pdf").write_bytes(make_letter(number=str(number)))
    with CaptureQueriesContext(connection) as queries:
        call_command("import_documents", str(tmp_path), "--no-progress", stdout=io.StringIO())
    assert Document.objects.count() == 5
    assert index_writes(queries.captured_queries) == 1

    from search.backends import SearchQuery, database_backend

    result = database_backend().search(SearchQuery(text="3 KH SYT"), users["director"])
    assert Document.objects.get(pk=result.hits[0].document_id).number == "3"
