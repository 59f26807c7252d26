"""Search behaviour on the configured backend and the database one: Vietnamese folding and
ranking, symbols, phrases, prefixes, facets and permissions, filters, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from search.backends import SearchQuery, get_backend
from search.backends.base import FILTER_KEYS

BACKENDS = sorted({"database", settings.SEARCH_BACKEND})

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("backend_name", BACKENDS)]


def run(backend_name, user, text="", **options):
    return get_backend(backend_name).search(SearchQuery(text=text, **options), user)


def ids(result) -> list[int]:
    return [hit.document_id for hit in result.hits]


def test_folded_query_finds_the_diacritic_text(backend_name, corpus):
    result = run(backend_name, corpus.users["specialist"], "quyet dinh ve viec phe duyet")
    assert ids(result)[0] == corpus.docs["decision"].pk


def test_query_with_diacritics_ranks_exact_matches_first(backend_name, corpus):
    user = corpus.users["specialist"]
    accented, ascii_ = corpus.docs["accented"].pk, corpus.docs["ascii"].pk
    found = ids(run(backend_name, user, "phê duyệt dự toán"))
    assert found.index(accented) < found.index(ascii_)
    assert {accented, ascii_} <= set(ids(run(backend_name, user, "phe duyet du toan")))


@pytest.mark.parametrize("text", ["123/QĐ-UBND", "123/QD-UBND", "123 QĐ UBND", "123/qđ-ubnd"])
def test_symbol_forms_find_that_document_first(backend_name, corpus, text):
    result = run(backend_name, corpus.users["specialist"], text)
    assert ids(result)[0] == corpus.docs["decision"].pk


def test_phrases_in_quotes(backend_name, corpus):
    user = corpus.users["specialist"]
    assert corpus.docs["decision"].pk in ids(run(backend_name, user, '"phê duyệt danh mục"'))
    assert corpus.docs["decision"].pk in ids(run(backend_name, user, '"phe duyet danh muc"'))
    assert ids(run(backend_name, user, '"danh mục phê duyệt"')) == []


def test_prefix_for_type_ahead(backend_name, corpus):
    user = corpus.users["specialist"]
    assert corpus.docs["plan"].pk in ids(run(backend_name, user, "chuyen do", prefix=True))
    assert corpus.docs["plan"].pk not in ids(run(backend_name, user, "chuyen do"))


def test_plan_documents_rank_first(backend_name, corpus):
    docs = corpus.docs
    result = run(backend_name, corpus.users["specialist"], "ke hoach chuyen doi so")
    # Both plans (Kế hoạch) the specialist may see come before the letter about a plan.
    assert set(ids(result)[:2]) == {docs["plan"].pk, docs["granted"].pk}
    assert ids(result)[2] == docs["letter"].pk


def test_results_counts_and_facets_only_cover_visible_documents(backend_name, corpus):
    docs, units = corpus.docs, corpus.units
    result = run(backend_name, corpus.users["specialist"], "chuyen doi so")
    expected = {docs["plan"].pk, docs["letter"].pk, docs["granted"].pk}
    assert set(ids(result)) == expected
    assert result.total == 3
    for key in FILTER_KEYS:
        assert sum(bucket.count for bucket in result.facets[key]) == 3, key
    unit_counts = {b.value: b.count for b in result.facets["unit"]}
    assert unit_counts == {str(units["medical"].pk): 2, str(units["pharmacy"].pk): 1}
    type_counts = {b.label: b.count for b in result.facets["type"]}
    assert type_counts == {"Kế hoạch": 2, "Công văn": 1}


def test_a_confidential_document_of_another_unit_is_never_revealed(backend_name, corpus):
    for user_key in ("specialist", "director", "clerk"):
        result = run(backend_name, corpus.users[user_key], "kho thuoc du tru")
        assert result.total == 0 and result.hits == []
        assert all(buckets == [] for buckets in result.facets.values())
    other = run(backend_name, corpus.users["specialist"], "phong nghiep vu duoc")
    assert corpus.docs["other_unit"].pk not in ids(other)
    delegated = run(backend_name, corpus.users["head"], "phong nghiep vu duoc")
    assert corpus.docs["other_unit"].pk in ids(delegated)


def test_filters_sort_dates_and_pagination(backend_name, corpus):
    docs, user = corpus.docs, corpus.users["director"]
    kh = str(docs["plan"].document_type_id)
    result = run(backend_name, user, "chuyen doi so", filters={"type": [kh]})
    assert set(ids(result)) == {docs["plan"].pk, docs["other_unit"].pk}
    # The type facet still shows the other types (its own filter is not applied to it).
    assert {b.label for b in result.facets["type"]} >= {"Kế hoạch", "Công văn"}
    by_year = run(backend_name, user, "chuyen doi so", filters={"year": ["2025"]})
    assert ids(by_year) == [docs["letter"].pk]
    ranged = run(
        backend_name,
        user,
        "chuyen doi so",
        date_from=datetime.date(2026, 1, 1),
        date_to=datetime.date(2026, 1, 31),
    )
    assert ids(ranged) == [docs["plan"].pk]
    by_date = run(backend_name, user, "", sort="date", page_size=50)
    dates = [corpus_date(docs, pk) for pk in ids(by_date)]
    assert dates == sorted(dates, reverse=True)
    first = run(backend_name, user, "", sort="date", page=1, page_size=2)
    second = run(backend_name, user, "", sort="date", page=2, page_size=2)
    assert first.total == second.total == by_date.total
    assert ids(first) + ids(second) == ids(by_date)[:4]


def corpus_date(docs, pk):
    return next(d.issue_date for d in docs.values() if d.pk == pk)


def test_highlights_are_escaped_with_marks(backend_name, corpus):
    result = run(backend_name, corpus.users["specialist"], "danh muc thuoc")
    hit = result.hits[0]
    assert "<mark>" in hit.highlights["subject"]
    assert "<mark>thuốc</mark>" in hit.highlights["subject"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        '"',
        '"chuyển đổi số',
        "chuyển đổi số\"'",
        "a" * 5000,
        "AND OR NOT",
        "NEAR(a b) * ^ : -x +y {col} [x] (",
        "title:foo AND body:(bar OR baz)~2 /regex/ \\",
        "'; DROP TABLE search_searchentry; --",
        "%_%",
        "\x00\u200b",
        "123/",
    ],
)
def test_bad_input_gives_an_answer_not_an_error(backend_name, corpus, text):
    result = run(backend_name, corpus.users["specialist"], text)
    assert result.total >= 0
    assert result.backend == backend_name


def test_each_facet_counts_with_the_other_filters_applied(backend_name, corpus):
    user = corpus.users["director"]
    filters = {"type": [str(corpus.docs["plan"].document_type_id)], "year": ["2026"]}
    result = run(backend_name, user, "chuyen doi so", filters=filters)
    assert result.total == len(result.hits) > 0
    for key in FILTER_KEYS:
        for bucket in result.facets[key]:
            # Ticking this value instead of the key's own filter gives the bucket's count.
            alone = run(
                backend_name, user, "chuyen doi so", filters=filters | {key: [bucket.value]}
            )
            assert alone.total == bucket.count, (key, bucket)


@pytest.mark.parametrize("text", ["", "chuyen doi so", "123/QĐ-UBND"])
def test_database_search_reads_the_index_twice_whatever_the_filters(backend_name, corpus, text):
    """The page is one statement, the total and every facet another (one grouped statement):
    it was 1 total + 1 page + 7 facets. Only catalog labels of the buckets shown come on top."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if backend_name != "database":
        pytest.skip("SQL statements of the database backend")
    user = corpus.users["specialist"]
    unit = str(corpus.units["medical"].pk)
    for filters in ({}, {"unit": [unit]}, {"unit": [unit], "year": ["2025", "2026"]}):
        with CaptureQueriesContext(connection) as queries:
            result = run(backend_name, user, text, filters=filters)
        index_reads = [q for q in queries.captured_queries if "search_searchentry" in q["sql"]]
        assert len(index_reads) == 2, [q["sql"][:120] for q in index_reads]
        assert len(queries) <= 2 + 2 + 3, [q["sql"][:120] for q in queries.captured_queries]
        assert result.total == sum(b.count for b in result.facets["direction"])
