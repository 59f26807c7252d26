"""OpenSearch backend: the same search as the database backend, on an OpenSearch 2.x cluster.

Index layout: `settings.OPENSEARCH_INDEX` is an alias over one physical index
`<alias>-<UTC timestamp>`. `reindex` builds a new physical index beside the live one, loads it,
then swaps the alias in one atomic request and drops the old index, so searches never stop.
While it loads, the new index also carries the alias `<alias>.building` and every `index()`/
`delete()` writes to it too. Documents carry an external version (microseconds since the epoch):
the loaded copies the moment the load started, writes the moment they are made, so a copy read
before a concurrent update never overwrites that update.

Vietnamese text (analysis-common only, no ICU): words are split like `search.text.words` (letters
and digits), each text field is indexed lower-cased with its diacritics (`subject`) and again
folded (`subject.folded`: lowercase + asciifolding, đ → d); the exact words have the tone of
"oa", "oe", "uy" on the first vowel, as search.text.tone_placement writes them (a mapping char
filter). Queries must match the folded words; hits are ordered by the tiers of search.ranking
(constant scores: the symbol typed, the words with their diacritics, the words as a phrase, the
title beginning with them, the longest run of adjacent words), then by BM25 squashed into [0, 1)
by a script (lang-painless), which also scores the exact words and the words in order in the
title (type + subject).

Permissions are part of the query: `visibility_for(user)` becomes a bool filter over the access
facts indexed with each document, so hits, totals and facet counts cover visible documents only.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import (
    ConnectionError as OpenSearchConnectionError,
)
from opensearchpy.exceptions import (
    NotFoundError,
    OpenSearchException,
    TransportError,
)

from edoc.selectors.access import Visibility, visibility_for
from edoc.text import fold

from .. import ranking
from ..text import TONE_PLACEMENT, ParsedQuery, parse_query, tone_placement
from .base import (
    FILTER_KEYS,
    MAX_PAGE_SIZE,
    BackendUnavailable,
    FacetBucket,
    Hit,
    IndexRecord,
    SearchBackend,
    SearchQuery,
    SearchResult,
)
from .database import facet_labels

logger = logging.getLogger(__name__)

#: Deepest page OpenSearch serves without a scroll (index.max_result_window).
MAX_RESULT_WINDOW = 10_000
BULK_CHUNK = 500
#: Bulk requests stay well under http.max_content_length (100 MB) even with OCR-long texts.
BULK_MAX_BYTES = 20 * 1024 * 1024
#: Seconds for index management requests and bulk loads (searches use OPENSEARCH_TIMEOUT).
ADMIN_TIMEOUT = 60.0
BULK_TIMEOUT = 120.0
#: Connections kept per process (web server threads, Celery workers share one client).
POOL_SIZE = 16
FACET_SIZE = 30  # as many values per facet as the database backend shows
SNIPPET_CHARS = 220
#: Query size sent to the engine (a longer query is cut; see engine_words).
MAX_QUERY_WORDS = 32
MAX_PHRASES = 8
MAX_SYMBOLS = 8

#: Filter key → the indexed field its values are compared with.
FILTER_FIELDS: dict[str, str] = {
    "type": "type_code",
    "year": "year",
    "issuer": "issuer.raw",
    "unit": "unit_id",
    "urgency": "urgency",
    "status": "status",
    "direction": "direction",
}
#: Text fields and their weight: the folded sub-field must match, the exact one adds score.
TEXT_FIELDS: dict[str, float] = {"symbol": 4.0, "subject": 3.0, "issuer": 2.0, "body": 1.0}
#: Where words count as adjacent (search.ranking), as the database backend's head (symbol, type
#: and subject, issuer) and body; the exact fields for the diacritics tier.
PROXIMITY_FIELDS = ("symbol", "title", "issuer", "body")
#: A typical BM25 score of a hit: relevance r is squashed to 1 - s / (s + r) (search.ranking).
RELEVANCE_SCALE = 10.0
HIGHLIGHT_FIELDS = ("symbol", "subject", "issuer", "body")

# Words as search.text.words splits them: runs of letters, combining marks and digits.
WORD_SPLIT = r"[^\p{L}\p{M}\p{N}]+"


def _tone_placement_mappings() -> list[str]:
    """search.text.TONE_PLACEMENT for a mapping char filter, which runs before lower-casing:
    every case of the two letters ("oà", "Oà", "oÀ", "OÀ" → "òa", "Òa", "òA", "ÒA")."""
    cases = (str.lower, str.upper)
    return [
        f"{one(new[0])}{two(new[1])} => {one(old[0])}{two(old[1])}"
        for new, old in TONE_PLACEMENT.items()
        for one in cases
        for two in cases
    ]


INDEX_SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "max_result_window": MAX_RESULT_WINDOW,
    "analysis": {
        "char_filter": {
            "vi_tone_placement": {"type": "mapping", "mappings": _tone_placement_mappings()}
        },
        "tokenizer": {"vi_words": {"type": "pattern", "pattern": WORD_SPLIT}},
        "analyzer": {
            "vi_exact": {
                "type": "custom",
                "char_filter": ["vi_tone_placement"],
                "tokenizer": "vi_words",
                "filter": ["lowercase"],
            },
            "vi_folded": {
                "type": "custom",
                "tokenizer": "vi_words",
                "filter": ["lowercase", "asciifolding"],
            },
        },
    },
}


def _folded_field() -> dict[str, Any]:
    # Offsets in the postings: highlighting reads them instead of analysing the text again,
    # so a 300-page file is highlighted quickly and past index.highlight.max_analyzed_offset
    # (1,000,000 characters, beyond which OpenSearch refuses to highlight).
    return {"type": "text", "analyzer": "vi_folded", "index_options": "offsets"}


def _text_field() -> dict[str, Any]:
    return {"type": "text", "analyzer": "vi_exact", "fields": {"folded": _folded_field()}}


MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "agency_id": {"type": "long"},
        "direction": {"type": "keyword"},
        "status": {"type": "keyword"},
        "symbol": _text_field(),
        "symbol_key": {"type": "keyword"},
        "number": {"type": "keyword"},
        "notation": {"type": "keyword"},
        "subject": _text_field(),
        # The way a document is named aloud: its type, then its subject ("Kế hoạch Chuyển đổi
        # số …"). Only scored (words in order), so "kế hoạch …" ranks plans first.
        "title": _text_field(),
        "issuer": {
            **_text_field(),
            "fields": {
                "folded": _folded_field(),
                "raw": {"type": "keyword", "ignore_above": 1024},
            },
        },
        "body": _text_field(),
        "type_code": {"type": "keyword"},
        "year": {"type": "keyword"},
        "date": {"type": "date", "format": "strict_date"},
        "unit_id": {"type": "keyword"},
        "urgency": {"type": "keyword"},
        "confidentiality_level": {"type": "integer"},
        # Access facts (edoc.selectors.access.document_access_facts).
        "owner_unit_id": {"type": "long"},
        "participant_user_ids": {"type": "long"},
        "participant_unit_ids": {"type": "long"},
        "granted_user_ids": {"type": "long"},
    },
}

#: Fingerprint of the settings and mappings, kept in each index's _meta: an index built by an
#: older version of this module takes no writes (they wait in the queue) until search_reindex.
SCHEMA = hashlib.sha256(
    json.dumps([INDEX_SETTINGS, MAPPINGS], sort_keys=True).encode()
).hexdigest()[:16]

_clients: dict[tuple[str, float], OpenSearch] = {}
_clients_lock = threading.Lock()


def client_for(url: str, timeout: float) -> OpenSearch:
    """One client (and connection pool) per URL and timeout for the whole process."""
    key = (url, timeout)
    with _clients_lock:
        if key not in _clients:
            _clients[key] = OpenSearch(
                hosts=[url],
                timeout=timeout,
                max_retries=0,
                retry_on_timeout=False,
                pool_maxsize=POOL_SIZE,
            )
        return _clients[key]


def _unavailable(exc: Exception) -> BackendUnavailable:
    return BackendUnavailable(f"OpenSearch: {type(exc).__name__}: {exc}"[:500])


def _version() -> int:
    """External document version: microseconds since the epoch (monotonic enough per host)."""
    return time.time_ns() // 1000


def document_source(record: IndexRecord) -> dict[str, Any]:
    """The indexed form of one record (the folded copies are the analyzers' job)."""
    return {
        "id": record.id,
        "agency_id": record.agency_id,
        "direction": record.direction,
        "status": record.status,
        "symbol": record.symbol,
        "symbol_key": record.symbol_key,
        "number": record.number,
        "notation": record.notation,
        "subject": record.subject,
        "title": f"{record.type_label} {record.subject}".strip(),
        "issuer": record.issuer,
        "body": record.body,
        "type_code": record.type_code,
        "year": str(record.year) if record.year else None,
        "date": record.date.isoformat() if record.date else None,
        "unit_id": str(record.unit_id),
        "urgency": record.urgency,
        "confidentiality_level": record.confidentiality_level,
        "owner_unit_id": record.owner_unit_id,
        "participant_user_ids": list(record.participant_user_ids),
        "participant_unit_ids": list(record.participant_unit_ids),
        "granted_user_ids": list(record.granted_user_ids),
    }


# --- Queries.


def visibility_filter(visibility: Visibility) -> dict[str, Any]:
    """`Visibility.allows` as an OpenSearch bool query over the indexed access facts."""
    if not visibility.is_active:
        return {"match_none": {}}
    open_paths: list[dict[str, Any]] = []
    if visibility.unit_ids:
        units = sorted(visibility.unit_ids)
        open_paths.append({"terms": {"owner_unit_id": units}})
        open_paths.append({"terms": {"participant_unit_ids": units}})
    if visibility.principal_ids:
        open_paths.append({"terms": {"participant_user_ids": sorted(visibility.principal_ids)}})
    if visibility.clerk_agency_id is not None:
        open_paths.append(
            {
                "bool": {
                    "filter": [
                        {"term": {"agency_id": visibility.clerk_agency_id}},
                        {"term": {"direction": str(visibility.desk_direction)}},
                        {"terms": {"status": [str(s) for s in visibility.desk_statuses]}},
                    ]
                }
            }
        )
    paths: list[dict[str, Any]] = []
    if visibility.user_id is not None:
        paths.append({"term": {"granted_user_ids": visibility.user_id}})
    if open_paths:
        paths.append(
            {
                "bool": {
                    "filter": [{"term": {"confidentiality_level": 0}}],
                    "should": open_paths,
                    "minimum_should_match": 1,
                }
            }
        )
    if not paths:
        return {"match_none": {}}
    return {"bool": {"should": paths, "minimum_should_match": 1}}


def _fields(suffix: str = "") -> list[str]:
    return [f"{name}{suffix}^{weight:g}" for name, weight in TEXT_FIELDS.items()]


def _relevance_query(parsed: ParsedQuery) -> dict[str, Any]:
    """The engine's relevance: which documents match, and their BM25 score.

    Required: every word (and every quoted phrase) in the folded fields, or a document symbol
    equal to one in the query. Extra score: the words with their diacritics, the words as a
    phrase in the title and body, quoted phrases with their diacritics.
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
        if len(parsed.terms) > 1:
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


def text_query(parsed: ParsedQuery) -> dict[str, Any]:
    """Query for a parsed user query (only words reach the engine, never syntax): the ranking
    tiers of search.ranking (symbol, diacritics, phrase, name, longest run) as constant
    scores, added to the relevance squashed into [0, 1)."""
    if parsed.is_empty:
        return {"match_all": {}}
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
    runs = [
        _tier(_adjacent(list(run.words), prefix=run.prefix), run.weight)
        for run in ranking.adjacent_runs(parsed)
    ]
    if runs:
        # The longest run found: the best of them, not their sum.
        tiers.append({"dis_max": {"queries": runs, "tie_breaker": 0.0}})
    return {"bool": {"must": [squashed(_relevance_query(parsed))], "should": tiers}}


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


def filter_clauses(query: SearchQuery) -> dict[str, dict[str, Any]]:
    """One filter per selected facet key (values OR-ed), plus the date range."""
    clauses: dict[str, dict[str, Any]] = {}
    for key in FILTER_KEYS:
        values = [str(value) for value in query.filters.get(key, []) if str(value) != ""]
        if values:
            clauses[key] = {"terms": {FILTER_FIELDS[key]: values}}
    if query.date_from or query.date_to:
        bounds: dict[str, str] = {}
        if query.date_from:
            bounds["gte"] = query.date_from.isoformat()
        if query.date_to:
            bounds["lte"] = query.date_to.isoformat()
        clauses["date"] = {"range": {"date": bounds}}
    return clauses


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


def search_body(query: SearchQuery, visibility: Visibility) -> dict[str, Any]:
    """The whole request body for one search (exposed for the benchmarks and tests)."""
    parsed = engine_words(parse_query(query.text, prefix=query.prefix))
    filters = filter_clauses(query)
    size = max(1, min(query.page_size, MAX_PAGE_SIZE))
    offset = max(query.offset, 0)
    if offset + size > MAX_RESULT_WINDOW:
        size = max(0, MAX_RESULT_WINDOW - offset)
        offset = min(offset, MAX_RESULT_WINDOW)
    aggregations: dict[str, Any] = {}
    for key in FILTER_KEYS:
        # A facet counts with every other filter applied, not its own: its other values stay
        # visible (and selectable) once one is chosen.
        others = [clause for name, clause in filters.items() if name != key]
        aggregations[key] = {
            "filter": {"bool": {"filter": others}} if others else {"match_all": {}},
            "aggs": {
                "values": {
                    "terms": {
                        "field": FILTER_FIELDS[key],
                        "size": FACET_SIZE,
                        "order": [{"_count": "desc"}, {"_key": "asc"}],
                    }
                }
            },
        }
    if query.sort == "date" or parsed.is_empty:
        sort: list[Any] = [{"date": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    else:
        sort = ["_score", {"date": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    body: dict[str, Any] = {
        "query": {
            "bool": {"must": [text_query(parsed)], "filter": [visibility_filter(visibility)]}
        },
        "post_filter": {"bool": {"filter": list(filters.values())}},
        "aggs": aggregations,
        "sort": sort,
        "from": offset,
        "size": size,
        "track_total_hits": True,
        "track_scores": True,
        "_source": False,
    }
    highlighted = highlight_query(parsed)
    if highlighted is not None:
        body["highlight"] = {
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "highlight_query": highlighted,
            "require_field_match": True,
            "fields": {
                "symbol.folded": {"number_of_fragments": 0},
                "subject.folded": {"number_of_fragments": 0},
                "issuer.folded": {"number_of_fragments": 0},
                "body.folded": {"number_of_fragments": 1, "fragment_size": SNIPPET_CHARS},
            },
        }
    return body


def parse_facets(aggregations: dict[str, Any]) -> dict[str, list[FacetBucket]]:
    """Facet buckets with the labels the database backend gives them (current catalog names)."""
    facets: dict[str, list[FacetBucket]] = {}
    for key in FILTER_KEYS:
        buckets = aggregations.get(key, {}).get("values", {}).get("buckets", [])
        counts = [(str(b["key"]), b["doc_count"]) for b in buckets if str(b["key"]) != ""]
        labels = facet_labels(key, [value for value, _count in counts])
        facets[key] = [
            FacetBucket(value=value, label=labels.get(value, value), count=count)
            for value, count in counts
        ]
    return facets


class OpenSearchBackend(SearchBackend):
    """Full-text search on OpenSearch (settings.OPENSEARCH_URL, alias settings.OPENSEARCH_INDEX)."""

    name = "opensearch"

    def __init__(
        self, url: str | None = None, alias: str | None = None, timeout: float | None = None
    ):
        self.url = url or settings.OPENSEARCH_URL
        self.alias = alias or settings.OPENSEARCH_INDEX
        self.timeout = float(timeout or settings.OPENSEARCH_TIMEOUT)
        # Index management (create, refresh, alias swap, delete) may take longer than a search.
        self.admin_timeout = max(self.timeout, ADMIN_TIMEOUT)
        if not self.url:
            raise BackendUnavailable("OPENSEARCH_URL is not set")

    @property
    def client(self) -> OpenSearch:
        return client_for(self.url, self.timeout)

    @property
    def building_alias(self) -> str:
        return f"{self.alias}.building"

    # --- Index management.

    def physical_indices(self) -> list[str]:
        """The physical indices behind the alias (normally exactly one)."""
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def _live_schemas(self) -> dict[str, str | None]:
        """Physical index behind the alias → the schema fingerprint it was built with."""
        try:
            mappings = self.client.indices.get_mapping(index=self.alias)
        except NotFoundError:
            return {}
        return {
            name: (data.get("mappings", {}).get("_meta") or {}).get("edoc_schema")
            for name, data in mappings.items()
        }

    def _new_index_name(self) -> str:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S%f")
        return f"{self.alias}-{stamp}"

    def _create_index(
        self, name: str, *, loading: bool = False, aliases: dict[str, Any] | None = None
    ) -> None:
        index_settings = dict(INDEX_SETTINGS)
        if loading:
            index_settings["refresh_interval"] = "-1"
        mappings = {**MAPPINGS, "_meta": {"edoc_schema": SCHEMA}}
        body: dict[str, Any] = {"settings": index_settings, "mappings": mappings}
        if aliases:
            body["aliases"] = aliases
        self.client.indices.create(
            index=name,
            body=body,
            params={"wait_for_active_shards": "1"},
            request_timeout=self.admin_timeout,
        )

    def ensure_index(self) -> str:
        """The live physical index, created with the alias when there is none yet.

        Index and alias are created in one request, the alias as the write index: when two
        processes race, OpenSearch refuses the second (one write index per alias) and that
        process uses the first one's index."""
        try:
            live = self._live_schemas()
            if live:
                name = sorted(live)[-1]
                if live[name] != SCHEMA:
                    raise BackendUnavailable(
                        f"The OpenSearch index {self.alias} was built with other mappings: "
                        "run `python manage.py search_reindex` (updates wait in the queue)."
                    )
                return name
            name = self._new_index_name()
            try:
                self._create_index(name, aliases={self.alias: {"is_write_index": True}})
            except TransportError as exc:
                if isinstance(exc, OpenSearchConnectionError):
                    raise
                indices = self.physical_indices()
                if not indices:
                    raise
                return indices[-1]
            return name
        except (OpenSearchConnectionError, TransportError) as exc:
            raise _unavailable(exc)

    def refresh(self) -> None:
        """Make every write so far searchable now (tests, benchmarks; NRT refreshes each second)."""
        try:
            self.client.indices.refresh(index=self.alias, request_timeout=self.admin_timeout)
        except OpenSearchException as exc:
            raise _unavailable(exc)

    def drop(self) -> None:
        """Delete the alias and every physical index behind it (tests)."""
        try:
            for alias in (self.alias, self.building_alias):
                try:
                    names = list(self.client.indices.get_alias(name=alias))
                except NotFoundError:
                    continue
                for name in names:
                    self.client.indices.delete(
                        index=name,
                        params={"ignore_unavailable": "true"},
                        request_timeout=self.admin_timeout,
                    )
        except OpenSearchException as exc:
            raise _unavailable(exc)

    # --- Writes.

    def _write_targets(self) -> list[str]:
        targets = [self.alias]
        if self.client.indices.exists_alias(name=self.building_alias):
            targets.append(self.building_alias)
        return targets

    def _bulk(self, actions: Iterable[dict[str, Any]], *, timeout: float | None = None) -> int:
        """Send actions; returns how many were applied. Version conflicts (an older copy) are
        expected and skipped; refused writes the engine may accept later raise BackendUnavailable,
        permanently invalid documents are logged."""
        applied = 0
        retry_later: list[Any] = []
        for ok, item in helpers.streaming_bulk(
            self.client,
            actions,
            chunk_size=BULK_CHUNK,
            max_chunk_bytes=BULK_MAX_BYTES,
            raise_on_error=False,
            raise_on_exception=True,
            request_timeout=timeout or self.timeout,
        ):
            if ok:
                applied += 1
                continue
            (operation, result), *_ = item.items()
            status = result.get("status", 0)
            if status == 409 or (operation == "delete" and status == 404):
                continue
            if status == 429 or status >= 500:
                retry_later.append(result)
            else:
                logger.error(
                    "OpenSearch refused %s of document %s: %s",
                    operation,
                    result.get("_id"),
                    result.get("error"),
                )
        if retry_later:
            raise BackendUnavailable(
                f"OpenSearch refused {len(retry_later)} writes: {retry_later[0]}"[:500]
            )
        return applied

    def index(self, records: Iterable[IndexRecord]) -> None:
        try:
            self.ensure_index()
            targets = self._write_targets()

            def actions() -> Iterator[dict[str, Any]]:
                for record in records:
                    version = _version()
                    source = document_source(record)
                    for target in targets:
                        yield {
                            "_op_type": "index",
                            "_index": target,
                            "_id": str(record.id),
                            "version": version,
                            "version_type": "external_gte",
                            "_source": source,
                        }

            self._bulk(actions())
        except (OpenSearchConnectionError, TransportError) as exc:
            raise _unavailable(exc)

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        try:
            if not self.physical_indices():
                return
            targets = self._write_targets()
            version = _version()
            self._bulk(
                {
                    "_op_type": "delete",
                    "_index": target,
                    "_id": str(pk),
                    "version": version,
                    "version_type": "external_gte",
                }
                for pk in ids
                for target in targets
            )
        except (OpenSearchConnectionError, TransportError) as exc:
            raise _unavailable(exc)

    def reindex(
        self, records: Iterable[IndexRecord], total: int, progress: Callable[[int], None]
    ) -> None:
        """Zero-downtime rebuild: load a new physical index, swap the alias atomically, drop
        the old index. Searches keep hitting the old index until the swap."""
        new = self._new_index_name()
        # Every loaded copy carries the version of the moment the load started, before any record
        # is read: a document written by index()/delete() meanwhile has a newer version and wins.
        loaded_version = _version()
        try:
            self._create_index(new, loading=True)
            self.client.indices.put_alias(
                index=new, name=self.building_alias, request_timeout=self.admin_timeout
            )
            pending = 0

            def actions() -> Iterator[dict[str, Any]]:
                nonlocal pending
                for record in records:
                    pending += 1
                    if pending >= BULK_CHUNK:
                        progress(pending)
                        pending = 0
                    yield {
                        "_op_type": "index",
                        "_index": new,
                        "_id": str(record.id),
                        "version": loaded_version,
                        "version_type": "external_gte",
                        "_source": document_source(record),
                    }

            self._bulk(actions(), timeout=max(self.timeout, BULK_TIMEOUT))
            if pending:
                progress(pending)
            self.client.indices.put_settings(
                index=new,
                body={"index": {"refresh_interval": None}},
                request_timeout=self.admin_timeout,
            )
            self.client.indices.refresh(index=new, request_timeout=self.admin_timeout)
            self._swap_alias(new)
        except (OpenSearchConnectionError, TransportError, BackendUnavailable) as exc:
            try:
                self.client.indices.delete(
                    index=new,
                    params={"ignore_unavailable": "true"},
                    request_timeout=self.admin_timeout,
                )
            except OpenSearchException:
                logger.warning("Could not remove the half-built index %s", new)
            if isinstance(exc, BackendUnavailable):
                raise
            raise _unavailable(exc)

    def _swap_alias(self, new: str) -> None:
        old = [name for name in self.physical_indices() if name != new]
        actions: list[dict[str, Any]] = [{"remove": {"index": new, "alias": self.building_alias}}]
        if self.client.indices.exists(index=self.alias) and not self.client.indices.exists_alias(
            name=self.alias
        ):
            # A concrete index squats on the alias name (created before aliases were used).
            actions.append({"remove_index": {"index": self.alias}})
        actions += [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
        self.client.indices.update_aliases(
            body={"actions": actions}, request_timeout=self.admin_timeout
        )
        for name in old:
            self.client.indices.delete(
                index=name,
                params={"ignore_unavailable": "true"},
                request_timeout=self.admin_timeout,
            )

    # --- Reads.

    def search(self, query: SearchQuery, user) -> SearchResult:
        visibility = visibility_for(user)
        body = search_body(query, visibility)
        try:
            response = self.client.search(index=self.alias, body=body)
        except NotFoundError as exc:
            raise BackendUnavailable(
                f"OpenSearch index {self.alias} does not exist (run search_reindex): {exc}"[:500]
            )
        except (OpenSearchConnectionError, TransportError) as exc:
            raise _unavailable(exc)
        hits = []
        for raw in response["hits"]["hits"]:
            highlights = {
                # Lucene's HTML encoder also escapes "/" (symbols read better without it).
                name.removesuffix(".folded"): " ".join(
                    " … ".join(fragments).replace("&#x2F;", "/").split()
                )
                for name, fragments in raw.get("highlight", {}).items()
            }
            hits.append(
                Hit(
                    document_id=int(raw["_id"]),
                    score=round(float(raw.get("_score") or 0.0), 4),
                    highlights=highlights,
                )
            )
        return SearchResult(
            total=response["hits"]["total"]["value"],
            hits=hits,
            facets=parse_facets(response.get("aggregations", {})),
            backend=self.name,
        )

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except OpenSearchException:
            return False

    def warm_up(self) -> None:
        """Have the node compile the ranking's script now, not in a user's search: a node just
        started takes about a second for it (more under load) on its first search, near
        OPENSEARCH_TIMEOUT. One empty search; an engine still not ready is left alone."""
        body = {"size": 0, "query": squashed({"match_all": {}})}
        try:
            self.client.search(index=self.alias, body=body, request_timeout=self.admin_timeout)
        except OpenSearchException as exc:
            logger.info("OpenSearch warm-up search failed: %s", exc)
