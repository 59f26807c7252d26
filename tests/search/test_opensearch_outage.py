"""OpenSearch goes down and comes back: searches fall back to the database with a notice, index
updates made meanwhile wait in the queue, and are replayed when the node returns (nothing lost).

Runs a node of its own (own directory and port) so the suite's node keeps serving other tests.
"""

from __future__ import annotations

import pytest

from edoc.models import Document
from edoc.services.documents import document_grant
from search.backends import SearchQuery
from search.backends.opensearch import OpenSearchBackend
from search.models import IndexQueueEntry
from search.services import flush_index_queue, index_document, index_documents, search_documents
from tests.search.opensearch_support import build_corpus, search_ids

pytest_plugins = ["tests.search.opensearch_fixtures"]
pytestmark = [pytest.mark.opensearch, pytest.mark.django_db]


def test_outage_falls_back_and_replays_queued_updates(
    os_own_node, settings, users, units, catalogs
):
    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = os_own_node.url
    settings.OPENSEARCH_INDEX = "edoc-outage-test"
    backend = OpenSearchBackend()
    corpus = build_corpus(users, units, catalogs)
    index_documents(corpus.ids)  # the application's path: database index + queue + delivery
    assert not IndexQueueEntry.objects.exists()
    backend.refresh()
    director, clerk = users["director"], users["clerk"]
    dengue, secret = corpus.docs["dengue"], corpus.docs["secret"]

    up = search_documents(director, SearchQuery(text="sot xuat huyet"))
    assert (up.backend, up.notice) == ("opensearch", None)
    assert [hit.document_id for hit in up.hits] == [dengue.pk]

    os_own_node.stop()
    assert backend.ping() is False
    down = search_documents(director, SearchQuery(text="sot xuat huyet"))
    assert down.backend == "database" and down.notice
    assert [hit.document_id for hit in down.hits] == [dengue.pk]

    # Saved while the engine is down: a new subject, and a grant that opens a confidential one.
    Document.objects.filter(pk=dengue.pk).update(subject="Công văn về phòng chống bệnh dại")
    index_document(dengue.pk)
    document_grant(user=clerk, document=secret, grantee=director)
    index_document(secret.pk)
    queued = list(IndexQueueEntry.objects.order_by("pk"))
    assert {entry.document_id for entry in queued} == {dengue.pk, secret.pk}
    assert all(entry.attempts >= 1 and entry.last_error for entry in queued)
    # the database fallback already knows
    fallback = search_documents(director, SearchQuery(text="benh dai"))
    assert fallback.notice and [hit.document_id for hit in fallback.hits] == [dengue.pk]

    os_own_node.start()
    assert backend.ping() is True
    assert flush_index_queue() == len(queued)
    assert not IndexQueueEntry.objects.exists()
    backend.refresh()
    assert search_ids(backend, director, "bệnh dại") == [dengue.pk]
    assert search_ids(backend, director, "sot xuat huyet") == []
    assert search_ids(backend, director, "bảo mật hạ tầng") == [secret.pk]
    back = search_documents(director, SearchQuery(text="benh dai"))
    assert (back.backend, back.notice) == ("opensearch", None)
    assert [hit.document_id for hit in back.hits] == [dengue.pk]
    backend.drop()
