"""The OpenSearch backend on a real node: Vietnamese matching, symbols, phrases, prefixes, facets,
permissions inside the query (every user × document), bad input, zero-downtime reindex."""

from __future__ import annotations

import datetime
import itertools
import threading
import time

import pytest

from edoc.models import Document, User
from edoc.selectors.access import visibility_for, visible_documents
from search.backends import BackendUnavailable, SearchQuery, database_backend
from search.backends.opensearch import OpenSearchBackend, search_body, window_body
from search.backends.opensearch.request import parse_facets
from search.documents import index_record, index_records
from tests.search.opensearch_support import index_corpus, new_backend, search_ids

pytest_plugins = ["tests.search.opensearch_fixtures"]
pytestmark = [pytest.mark.opensearch, pytest.mark.django_db]

PLAN_NAMES = ("plan", "plan_2", "centre", "draft_medical")


def names(corpus, ids) -> list[str]:
    by_id = {document.pk: name for name, document in corpus.docs.items()}
    return [by_id.get(pk, str(pk)) for pk in ids]


# --- Vietnamese text.


def test_words_typed_without_diacritics_find_the_document(os_indexed, os_backend, users):
    found = names(
        os_indexed, search_ids(os_backend, users["director"], "quyet dinh ve viec phe duyet")
    )
    assert "decision" in found
    found = names(os_indexed, search_ids(os_backend, users["director"], "ke hoach chuyen doi so"))
    assert set(found[:4]) == set(PLAN_NAMES)  # the plans first
    assert "secret" not in found  # confidential, no grant


def test_dd_folds_to_d_both_ways(os_indexed, os_backend, users):
    director = users["director"]
    assert "plan" in names(os_indexed, search_ids(os_backend, director, "dong nai chuyen doi"))
    assert "plan" in names(os_indexed, search_ids(os_backend, director, "ĐỒNG NAI chuyển đổi"))
    # and a document typed without diacritics is found by a query typed with them
    assert "decision_plain" in names(os_indexed, search_ids(os_backend, director, "đấu thầu thuốc"))


def test_a_query_with_diacritics_ranks_exact_matches_above_folded_ones(
    os_indexed, os_backend, users
):
    found = names(os_indexed, search_ids(os_backend, users["director"], "quyết định phê duyệt"))
    assert found.index("decision") < found.index("decision_plain")
    assert found[0] == "decision"


SYMBOL_QUERIES = ("123/QĐ-UBND", "123/QD-UBND", "123 QĐ UBND", "123/qđ-ubnd", "số 123/QĐ-UBND")


def test_a_symbol_finds_its_document_first(os_indexed, os_backend, users):
    for text in SYMBOL_QUERIES:
        found = names(os_indexed, search_ids(os_backend, users["director"], text))
        assert found and found[0] == "decision", text


def test_quoted_phrases_match_words_in_order(os_indexed, os_backend, users):
    director = users["director"]
    assert names(os_indexed, search_ids(os_backend, director, '"phê duyệt danh mục"')) == [
        "decision"
    ]
    assert names(os_indexed, search_ids(os_backend, director, '"phe duyet danh muc"')) == [
        "decision"
    ]
    # the same words without quotes also find the document that has them in another order
    assert set(names(os_indexed, search_ids(os_backend, director, "phê duyệt danh mục"))) == {
        "decision",
        "mentions_123",
    }


def test_prefix_search_completes_the_last_word(os_indexed, os_backend, users):
    director = users["director"]
    assert names(os_indexed, search_ids(os_backend, director, "sot xuat huy", prefix=True)) == [
        "dengue"
    ]
    assert search_ids(os_backend, director, "sot xuat huy") == []
    found = names(os_indexed, search_ids(os_backend, director, "ke hoach chuyen d", prefix=True))
    assert set(found) >= set(PLAN_NAMES)
    # the words may sit in different fields (issuer, subject), as in the database backend
    found = names(os_indexed, search_ids(os_backend, director, "dong nai sot xuat h", prefix=True))
    assert found == ["dengue"]


def test_file_text_is_searched_and_highlighted(os_indexed, os_backend, users):
    result = os_backend.search(SearchQuery(text="hồ sơ sức khỏe điện tử"), users["director"])
    assert [hit.document_id for hit in result.hits] == [os_indexed.id("plan")]
    assert (
        "<mark>hồ</mark> <mark>sơ</mark> <mark>sức</mark> <mark>khỏe</mark>"
        in (result.hits[0].highlights["body"])
    )


def test_highlights_are_html_escaped(os_backend, users, catalogs):
    from edoc.services.documents import incoming_register

    document = incoming_register(
        user=users["clerk"],
        subject='Về việc <script>alert("x")</script> thử nghiệm',
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    os_backend.index([index_record(document)])
    os_backend.refresh()
    result = os_backend.search(SearchQuery(text="thu nghiem"), users["clerk"])
    snippet = result.hits[0].highlights["subject"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>thử</mark> <mark>nghiệm</mark>" in snippet


# --- Results: filters, facets, sorting, pages.


def test_facets_count_with_the_other_filters_applied(os_indexed, os_backend, users, catalogs):
    director = users["director"]
    kh = str(catalogs["types"]["KH"].pk)
    base = os_backend.search(SearchQuery(text="chuyển đổi số", page_size=100), director)
    assert base.total == len(base.hits)
    type_counts = {bucket.value: bucket.count for bucket in base.facets["type"]}
    assert type_counts[kh] == 4  # plan, plan_2, centre, draft_medical (not the secret ones)
    assert sum(bucket.count for bucket in base.facets["direction"]) == base.total
    assert {bucket.label for bucket in base.facets["type"]} >= {"Kế hoạch"}

    only_outgoing = os_backend.search(
        SearchQuery(text="chuyển đổi số", filters={"direction": ["outgoing"]}), director
    )
    assert names(os_indexed, [hit.document_id for hit in only_outgoing.hits]) == ["draft_medical"]
    # the direction facet keeps counting both directions (its own filter is not applied) …
    directions = {bucket.value: bucket.count for bucket in only_outgoing.facets["direction"]}
    assert directions == {"incoming": base.total - 1, "outgoing": 1}
    # … while the other facets count the outgoing documents only
    assert {bucket.value: bucket.count for bucket in only_outgoing.facets["type"]} == {kh: 1}

    urgent = os_backend.search(
        SearchQuery(
            text="", filters={"urgency": [index_record(os_indexed.docs["plan_2"]).urgency]}
        ),
        director,
    )
    assert names(os_indexed, [hit.document_id for hit in urgent.hits]) == ["plan_2"]


def test_year_and_date_range_filters(os_indexed, os_backend, users):
    director = users["director"]
    found = search_ids(os_backend, director, "", filters={"year": ["2024"]})
    assert set(names(os_indexed, found)) == {"decision", "decision_plain", "mentions_123"}
    found = search_ids(
        os_backend,
        director,
        "",
        date_from=datetime.date(2024, 11, 1),
        date_to=datetime.date(2024, 12, 31),
    )
    assert set(names(os_indexed, found)) == {"decision", "mentions_123"}


def test_sort_by_date_and_pages(os_indexed, os_backend, users):
    director = users["director"]
    by_date = search_ids(os_backend, director, "", sort="date")
    dates = [Document.objects.get(pk=pk) for pk in by_date]
    keys = [index_record(document).date for document in dates]
    assert keys == sorted(keys, reverse=True)
    pages = []
    for page in range(1, 20):
        result = os_backend.search(SearchQuery(sort="date", page=page, page_size=3), director)
        if not result.hits:
            break
        assert result.total == len(by_date)
        pages += [hit.document_id for hit in result.hits]
    assert pages == by_date
    far = os_backend.search(SearchQuery(page=100_000, page_size=100), director)
    assert far.hits == [] and far.total == len(by_date)


BAD_QUERIES = [
    " ".join(f"{a}{b}" for a in "abcdefghij" for b in "klmnopqrst"),  # 100 different words
    '"' + " ".join(f"{a}{b}" for a in "abcdefghij" for b in "klmnopqrst") + '"',
    " ".join(f'"{a}k {a}l"' for a in "abcdefghijklmnopqrstuvwxyz"),  # 26 phrases
    "1/A " * 120,
    "",
    "   ",
    '"',
    '"chuyển đổi',
    'kế "hoạch',
    "((",
    "AND OR NOT",
    "*",
    "?",
    "subject:kế",
    "title:(x OR y)",
    "{}[]^~:!/\\",
    "a" * 5000,
    "kế hoạch " * 300,
    "\x00\x01",
    "🙂 chuyển đổi số",
    "/",
    "-",
    "123/",
    "<script>",
    "'; DROP TABLE x; --",
]


def test_bad_queries_get_an_answer_not_an_error(os_indexed, os_backend, users):
    for text in BAD_QUERIES:
        for prefix in (False, True):
            result = os_backend.search(SearchQuery(text=text, prefix=prefix), users["director"])
            assert result.total >= 0 and result.backend == "opensearch", text


# --- Permissions inside the query.


def test_every_user_finds_exactly_the_documents_they_may_see(os_indexed, os_backend, users):
    inactive = User.objects.create_user(
        username="nghi_viec", password="x", unit=users["specialist"].unit, is_active=False
    )
    people = [*users.values(), inactive]
    assert len(os_indexed.ids) == Document.objects.count()
    for user in people:
        expected = set(visible_documents(user).values_list("pk", flat=True))
        result = os_backend.search(SearchQuery(page_size=100), user)
        assert {hit.document_id for hit in result.hits} == expected, user.username
        assert result.total == len(expected)
        assert sum(bucket.count for bucket in result.facets["direction"]) == len(expected)
        # and for a query: the visible part of what matches
        matching = os_backend.search(SearchQuery(text="chuyen doi so", page_size=100), user)
        everything = {pk for pk in os_indexed.ids if "chuyển đổi số" in _text(pk)}
        assert {hit.document_id for hit in matching.hits} == everything & expected, user.username


def _text(pk: int) -> str:
    record = index_record(Document.objects.get(pk=pk))
    return " ".join((record.subject, record.body)).lower()


def test_confidential_and_other_unit_documents_stay_hidden(os_indexed, os_backend, users):
    specialist = names(os_indexed, search_ids(os_backend, users["specialist"], "kế hoạch"))
    assert "granted" in specialist  # confidential, granted to them
    assert "secret" not in specialist and "centre" not in specialist
    assert "centre_secret" not in specialist
    director = names(os_indexed, search_ids(os_backend, users["director"], "kế hoạch"))
    assert "centre" in director and "secret" not in director  # agency-wide, but no grant
    clerk = names(os_indexed, search_ids(os_backend, users["clerk"], "mua sắm trang thiết bị"))
    assert clerk == ["ready_medical"]  # the clerks' issuance desk
    delegate = names(os_indexed, search_ids(os_backend, users["other_head"], "an toan thuc pham"))
    assert delegate == ["assigned"]  # acts for the medical head this week
    facets = os_backend.search(SearchQuery(text="chuyển đổi số"), users["specialist"]).facets
    assert str(os_indexed.docs["centre"].owner_unit_id) not in {b.value for b in facets["unit"]}


def test_access_changes_reach_the_index(os_indexed, os_backend, users):
    from edoc.services.documents import document_grant

    secret = os_indexed.docs["secret"]
    assert secret.pk not in search_ids(os_backend, users["director"], "bảo mật hạ tầng")
    document_grant(user=users["clerk"], document=secret, grantee=users["director"])
    os_backend.index([index_record(secret)])
    os_backend.refresh()
    assert search_ids(os_backend, users["director"], "bảo mật hạ tầng") == [secret.pk]


PARITY_QUERIES = [
    "ke hoach chuyen doi so",
    "kế hoạch chuyển đổi số",
    "quyết định phê duyệt",
    "123/QĐ-UBND",
    '"phê duyệt danh mục"',
    "y tế",
    "ke hoach chuyen d",
    "dong nai sot xuat h",
    "",
]


def test_same_documents_and_counts_as_the_database_backend(os_indexed, os_backend, users):
    database = database_backend()
    database.index(index_records(sorted(os_indexed.ids)))
    for text in PARITY_QUERIES:
        for name, prefix in itertools.product(
            ("director", "specialist", "clerk", "centre_head", "other_head"), (False, True)
        ):
            query = SearchQuery(text=text, page_size=100, prefix=prefix)
            ours = os_backend.search(query, users[name])
            theirs = database.search(query, users[name])
            where = (text, name, prefix)
            assert {h.document_id for h in ours.hits} == {h.document_id for h in theirs.hits}, where
            assert ours.total == theirs.total, where
            for key in ("type", "year", "unit", "status", "direction", "urgency"):
                assert {(b.value, b.count) for b in ours.facets[key]} == {
                    (b.value, b.count) for b in theirs.facets[key]
                }, (*where, key)
            if theirs.hits and text.startswith("123"):
                assert ours.hits[0].document_id == theirs.hits[0].document_id, where


# --- Ranking in two requests (settings.OPENSEARCH_RANK_WINDOW).

RANKED_QUERIES = (
    ("ke hoach chuyen doi so", False),
    ("kế hoạch chuyển đổi số", False),
    ("ke hoach chuyen d", True),
    ("quyết định phê duyệt", False),
    ("123/QĐ-UBND", False),
    ("y tế", False),
    ('"phê duyệt danh mục"', False),
)


def _one_request(backend, query: SearchQuery, user) -> dict:
    """The whole search in one request over every match (search_body, sent bare)."""
    body = search_body(query, visibility_for(user))
    return backend.client.search(index=backend.alias, body=body)


def test_a_page_ranked_in_two_requests_is_the_page_of_one(os_indexed, os_backend, users):
    # Every match is a candidate here (a few dozen documents, a window of 500): the two
    # requests give exactly the page, scores, total, facets and highlights of one.
    for (text, prefix), name in itertools.product(RANKED_QUERIES, ("director", "specialist")):
        user, where = users[name], (text, prefix, name)
        query = SearchQuery(text=text, prefix=prefix, page_size=5)
        assert window_body(query, visibility_for(user)) is not None, where
        ours = os_backend.search(query, user)
        theirs = _one_request(os_backend, query, user)
        assert [(hit.document_id, hit.score) for hit in ours.hits] == [
            (int(raw["_id"]), round(raw["_score"], 4)) for raw in theirs["hits"]["hits"]
        ], where
        assert ours.total == theirs["hits"]["total"]["value"], where
        assert ours.facets == parse_facets(theirs["aggregations"]), where
        assert [sorted(hit.highlights) for hit in ours.hits] == [
            sorted(name.removesuffix(".folded") for name in raw.get("highlight", {}))
            for raw in theirs["hits"]["hits"]
        ], where


def test_the_rank_window_ranks_its_candidates_and_counts_every_match(
    os_indexed, os_backend, users, settings
):
    director = users["director"]
    every = [
        int(raw["_id"])
        for raw in _one_request(os_backend, SearchQuery(text="y tế", page_size=100), director)[
            "hits"
        ]["hits"]
    ]
    assert len(every) > 4
    settings.OPENSEARCH_RANK_WINDOW = 3
    first = window_body(SearchQuery(text="y tế", page_size=1), visibility_for(director))
    candidates = {
        int(raw["_id"])
        for raw in os_backend.client.search(index=os_backend.alias, body=first)["hits"]["hits"]
    }
    assert len(candidates) == 3
    pages = []
    for page in (1, 2, 3, 4):
        result = os_backend.search(SearchQuery(text="y tế", page=page, page_size=1), director)
        assert result.total == len(every)  # every match counted, not the window
        pages += [hit.document_id for hit in result.hits]
    # Pages 1-3: the candidates, in the whole rank's order; page 4 lies beyond the window and
    # is ranked over every match in one request.
    assert pages[:3] == [pk for pk in every if pk in candidates]
    assert pages[3] == every[3]
    settings.OPENSEARCH_RANK_WINDOW = 0
    assert window_body(SearchQuery(text="y tế"), visibility_for(director)) is None
    result = os_backend.search(SearchQuery(text="y tế", page_size=100), director)
    assert [hit.document_id for hit in result.hits] == every


# --- Index maintenance.


def test_deleted_documents_leave_the_index(os_indexed, os_backend, users):
    dengue = os_indexed.id("dengue")
    os_backend.delete([dengue, 999_999])
    os_backend.refresh()
    assert search_ids(os_backend, users["director"], "sốt xuất huyết") == []


def test_reindex_swaps_the_alias_without_interrupting_searches(os_indexed, os_backend, users):
    director = users["director"]
    client = os_backend.client
    (old,) = os_backend.physical_indices()
    before = search_ids(os_backend, director, "kế hoạch")
    dengue = os_indexed.docs["dengue"]
    seen_during: list[list[int]] = []
    progress: list[int] = []

    def records():
        for number, record in enumerate(index_records(sorted(os_indexed.ids))):
            if number == 3:
                # mid-rebuild: searches still answer from the old index …
                seen_during.append(search_ids(os_backend, director, "kế hoạch"))
                assert client.indices.exists_alias(name=os_backend.building_alias)
                # … and a document saved now reaches both indexes
                Document.objects.filter(pk=dengue.pk).update(
                    subject="Công văn về bệnh tay chân miệng"
                )
                os_backend.index([index_record(Document.objects.get(pk=dengue.pk))])
            yield record

    os_backend.reindex(records(), len(os_indexed.ids), progress.append)
    (new,) = os_backend.physical_indices()
    assert new != old and new.startswith(os_backend.alias + "-")
    assert not client.indices.exists(index=old)
    assert not client.indices.exists_alias(name=os_backend.building_alias)
    assert seen_during == [before]
    assert sum(progress) == len(os_indexed.ids)
    assert search_ids(os_backend, director, "kế hoạch") == before
    assert search_ids(os_backend, director, "tay chan mieng") == [dengue.pk]
    assert client.count(index=os_backend.alias)["count"] == len(os_indexed.ids)


def test_reindex_takes_over_a_plain_index_with_the_alias_name(os_corpus, settings, users):
    backend = new_backend()
    try:
        backend.client.indices.create(
            index=backend.alias, body={"settings": {"number_of_replicas": 0}}
        )
        backend.reindex(index_records(sorted(os_corpus.ids)), len(os_corpus.ids), lambda n: None)
        assert backend.client.indices.exists_alias(name=backend.alias)
        assert search_ids(backend, users["director"], "sot xuat huyet") == [os_corpus.id("dengue")]
    finally:
        backend.drop()
        backend.client.indices.delete(index=backend.alias, params={"ignore_unavailable": "true"})


def test_a_missing_index_or_a_dead_node_is_unavailable(os_backend, users):
    with pytest.raises(BackendUnavailable):
        os_backend.search(SearchQuery(text="kế hoạch"), users["director"])  # nothing os_indexed yet
    dead = OpenSearchBackend(url="http://127.0.0.1:9", alias="edoc-test-dead", timeout=1)
    started = time.monotonic()
    assert dead.ping() is False
    with pytest.raises(BackendUnavailable):
        dead.search(SearchQuery(text="kế hoạch"), users["director"])
    with pytest.raises(BackendUnavailable):
        dead.index([])
    assert time.monotonic() - started < 5
    assert os_backend.ping() is True


def test_index_corpus_helper_is_idempotent(os_indexed, os_backend, users):
    index_corpus(os_backend, os_indexed)
    assert os_backend.client.count(index=os_backend.alias)["count"] == len(os_indexed.ids)


def test_concurrent_first_writes_create_one_index(os_corpus, os_backend):
    from concurrent.futures import ThreadPoolExecutor

    records = list(index_records(sorted(os_corpus.ids)))
    backends = [OpenSearchBackend(url=os_backend.url, alias=os_backend.alias) for _ in records]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda pair: pair[0].index([pair[1]]), zip(backends, records, strict=True)))
    assert len(os_backend.physical_indices()) == 1
    os_backend.refresh()
    assert os_backend.client.count(index=os_backend.alias)["count"] == len(records)


def test_type_ahead_ranks_the_words_in_order_first(os_indexed, os_backend, users):
    found = names(
        os_indexed,
        search_ids(os_backend, users["director"], "ke hoach chuyen doi so k", prefix=True),
    )
    # "Dự thảo kế hoạch chuyển đổi số khám …" continues the words as typed; the other plans
    # have them too, but not followed by a word starting with k
    assert found[0] == "draft_medical"
    assert set(found) == set(PLAN_NAMES)


def test_a_very_long_file_text_is_found_and_highlighted(os_indexed, os_backend, users):
    import dataclasses

    plan = index_record(os_indexed.docs["plan"])
    body = "Chương trình chuyển đổi số ngành y tế. " * 30_000 + "Phòng chống bệnh dại."
    assert len(body) > 1_000_000  # OpenSearch re-analyses at most 1,000,000 characters
    os_backend.index([dataclasses.replace(plan, body=body)])
    os_backend.refresh()
    result = os_backend.search(SearchQuery(text="benh dai"), users["director"])
    assert [hit.document_id for hit in result.hits] == [plan.id]
    assert "<mark>bệnh</mark> <mark>dại</mark>" in result.hits[0].highlights["body"]


def test_an_index_with_older_mappings_takes_no_writes_until_reindexed(os_indexed, os_backend):
    client = os_backend.client
    (live,) = os_backend.physical_indices()
    client.indices.put_mapping(index=live, body={"_meta": {"edoc_schema": "older"}})
    record = index_record(os_indexed.docs["dengue"])
    with pytest.raises(BackendUnavailable, match="search_reindex"):
        os_backend.index([record])
    os_backend.reindex(index_records(sorted(os_indexed.ids)), len(os_indexed.ids), lambda n: None)
    os_backend.index([record])  # the rebuilt index has the current mappings


def test_reindex_waits_out_a_node_that_answers_429(os_indexed, os_backend, users):
    """A rebuild whose bulk request the node refuses with 429 (a tripped circuit breaker, as a
    small heap does at a million documents) sends it again after a wait instead of failing."""
    client = os_backend.client
    breaker = "network.breaker.inflight_requests.limit"

    lifted: list[float] = []

    def set_breaker(limit: str | None) -> None:
        client.cluster.put_settings(body={"transient": {breaker: limit}})

    def lift() -> None:
        set_breaker(None)
        lifted.append(time.monotonic())

    reset = threading.Timer(1.0, lift)

    def records():
        for number, record in enumerate(index_records(sorted(os_indexed.ids))):
            if number == 0:  # the new index exists; its first bulk request is refused
                set_breaker("1kb")
                reset.start()
            yield record

    try:
        os_backend.reindex(records(), len(os_indexed.ids), lambda _done: None)
    finally:
        reset.cancel()
        set_breaker(None)
    assert lifted, "the rebuild finished before the node accepted writes again"
    (index,) = os_backend.physical_indices()
    assert client.count(index=os_backend.alias)["count"] == len(os_indexed.ids)
    assert search_ids(os_backend, users["director"], "kế hoạch")
