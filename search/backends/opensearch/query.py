"""The text part of an OpenSearch query: which documents match the words typed, and their rank.

Queries must match the folded words; hits are ordered by the tiers of search.ranking (constant
scores: the symbol typed, the words with their diacritics, the words as a phrase, the title
beginning with them, the longest run of adjacent words), then by BM25 squashed into [0, 1) by a
script (lang-painless), which also scores the exact words and the words in order in the title
(type + subject).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from edoc.text import fold

from ... import ranking
from ...text import ParsedQuery, tone_placement

#: Query size sent to the engine (a longer query is cut; see engine_words).
MAX_QUERY_WORDS = 32
MAX_PHRASES = 8
MAX_SYMBOLS = 8
#: Text fields and their weight: the folded sub-field must match, the exact one adds score.
TEXT_FIELDS: dict[str, float] = {"symbol": 4.0, "subject": 3.0, "issuer": 2.0, "body": 1.0}
#: Where words count as adjacent (search.ranking), as the database backend's head (symbol, type
#: and subject, issuer) and body; the exact fields for the diacritics tier.
PROXIMITY_FIELDS = ("symbol", "title", "issuer", "body")
#: A typical BM25 score of a hit: relevance r is squashed to 1 - s / (s + r) (search.ranking).
RELEVANCE_SCALE = 10.0
HIGHLIGHT_FIELDS = ("symbol", "subject", "issuer", "body")


def _fields(suffix: str = "") -> list[str]:
    return [f"{name}{suffix}^{weight:g}" for name, weight in TEXT_FIELDS.items()]


def _relevance_query(parsed: ParsedQuery, *, proximity: bool = True) -> dict[str, Any]:
    """The engine's relevance: which documents match, and their BM25 score.

    Required: every word (and every quoted phrase) in the folded fields, or a document symbol
    equal to one in the query. Extra score: the words with their diacritics, the words as a
    phrase in the title and body (`proximity`), quoted phrases with their diacritics.
    """
    required = _every_word(parsed, _fields(".folded"), fold)
    terms = " ".join(parsed.terms)
    should: list[dict[str, Any]] = []
    if parsed.terms:
        should.append(
            {
                "multi_match": {
                    "query": terms,
                    "type": "most_fields",
                    "fields": _fields(),
                    "boost": 2,
                }
            }
        )
        if proximity and len(parsed.terms) > 1:
            should.append(
                {
                    "multi_match": {
                        "query": fold(terms),
                        # Type-ahead: the words typed so far, in order, the last one a prefix.
                        "type": "phrase_prefix" if parsed.prefix else "phrase",
                        "fields": ["title.folded^3", "body.folded"],
                        "slop": 2,
                        "boost": 2,
                    }
                }
            )
    for phrase in parsed.phrases:
        should.append(
            {
                "multi_match": {
                    "query": " ".join(phrase),
                    "type": "phrase",
                    "fields": _fields(),
                    "boost": 2,
                }
            }
        )
    candidates: list[dict[str, Any]] = [{"bool": {"must": required}}] if required else []
    if parsed.symbol_keys:
        candidates.append({"terms": {"symbol_key": parsed.symbol_keys}})
    return {
        "bool": {
            "must": [{"bool": {"should": candidates, "minimum_should_match": 1}}],
            "should": should,
        }
    }


def _tier(condition: dict[str, Any], weight: float) -> dict[str, Any]:
    return {"constant_score": {"filter": condition, "boost": weight}}


def _adjacent(words: list[str], *, prefix: bool) -> dict[str, Any]:
    """These folded words adjacent and in order in one field (the database backend's head:
    symbol, title, issuer; or the body)."""
    return {
        "multi_match": {
            "query": " ".join(words),
            "type": "phrase_prefix" if prefix else "phrase",
            "fields": [f"{name}.folded" for name in PROXIMITY_FIELDS],
        }
    }


def _named(words: list[str], *, prefix: bool) -> dict[str, Any]:
    """The title (type + subject) begins with these folded words (the last one begun)."""
    spans: list[dict[str, Any]] = [{"span_term": {"title.folded": word}} for word in words]
    if prefix:
        spans[-1] = {"span_multi": {"match": {"prefix": {"title.folded": {"value": words[-1]}}}}}
    return {
        "span_first": {
            "match": {"span_near": {"clauses": spans, "slop": 0, "in_order": True}},
            "end": len(spans),
        }
    }


def _every_word(
    parsed: ParsedQuery, fields: list[str], convert: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Clauses requiring every unquoted word in one of `fields` (as the database backend matches
    head or body), the last one begun when typing ahead, and every quoted phrase in one field.
    `convert` turns words into the fields' tokens (the prefix query is not analysed)."""
    clauses: list[dict[str, Any]] = []
    words = [convert(term) for term in parsed.terms]
    prefix = words.pop() if parsed.prefix and words else None
    if words:
        clauses.append(
            {
                "multi_match": {
                    "query": " ".join(words),
                    "type": "cross_fields",
                    "fields": fields,
                    "operator": "and",
                }
            }
        )
    if prefix:
        names = [field.split("^")[0] for field in fields]
        clauses.append(
            {
                "bool": {
                    "should": [{"prefix": {name: {"value": prefix}}} for name in names],
                    "minimum_should_match": 1,
                }
            }
        )
    for phrase in parsed.phrases:
        clauses.append(
            {
                "multi_match": {
                    "query": convert(" ".join(phrase)),
                    "type": "phrase",
                    "fields": fields,
                }
            }
        )
    return clauses


def _upper_tiers(parsed: ParsedQuery) -> list[dict[str, Any]]:
    """The tiers above the runs (search.ranking): symbol, diacritics, phrase, name."""
    tiers: list[dict[str, Any]] = []
    if parsed.symbol_keys:
        tiers.append(_tier({"terms": {"symbol_key": parsed.symbol_keys}}, ranking.SYMBOL))
    if parsed.has_diacritics and (parsed.terms or parsed.phrases):
        # Every word with its diacritics: the exact fields (tones placed as they index them).
        exact = _every_word(parsed, list(PROXIMITY_FIELDS), tone_placement)
        tiers.append(_tier({"bool": {"filter": exact}}, ranking.TONES))
    adjacent = ranking.proximity_words(parsed)
    if adjacent:
        tiers.append(_tier(_adjacent(adjacent, prefix=parsed.prefix), ranking.PHRASE))
        tiers.append(_tier(_named(adjacent, prefix=parsed.prefix), ranking.NAMED))
    return tiers


def text_query(parsed: ParsedQuery) -> dict[str, Any]:
    """Query for a parsed user query (only words reach the engine, never syntax): the ranking
    tiers of search.ranking (symbol, diacritics, phrase, name, longest run) as constant
    scores, added to the relevance squashed into [0, 1)."""
    if parsed.is_empty:
        return {"match_all": {}}
    tiers = _upper_tiers(parsed)
    runs = [
        _tier(_adjacent(list(run.words), prefix=run.prefix), run.weight)
        for run in ranking.adjacent_runs(parsed)
    ]
    if runs:
        # The longest run found: the best of them, not their sum.
        tiers.append({"dis_max": {"queries": runs, "tie_breaker": 0.0}})
    return {"bool": {"must": [squashed(_relevance_query(parsed))], "should": tiers}}


#: In the candidates' query, a begun last word shorter than this takes no part in the tiers
#: (its prefix expands to dozens of words, each a phrase read at every match).
WINDOW_PREFIX_CHARS = 3


def window_query(parsed: ParsedQuery) -> dict[str, Any]:
    """The candidates' query of a two-request search (request.window_body): the same matches as
    text_query, ranked by its upper tiers (symbol, diacritics, phrase, name) and the relevance.

    Left to the second request, which scores the best settings.OPENSEARCH_RANK_WINDOW
    candidates only: the runs, and any phrase with a begun last word shorter than
    WINDOW_PREFIX_CHARS (a short prefix expands to dozens of words, each a phrase read at every
    match: seconds at a million documents). Without that word, these tiers hold a superset of
    the documents the whole rank puts in them."""
    if parsed.is_empty:
        return {"match_all": {}}
    approximate = parsed
    if parsed.prefix and parsed.terms and len(fold(parsed.terms[-1])) < WINDOW_PREFIX_CHARS:
        approximate = dataclasses.replace(parsed, terms=parsed.terms[:-1], prefix=False)
    relevance = _relevance_query(parsed, proximity=approximate is parsed)
    return {"bool": {"must": [squashed(relevance)], "should": _upper_tiers(approximate)}}


def squashed(query: dict[str, Any]) -> dict[str, Any]:
    """`query` with its score r mapped into [0, 1) as 1 - s / (s + r) (search.ranking)."""
    return {
        "script_score": {
            "query": query,
            "script": {
                "source": "1.0 - params.s / (params.s + _score)",
                "params": {"s": RELEVANCE_SCALE},
            },
        }
    }


def highlight_query(parsed: ParsedQuery) -> dict[str, Any] | None:
    words = [fold(word) for word in parsed.all_words]
    if not words:
        return None
    fields = [f"{name}.folded" for name in HIGHLIGHT_FIELDS]
    clauses: list[dict[str, Any]] = [
        {"multi_match": {"query": " ".join(words), "fields": fields, "operator": "or"}}
    ]
    if parsed.prefix and parsed.terms:
        clauses.append(
            {
                "multi_match": {
                    "query": fold(parsed.terms[-1]),
                    "type": "phrase_prefix",
                    "fields": fields,
                }
            }
        )
    return {"bool": {"should": clauses}}


def engine_words(parsed: ParsedQuery) -> ParsedQuery:
    """At most MAX_QUERY_WORDS words (and MAX_PHRASES phrases, MAX_SYMBOLS symbols) reach the
    engine: every word becomes a clause per field, and OpenSearch refuses more than 1,024."""
    budget = MAX_QUERY_WORDS
    terms = parsed.terms[:budget]
    budget -= len(terms)
    phrases = []
    for phrase in parsed.phrases[:MAX_PHRASES]:
        if budget <= 1:
            break
        phrases.append(phrase[:budget])
        budget -= len(phrases[-1])
    return dataclasses.replace(
        parsed,
        terms=terms,
        phrases=phrases,
        symbol_keys=parsed.symbol_keys[:MAX_SYMBOLS],
        prefix=parsed.prefix and len(terms) == len(parsed.terms),
    )
