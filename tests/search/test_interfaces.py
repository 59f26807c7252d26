"""The search page, type-ahead, REST endpoint, CLI, index hooks and the fallback when the external
engine is down."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from edoc.models import DocumentGrant
from search.backends import SearchQuery
from search.models import IndexQueueEntry, SearchEntry
from search.services import flush_index_queue, index_document, search_documents

from .conftest import make_document, wait_for

pytestmark = pytest.mark.django_db


def test_header_search_box_on_staff_pages(client, corpus):
    client.force_login(corpus.users["specialist"])
    for url in ("/incoming/", "/outgoing/", f"/documents/{corpus.docs['plan'].pk}/"):
        html = client.get(url).content.decode()
        assert 'id="search-box"' in html and 'action="/search/"' in html, url


def test_results_page_with_facets_highlights_and_no_leak(client, corpus):
    client.force_login(corpus.users["specialist"])
    response = client.get("/search/", {"q": "ke hoach chuyen doi so"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="facet-type"' in html and 'id="facet-unit"' in html
    assert "<mark>" in html
    assert f'data-document="{corpus.docs["plan"].pk}"' in html
    assert f'data-document="{corpus.docs["confidential"].pk}"' not in html
    assert "kho thuốc dự trữ" not in html
    filtered = client.get(
        "/search/", {"q": "chuyen doi so", "type": corpus.docs["letter"].document_type_id}
    ).content.decode()
    assert f'data-document="{corpus.docs["letter"].pk}"' in filtered
    assert f'data-document="{corpus.docs["plan"].pk}"' not in filtered


def test_results_page_bad_input(client, corpus):
    client.force_login(corpus.users["specialist"])
    assert client.get("/search/", {"q": '"((* AND'}).status_code == 200
    assert client.get("/search/", {"q": "x" * 10_000}).status_code == 200
    bad = client.get("/search/", {"q": "a", "date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400 and "Ngày kết thúc trước ngày bắt đầu" in bad.content.decode()
    assert client.get("/search/", {"year": "abc"}).status_code == 400
    assert client.get("/search/", {"page": "-3"}).status_code == 400


def test_type_ahead_suggestions_use_prefixes(client, corpus):
    client.force_login(corpus.users["specialist"])
    html = client.get("/search/suggest/", {"q": "chuyen do"}).content.decode()
    assert f'data-document="{corpus.docs["plan"].pk}"' in html
    assert f'data-document="{corpus.docs["other_unit"].pk}"' not in html


def test_search_needs_login(client, corpus):
    assert client.get("/search/", {"q": "x"}).status_code == 302
    assert client.get("/api/search/", {"q": "x"}).status_code == 401


def test_api_returns_ranked_results_and_facets(client, corpus):
    client.force_login(corpus.users["specialist"])
    response = client.get("/api/search/", {"q": "123/QD-UBND", "page_size": 5})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "page", "page_size", "backend", "notice", "results", "facets"}
    first = data["results"][0]
    assert first["id"] == corpus.docs["decision"].pk
    assert first["symbol"] == "123/QĐ-UBND"
    assert set(first) == {
        "id",
        "symbol",
        "subject",
        "issuer",
        "date",
        "type",
        "status",
        "score",
        "highlights",
    }
    assert data["page_size"] == 5 and data["notice"] is None
    assert set(data["facets"]) == {
        "type",
        "year",
        "issuer",
        "unit",
        "urgency",
        "status",
        "direction",
    }
    urgency = {b["value"]: b["count"] for b in data["facets"]["urgency"]}
    assert urgency.get("urgent") == 1
    only_urgent = client.get("/api/search/", {"q": "123/QD-UBND", "urgency": "urgent"}).json()
    assert [r["id"] for r in only_urgent["results"]] == [corpus.docs["decision"].pk]


def test_api_errors_use_the_envelope(client, corpus):
    client.force_login(corpus.users["specialist"])
    response = client.get("/api/search/", {"date_from": "not a date"})
    assert response.status_code == 400
    assert "date_from" in response.json()["error"]["fields"]
    assert client.get("/api/search/", {"page_size": "1000"}).status_code == 400
    assert client.get("/api/search/", {"q": "\"'(*) OR"}).status_code == 200


def test_api_schema_documents_the_endpoint(client, corpus):
    client.force_login(corpus.users["specialist"])
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "type", "date_from", "sort"}


def test_cli_prints_ranked_results_as_the_user_sees_them(corpus):
    out = io.StringIO()
    call_command("search", "123 QĐ UBND", "--as", "chuyenvien", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].split("\t")[:2] == [str(corpus.docs["decision"].pk), "123/QĐ-UBND"]
    out = io.StringIO()
    call_command("search", "kho thuoc du tru", "--as", "chuyenvien", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["count"] == 0 and data["results"] == [] and data["user"] == "chuyenvien"


def test_cli_unknown_user_and_default_user(corpus, django_user_model):
    with pytest.raises(CommandError, match="Unknown user"):
        call_command("search", "x", "--as", "nobody")
    with pytest.raises(CommandError, match="superuser"):
        call_command("search", "x")
    django_user_model.objects.create_superuser("root", password="x")
    out = io.StringIO()
    call_command("search", "x", "--json", stdout=out)
    assert json.loads(out.getvalue())["user"] == "root"


def test_search_reindex_rebuilds_the_database_index(corpus):
    SearchEntry.objects.all().delete()
    out = io.StringIO()
    call_command("search_reindex", "--backend", "database", "--no-progress", stdout=out)
    assert SearchEntry.objects.count() == len(corpus.docs)
    assert "Indexed" in out.getvalue()


def test_search_reindex_fails_clearly_when_the_engine_is_down(corpus, settings):
    settings.OPENSEARCH_URL = "http://127.0.0.1:9"
    with pytest.raises(CommandError, match="not reachable"):
        call_command("search_reindex", "--backend", "opensearch", "--no-progress")


def test_changes_are_indexed_after_commit(corpus, catalogs, django_capture_on_commit_callbacks):
    specialist = corpus.users["specialist"]
    confidential = corpus.docs["confidential"]

    def found(text: str) -> list[int]:
        result = search_documents(specialist, SearchQuery(text=text))
        return [hit.document_id for hit in result.hits]

    assert confidential.pk not in found("kho thuoc du tru")
    with django_capture_on_commit_callbacks(execute=True):
        DocumentGrant.objects.create(
            document=confidential, user=specialist, granted_by=corpus.users["director"]
        )
    assert wait_for(lambda: confidential.pk in found("kho thuoc du tru"))
    with django_capture_on_commit_callbacks(execute=True):
        confidential.subject = "Kế hoạch dự phòng vắc xin"
        confidential.save()
    assert wait_for(lambda: found("du phong vac xin") == [confidential.pk])
    assert found("kho thuoc du tru") == []
    with django_capture_on_commit_callbacks(execute=True):
        new = make_document(
            agency=confidential.agency,
            unit=corpus.units["medical"],
            user=specialist,
            catalogs=catalogs,
            subject="Tập huấn phần mềm quản lý văn bản mới",
        )
    assert wait_for(lambda: found("tap huan phan mem") == [new.pk])


def test_external_engine_down_falls_back_and_keeps_updates(corpus, settings):
    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    result = search_documents(corpus.users["specialist"], SearchQuery(text="123/QĐ-UBND"))
    assert result.backend == "database"
    assert result.notice and "cơ sở dữ liệu" in result.notice
    assert result.hits[0].document_id == corpus.docs["decision"].pk
    document = corpus.docs["plan"]
    index_document(document.pk)
    entry = IndexQueueEntry.objects.get(document_id=document.pk)
    assert entry.attempts == 1 and entry.last_error
    assert flush_index_queue() == 0
    assert IndexQueueEntry.objects.get(pk=entry.pk).attempts == 2
    # The database index was updated all the same.
    assert SearchEntry.objects.filter(document_id=document.pk).exists()


@pytest.mark.django_db
def test_a_rolled_back_change_is_not_indexed_with_the_next_commit(
    django_capture_on_commit_callbacks,
):
    """Before: the ids a rolled-back transaction scheduled stayed on the thread and were indexed
    with the next transaction that committed (in a test run: every earlier test's documents, one
    index write each, before the document of the test that waited for it)."""
    from celery.signals import task_prerun
    from django.db import transaction

    from search.signals import schedule_index

    indexed: list[int] = []

    def seen(sender=None, args=(), **kwargs) -> None:
        if getattr(sender, "name", "") == "search.tasks.index_document_task":
            indexed.append(args[0])

    task_prerun.connect(seen, weak=False)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            schedule_index(990_001)
            raise RuntimeError("rolled back")
        with django_capture_on_commit_callbacks(execute=True):
            schedule_index(990_002)
            schedule_index(990_002)
        with django_capture_on_commit_callbacks(execute=True):
            schedule_index(990_003)
    finally:
        task_prerun.disconnect(seen)
    assert indexed == [990_002, 990_003]


def test_database_reindex_keeps_only_the_records_given_in_batches(corpus, monkeypatch):
    """The rebuild removes entries between and after the batches it writes (without holding every
    id in memory); records out of order are refused."""
    from search.backends import database
    from search.documents import index_records

    monkeypatch.setattr(database, "REINDEX_BATCH", 2)
    ids = sorted(document.pk for document in corpus.docs.values())
    kept = ids[1::2]
    backend = database.DatabaseBackend()
    backend.reindex(index_records(kept), len(kept), lambda n: None)
    assert sorted(SearchEntry.objects.values_list("document_id", flat=True)) == kept
    with pytest.raises(ValueError):
        backend.reindex(reversed(list(index_records(ids))), len(ids), lambda n: None)


def test_an_index_record_has_the_labels_and_folded_text_of_its_document(corpus):
    from django.utils import translation

    from edoc.models import Document
    from edoc.text import fold
    from search.documents import index_record

    for document in Document.objects.all()[:5]:
        for language in ("vi", "en"):
            with translation.override(language):
                record = index_record(document)
                assert record.status_label == str(document.get_status_display())
                assert record.direction_label == str(document.get_direction_display())
        assert record.folded == {
            name: fold(getattr(record, name)) for name in ("symbol", "subject", "issuer", "body")
        }
        assert record.folded["subject"] == fold(document.subject)


def test_records_read_in_batches_are_the_records_read_one_by_one(corpus):
    from edoc.models import Assignment, Document, DocumentFile, DocumentGrant
    from search.documents import index_record, index_records

    ids = sorted(Document.objects.values_list("pk", flat=True))
    # the corpus has what a batch reads beside the documents
    assert Assignment.objects.filter(document_id__in=ids).exists()
    assert DocumentGrant.objects.filter(document_id__in=ids).exists()
    assert DocumentFile.objects.filter(document_id__in=ids, file_text__isnull=False).exists()
    batched = list(index_records(ids, chunk=3))
    assert [record.id for record in batched] == ids
    for record in batched:
        assert record == index_record(Document.objects.get(pk=record.id)), record.id


@pytest.mark.django_db(transaction=True)
def test_the_fts5_table_keeps_prefix_indexes_and_its_rows_across_its_migration(corpus):
    """search 0008: FTS5 prefix indexes of one and two letters (a begun word typed ahead is
    one index lookup, not an expansion over every term); the rows survive both ways."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 table is SQLite's")

    def table() -> tuple[str, int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
            sql = cursor.fetchone()[0]
            cursor.execute("SELECT COUNT(*) FROM search_fts")
            rows = cursor.fetchone()[0]
            cursor.execute(
                "SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH %s",
                ["{head_folded body_folded} : (chuyen AND d*)"],
            )
            return sql, rows, cursor.fetchone()[0]

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    sql, rows, found = table()
    assert "prefix" in sql and rows == SearchEntry.objects.count() > 0 and found > 0
    try:
        MigrationExecutor(connection).migrate([("search", "0007_file_text_to_edoc")])
        assert table()[1:] == (rows, found) and "prefix" not in table()[0]
        MigrationExecutor(connection).migrate(latest)
        assert table() == (sql, rows, found)
    finally:
        MigrationExecutor(connection).migrate(latest)
