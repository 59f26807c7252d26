"""The judged query set (bench/search_judgements.json): its integrity against the demo corpus,
and a floor on the ranking quality measured with it, on the database backend and (with
OPENSEARCH_URL) on OpenSearch."""

from __future__ import annotations

import os
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from bench.search_judging import (
    corpus_from_database,
    demo_vocabulary,
    load_judgements,
    mean,
    rule_problems,
    run_queries,
    visible_grades,
)

# Both backends measured 0.995 mean nDCG@10 and 0.860 mean P@5 on this set (SQLite, PostgreSQL
# and OpenSearch, docs/benchmarks.md "Search quality"; 0.918/0.786 on SQLite before the ranking
# tiers of search.ranking); the floors leave a margin for the day-to-day variation of the seeded
# corpus.
NDCG_FLOOR = 0.97
P5_FLOOR = 0.82
# The traps of issue 9 (syllables scattered, tones, sibling symbols): 1.000 on every backend.
TRAP_KINDS = ("syllables", "tones", "siblings")
TRAP_NDCG_FLOOR = 0.95


def test_the_judgement_file_covers_every_kind_of_query():
    queries = load_judgements()
    assert len(queries) >= 30
    tags = Counter(tag for query in queries for tag in query.tags)
    for kind in (
        "diacritics",
        "no-diacritics",
        "d-stroke",
        "symbol-slash",
        "symbol-folded",
        "symbol-spaces",
        "phrase",
        "prefix",
        "plan",
        "syllables",
        "tones",
        "siblings",
    ):
        assert tags[kind] >= 2, kind
    texts = {query.query for query in queries}
    assert "ke hoach chuyen doi so" in texts
    assert all(query.query.count('"') in (0, 2) for query in queries)
    assert all(q.prefix for q in queries if "prefix" in q.tags)


def test_every_rule_can_match_a_document_the_demo_seed_generates():
    subjects, sentences = demo_vocabulary()
    problems = [
        f"{query.id}: {problem}"
        for query in load_judgements()
        for rule in query.rules + ([query.symbol_of] if query.symbol_of else [])
        for problem in rule_problems(rule, subjects, sentences)
    ]
    assert problems == []


@pytest.fixture
def demo_corpus(db, django_capture_on_commit_callbacks):
    """The demo seed (200 documents), its text extracted and indexed, as the bench builds it."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("search_reindex", "--backend", "database", "--no-progress", verbosity=0)
    from edoc.models import User

    director = User.objects.get(username="giamdoc")
    return director, corpus_from_database(director)


def test_judged_documents_exist_and_the_database_backend_ranks_them(demo_corpus):
    director, corpus = demo_corpus
    queries = load_judgements()

    missing = [
        f"{query.id}: {rule.where}"
        for query in queries
        for rule in query.rules
        if not rule.optional and not any(rule.matches(doc) for doc in corpus)
    ]
    assert missing == []
    for query in queries:
        assert query.text_for(corpus), query.id
        assert visible_grades(query, corpus), f"{query.id}: nothing relevant the director sees"

    from search.backends import get_backend

    backends = [get_backend("database")]
    if os.environ.get("OPENSEARCH_URL"):
        from search.documents import index_records
        from tests.search.opensearch_support import new_backend

        opensearch = new_backend()
        opensearch.reindex(index_records(), len(corpus), lambda n: None)
        backends.append(opensearch)
    try:
        for backend in backends:
            check_quality(backend, director, queries, corpus)
    finally:
        if len(backends) > 1:
            backends[1].drop()


def check_quality(backend, director, queries, corpus) -> None:
    scores = run_queries(backend, director, queries, corpus)
    ndcg = mean(score.ndcg for score in scores)
    precision = mean(score.precision for score in scores)
    where = (backend.name, [(s.query.id, round(s.ndcg, 3)) for s in scores if s.ndcg < 0.999])
    assert ndcg >= NDCG_FLOOR, where
    assert precision >= P5_FLOOR, where
    by_kind = defaultdict(list)
    for score in scores:
        for tag in score.query.tags:
            by_kind[tag].append(score.ndcg)
    for kind in TRAP_KINDS:
        assert mean(by_kind[kind]) >= TRAP_NDCG_FLOOR, (kind, where)
    # The plan documents come first for the query of the acceptance criterion.
    plans = next(s for s in scores if s.query.id == "cds-plan-folded")
    assert [plans.grades.get(doc_id) for doc_id in plans.ranked[:3]] == [3, 3, 3], backend.name
