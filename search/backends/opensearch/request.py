"""The whole OpenSearch search request (permissions, filters, facets, sort, page, highlights)
and the facets of its response.

Permissions are part of the query: `visibility_for(user)` becomes a bool filter over the access
facts indexed with each document, so hits, totals and facet counts cover visible documents only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from edoc.selectors.access import Visibility

from ...text import ParsedQuery, parse_query
from ..base import FILTER_KEYS, MAX_PAGE_SIZE, FacetBucket, SearchQuery
from ..database import facet_labels
from .mapping import MAX_RESULT_WINDOW
from .query import engine_words, highlight_query, text_query, window_query

FACET_SIZE = 30  # as many values per facet as the database backend shows
SNIPPET_CHARS = 220

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


def _parsed(query: SearchQuery) -> ParsedQuery:
    return engine_words(parse_query(query.text, prefix=query.prefix))


def _page(query: SearchQuery) -> tuple[int, int]:
    """(offset, size) of the requested page, within the engine's result window."""
    size = max(1, min(query.page_size, MAX_PAGE_SIZE))
    offset = max(query.offset, 0)
    if offset + size > MAX_RESULT_WINDOW:
        size = max(0, MAX_RESULT_WINDOW - offset)
        offset = min(offset, MAX_RESULT_WINDOW)
    return offset, size


def _sort(query: SearchQuery, parsed: ParsedQuery) -> list[Any]:
    if query.sort == "date" or parsed.is_empty:
        return [{"date": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    return ["_score", {"date": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]


def _aggregations(filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    aggregations: dict[str, Any] = {}
    for key in FILTER_KEYS:
        values = {
            "terms": {
                "field": FILTER_FIELDS[key],
                "size": FACET_SIZE,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            }
        }
        # A facet counts with every other filter applied, not its own: its other values stay
        # visible (and selectable) once one is chosen. Without other filters the terms count
        # the matches directly (a match-all filter around them cost each facet ~8 ms at 1 M).
        others = [clause for name, clause in filters.items() if name != key]
        if others:
            aggregations[key] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": values}}
        else:
            aggregations[key] = values
    return aggregations


def search_body(query: SearchQuery, visibility: Visibility) -> dict[str, Any]:
    """The whole search in one request: hits ranked over every match, total, facets and
    highlights (a date sort, and pages beyond rank_window())."""
    parsed = _parsed(query)
    filters = filter_clauses(query)
    offset, size = _page(query)
    body: dict[str, Any] = {
        "query": {
            "bool": {"must": [text_query(parsed)], "filter": [visibility_filter(visibility)]}
        },
        "post_filter": {"bool": {"filter": list(filters.values())}},
        "aggs": _aggregations(filters),
        "sort": _sort(query, parsed),
        "from": offset,
        "size": size,
        "track_total_hits": True,
        "track_scores": True,
        "_source": False,
    }
    _add_highlight(body, parsed)
    return body


def rank_window() -> int:
    """How many candidates a two-request search ranks (settings.OPENSEARCH_RANK_WINDOW)."""
    return max(0, min(int(settings.OPENSEARCH_RANK_WINDOW), MAX_RESULT_WINDOW))


def window_body(query: SearchQuery, visibility: Visibility) -> dict[str, Any] | None:
    """The first of two requests for a page ranked by relevance, or None when one request
    (search_body) serves it: a date sort, an empty query, a page beyond rank_window().

    It finds every visible match (the same matches and permission filter as search_body) and
    gives the total, the facets and the ids of the best rank_window() matches by the cheap
    part of the rank (query.window_query); ranked_body then ranks those candidates by the
    whole rank. The page is search_body's whenever every match is a candidate; beyond that, a
    document raised only by a run of adjacent words can stay outside the window."""
    parsed = _parsed(query)
    offset, size = _page(query)
    window = rank_window()
    if query.sort == "date" or parsed.is_empty or offset + size > window:
        return None
    filters = filter_clauses(query)
    return {
        "query": {
            "bool": {"must": [window_query(parsed)], "filter": [visibility_filter(visibility)]}
        },
        "post_filter": {"bool": {"filter": list(filters.values())}},
        "aggs": _aggregations(filters),
        "sort": _sort(query, parsed),
        "size": window,
        "track_total_hits": True,
        "_source": False,
    }


def ranked_body(query: SearchQuery, visibility: Visibility, ids: list[str]) -> dict[str, Any]:
    """The second request: the page among the candidates `ids` (window_body's hits, already
    filtered), ranked by the whole rank, with highlights. The permission filter stays."""
    parsed = _parsed(query)
    offset, size = _page(query)
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "must": [text_query(parsed)],
                "filter": [visibility_filter(visibility), {"ids": {"values": ids}}],
            }
        },
        "sort": _sort(query, parsed),
        "from": offset,
        "size": size,
        "track_total_hits": False,
        "track_scores": True,
        "_source": False,
    }
    _add_highlight(body, parsed)
    return body


def _add_highlight(body: dict[str, Any], parsed: ParsedQuery) -> None:
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


def parse_facets(aggregations: dict[str, Any]) -> dict[str, list[FacetBucket]]:
    """Facet buckets with the labels the database backend gives them (current catalog names)."""
    facets: dict[str, list[FacetBucket]] = {}
    for key in FILTER_KEYS:
        facet = aggregations.get(key, {})
        buckets = facet.get("values", facet).get("buckets", [])  # filtered, or the terms alone
        counts = [(str(b["key"]), b["doc_count"]) for b in buckets if str(b["key"]) != ""]
        labels = facet_labels(key, [value for value, _count in counts])
        facets[key] = [
            FacetBucket(value=value, label=labels.get(value, value), count=count)
            for value, count in counts
        ]
    return facets
