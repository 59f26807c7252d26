"""The database backend: SQLite FTS5 in the embedded mode, PostgreSQL tsvector + GIN otherwise.

Both index the same word streams (search.text): exact lower-case words and their folded form, the
document symbol as one compact token. A query matches the folded words (diacritics optional).
Hits are ordered by the tiers of search.ranking (symbol typed, words with the diacritics typed,
words adjacent as a phrase, head beginning with them, longest run of adjacent words), then by the
engine's relevance (FTS5 bm25, ts_rank). On SQLite each word tier is one more MATCH of the FTS5
table, on PostgreSQL one more `@@` on the matching rows' tsvector. The head (type, subject,
symbol, issuer) reads as the document is named, "Kế hoạch Chuyển đổi số …": a query naming the
type finds it as a phrase, and the documents so named by the head's beginning.
Permissions: every query is restricted to `visible_documents(user)` (an id subquery), so totals and
facet counts only ever count documents the user may see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, F, FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from edoc.models import DocumentType, Unit, Urgency
from edoc.models.documents import Direction, Status
from edoc.selectors.access import visible_documents
from edoc.text import fold

from ..models import SearchEntry
from ..ranking import NAMED, PHRASE, SYMBOL, TONES, adjacent_runs, proximity_words
from ..text import (
    ParsedQuery,
    highlights_for,
    index_text,
    parse_query,
    tone_placement,
    words,
)
from .base import (
    FILTER_KEYS,
    FacetBucket,
    Hit,
    IndexRecord,
    SearchBackend,
    SearchQuery,
    SearchResult,
)

# Filter key → SearchEntry field.
FILTER_FIELDS = {
    "type": "type_code",
    "year": "year",
    "issuer": "issuer",
    "unit": "unit_id",
    "urgency": "urgency",
    "status": "status",
    "direction": "direction",
}
FACET_SIZE = 30
REINDEX_BATCH = 200
# FTS5 bm25 column weights: symbol_key, type_words, head_exact, head_folded, body_exact,
# body_folded. bm25() is negative, better matches lower; squashed into [0, 1) (search.ranking).
FTS5_BM25_SQL = "bm25(search_fts, 50.0, 20.0, 8.0, 4.0, 2.0, 1.0)"
FTS5_RELEVANCE_SQL = f"1.0 - 10.0 / (10.0 - {FTS5_BM25_SQL})"
FTS5_FOLDED_COLUMNS = "{type_words head_folded body_folded}"
# The row's document is one that an FTS5 MATCH finds (an uncorrelated subquery: run once).
FTS5_FINDS = (
    "search_searchentry.document_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
)


def entry_from_record(record: IndexRecord) -> SearchEntry:
    head_exact, head_folded = index_text(
        " ".join((record.type_label, record.subject, record.symbol, record.issuer))
    )
    body_exact, body_folded = index_text(record.body)
    return SearchEntry(
        document_id=record.id,
        agency_id=record.agency_id,
        direction=record.direction,
        status=record.status,
        type_code=record.type_code,
        year=record.year,
        date=record.date,
        issuer=record.issuer[:255],
        unit_id=record.unit_id,
        urgency=record.urgency,
        symbol=record.symbol[:100],
        symbol_key=record.symbol_key[:100],
        type_words=" ".join(fold(word) for word in words(record.type_label))[:100],
        subject=record.subject,
        body=record.body,
        head_exact=head_exact,
        head_folded=head_folded,
        body_exact=body_exact,
        body_folded=body_folded,
    )


# --- Query builders. Words are letters and digits only (search.text.parse_query), so the
# quoting below cannot be broken by user input.


def _fts5_group(words: list[str], *, prefix_last: bool) -> str:
    parts = [f'"{word}"' for word in words]
    if prefix_last and parts:
        parts[-1] += " *"
    return " AND ".join(parts)


def fts5_expression(parsed: ParsedQuery, *, folded: bool) -> str:
    """FTS5 MATCH over the folded (or exact) columns; "" when there is nothing to match."""
    convert = fold if folded else tone_placement
    groups = []
    if parsed.terms:
        groups.append(_fts5_group([convert(t) for t in parsed.terms], prefix_last=parsed.prefix))
    for phrase in parsed.phrases:
        groups.append('"' + " ".join(convert(word) for word in phrase) + '"')
    if not groups:
        return ""
    columns = "{type_words head_folded body_folded}" if folded else "{head_exact body_exact}"
    return f"{columns} : ({' AND '.join(groups)})"


def fts5_match(parsed: ParsedQuery) -> str:
    alternatives = []
    words = fts5_expression(parsed, folded=True)
    if words:
        alternatives.append(f"({words})")
        if parsed.has_diacritics:
            alternatives.append(f"({fts5_expression(parsed, folded=False)})")
        if parsed.prefix and len(parsed.terms) > 1 and not parsed.phrases:
            # Type-ahead: the words typed so far, in that order, rank above scattered ones (an
            # alternative that only documents having all the words match: no quoted phrase).
            typed = " ".join(fold(term) for term in parsed.terms)
            alternatives.append(f'({{head_folded body_folded}} : "{typed}" *)')
    alternatives += [f'(symbol_key : "{key}")' for key in parsed.symbol_keys]
    return " OR ".join(alternatives)


def fts5_phrase(words: list[str], *, prefix: bool = False) -> str:
    """FTS5 MATCH of these folded words adjacent and in order in one folded column."""
    return f'{FTS5_FOLDED_COLUMNS} : "{" ".join(words)}"' + (" *" if prefix else "")


def _case(condition: str, weight: float) -> str:
    return f"CASE WHEN {condition} THEN {weight!r} ELSE 0.0 END"


def _column_tiers(parsed: ParsedQuery) -> tuple[list[str], list[str]]:
    """The tiers read from the row itself: symbol typed, head beginning with the words."""
    parts: list[str] = []
    params: list[str] = []
    if parsed.symbol_keys:
        marks = ", ".join(["%s"] * len(parsed.symbol_keys))
        parts.append(_case(f"search_searchentry.symbol_key IN ({marks})", SYMBOL))
        params += parsed.symbol_keys
    adjacent = proximity_words(parsed)
    if adjacent:
        # The head reads type, subject, …: it begins with the words, whole (or the last one
        # begun, type-ahead). Words are letters and digits: no LIKE wildcard among them.
        parts.append(_case("(search_searchentry.head_folded || ' ') LIKE %s", NAMED))
        params.append(" ".join(adjacent) + ("%" if parsed.prefix else " %"))
    return parts, params


def _tsquery_group(words: list[str], *, prefix_last: bool) -> list[str]:
    parts = [f"'{word}'" for word in words]
    if prefix_last and parts:
        parts[-1] += ":*"
    return parts


def tsquery_phrase(words: list[str], *, prefix: bool = False) -> str:
    """to_tsquery('simple', …) text of these folded words adjacent and in order."""
    return " <-> ".join(f"'{word}'" for word in words) + (":*" if prefix else "")


def word_tiers(
    parsed: ParsedQuery, *, exact: tuple[str, str], folded: str, phrase: Callable[..., str]
) -> tuple[str, list[str]]:
    """SQL of the ranking tiers (search.ranking) of a search_searchentry row, and its parameters.

    `exact`: the SQL condition (one parameter) that the row matches a query of the exact words,
    and that query; `folded`: the condition that it matches a query of folded words, built by
    `phrase(words, prefix=…)`. The phrase and the runs are one CASE, longest first: the first
    that holds gives the weight (the phrase holds every run), the others are not evaluated.
    """
    parts, params = _column_tiers(parsed)
    if parsed.has_diacritics and (parsed.terms or parsed.phrases):
        parts.append(_case(exact[0], TONES))
        params.append(exact[1])
    adjacent = proximity_words(parsed)
    if adjacent:
        runs = [(adjacent, parsed.prefix, PHRASE)]
        runs += [(list(run.words), run.prefix, run.weight) for run in adjacent_runs(parsed)]
        whens = " ".join(f"WHEN {folded} THEN {weight!r}" for _words, _prefix, weight in runs)
        parts.append(f"CASE {whens} ELSE 0.0 END")
        params += [phrase(words, prefix=prefix) for words, prefix, _weight in runs]
    return " + ".join(parts) or "0.0", params


def fts5_tiers(parsed: ParsedQuery) -> tuple[str, list[str]]:
    """The ranking tiers on SQLite: each is a MATCH of the FTS5 table, run once per search."""
    return word_tiers(
        parsed,
        exact=(FTS5_FINDS, fts5_expression(parsed, folded=False)),
        folded=FTS5_FINDS,
        phrase=fts5_phrase,
    )


def tsvector_tiers(parsed: ParsedQuery) -> tuple[str, list[str]]:
    """The ranking tiers on PostgreSQL: each is one more `@@` on the matching rows' tsvector."""
    return word_tiers(
        parsed,
        exact=(
            "search_searchentry.exact_vec @@ to_tsquery('simple', %s)",
            tsquery(parsed, folded=False, with_symbols=False),
        ),
        folded="search_searchentry.folded_vec @@ to_tsquery('simple', %s)",
        phrase=tsquery_phrase,
    )


def tsquery(parsed: ParsedQuery, *, folded: bool, with_symbols: bool) -> str:
    """to_tsquery('simple', …) text; "" when there is nothing to match."""
    convert = fold if folded else tone_placement
    parts = _tsquery_group([convert(t) for t in parsed.terms], prefix_last=parsed.prefix)
    for phrase in parsed.phrases:
        parts.append("(" + " <-> ".join(f"'{convert(word)}'" for word in phrase) + ")")
    expression = " & ".join(parts)
    if parsed.prefix and len(parsed.terms) > 1 and expression and not parsed.phrases:
        # Type-ahead: the words typed so far, in that order, rank above scattered ones (an
        # alternative that only documents having all the words match: no quoted phrase).
        typed = " <-> ".join(f"'{convert(term)}'" for term in parsed.terms) + ":*"
        expression = f"({expression}) | ({typed})"
    if with_symbols and parsed.symbol_keys:
        symbols = " | ".join(f"'{key}'" for key in parsed.symbol_keys)
        expression = f"({expression}) | {symbols}" if expression else symbols
    return expression


class DatabaseBackend(SearchBackend):
    """Full-text search inside the application's own database."""

    name = "database"

    # --- Writing.

    def index(self, records: Iterable[IndexRecord]) -> None:
        entries = [entry_from_record(record) for record in records]
        if not entries:
            return
        with transaction.atomic():
            SearchEntry.objects.bulk_create(
                entries,
                update_conflicts=True,
                unique_fields=["document"],
                update_fields=[
                    f.name for f in SearchEntry._meta.concrete_fields if not f.primary_key
                ],
            )
            if connection.vendor == "sqlite":
                self._fts5_write(entries)

    def _fts5_write(self, entries: list[SearchEntry]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "DELETE FROM search_fts WHERE rowid = %s", [(e.document_id,) for e in entries]
            )
            cursor.executemany(
                "INSERT INTO search_fts (rowid, symbol_key, type_words, head_exact, head_folded, "
                "body_exact, body_folded) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        e.document_id,
                        e.symbol_key,
                        e.type_words,
                        e.head_exact,
                        e.head_folded,
                        e.body_exact,
                        e.body_folded,
                    )
                    for e in entries
                ],
            )

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with transaction.atomic():
            SearchEntry.objects.filter(document_id__in=ids).delete()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany(
                        "DELETE FROM search_fts WHERE rowid = %s", [(pk,) for pk in ids]
                    )

    def reindex(
        self, records: Iterable[IndexRecord], total: int, progress: Callable[[int], None]
    ) -> None:
        """Records in ascending id order (as search.documents.index_records yields them): each
        batch is written, and the entries between it and the previous batch that it does not
        hold are removed, so memory stays one batch whatever the number of documents."""
        previous = 0
        records = iter(records)
        while batch := list(islice(records, REINDEX_BATCH)):
            ids = [record.id for record in batch]
            if ids != sorted(ids) or ids[0] <= previous:
                raise ValueError("reindex needs the records in ascending id order")
            self.index(batch)
            self._delete_between(previous, ids[-1], keep=ids)
            previous = ids[-1]
            progress(len(batch))
        self._delete_between(previous, None, keep=[])
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM search_fts WHERE rowid NOT IN "
                    "(SELECT document_id FROM search_searchentry)"
                )
                cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")

    def _delete_between(self, after: int, upto: int | None, *, keep: list[int]) -> None:
        """Remove the entries with after < document id <= upto (no bound: None) not in keep."""
        entries = SearchEntry.objects.filter(document_id__gt=after)
        if upto is not None:
            entries = entries.filter(document_id__lte=upto)
        self.delete(
            list(entries.exclude(document_id__in=keep).values_list("document_id", flat=True))
        )

    def ping(self) -> bool:
        return True

    # --- Searching.

    def _matching(self, entries: QuerySet, parsed: ParsedQuery) -> QuerySet:
        """Entries matching the query, annotated with `score` (higher is better)."""
        if parsed.is_empty:
            return entries.annotate(score=Value(0.0, output_field=FloatField()))
        # Raw SQL below: only constant SQL text; the user's words travel as bound parameters.
        if connection.vendor == "postgresql":
            folded = tsquery(parsed, folded=True, with_symbols=True)
            relevance = "ts_rank(search_searchentry.folded_vec, to_tsquery('simple', %s))"
            params: list = [folded]
            if parsed.has_diacritics and (parsed.terms or parsed.phrases):
                relevance += (
                    " + 2 * ts_rank(search_searchentry.exact_vec, to_tsquery('simple', %s))"
                )
                params.append(tsquery(parsed, folded=False, with_symbols=False))
            tiers, tier_params = tsvector_tiers(parsed)
            match = RawSQL(  # noqa: S611
                "search_searchentry.folded_vec @@ to_tsquery('simple', %s)",
                [folded],
                output_field=BooleanField(),
            )
            score = RawSQL(  # noqa: S611
                f"{tiers} + 1.0 - 1.0 / (1.0 + {relevance})",
                tier_params + params,
                output_field=FloatField(),
            )
            return entries.filter(match).annotate(score=score)
        # SQLite: join the FTS5 table so that MATCH runs once and bm25() ranks in that same scan
        # (a correlated subquery per row is two orders of magnitude slower on 100,000 rows); each
        # ranking tier is one uncorrelated MATCH, evaluated once.
        tiers, tier_params = fts5_tiers(parsed)
        return entries.extra(  # noqa: S610
            select={"score": f"{tiers} + {FTS5_RELEVANCE_SQL}"},
            select_params=tier_params,
            tables=["search_fts"],
            where=["search_fts.rowid = search_searchentry.document_id", "search_fts MATCH %s"],
            params=[fts5_match(parsed)],
        )

    def search(self, query: SearchQuery, user) -> SearchResult:
        parsed = parse_query(query.text, prefix=query.prefix)
        visible = visible_documents(user).values("pk")
        base = SearchEntry.objects.filter(document_id__in=visible)
        if query.date_from:
            base = base.filter(date__gte=query.date_from)
        if query.date_to:
            base = base.filter(date__lte=query.date_to)
        if parsed.is_empty and query.text.strip():
            base = base.none()  # only punctuation or operators: nothing can match
        matching = self._matching(base, parsed)
        filtered = apply_filters(matching, query.filters)
        total, facet_counts = facets_and_total(matching, query.filters)
        if query.sort == "date" or parsed.is_empty:
            ordered = filtered.order_by(F("date").desc(nulls_last=True), "-document_id")
        else:
            ordered = filtered.order_by("-score", F("date").desc(nulls_last=True), "-document_id")
        page = list(
            ordered.values("document_id", "score", "symbol", "subject", "issuer", "body")[
                query.offset : query.offset + query.page_size
            ]
        )
        hits = [
            Hit(
                document_id=row["document_id"],
                score=round(float(row["score"] or 0.0), 4),
                highlights=highlights_for(
                    {
                        "symbol": row["symbol"],
                        "subject": row["subject"],
                        "issuer": row["issuer"],
                        "body": row["body"],
                    },
                    parsed,
                ),
            )
            for row in page
        ]
        return SearchResult(total=total, hits=hits, facets=facet_counts, backend=self.name)


def apply_filters(entries: QuerySet, filters: dict[str, list[str]], skip: str = "") -> QuerySet:
    for key, values in filters.items():
        if key == skip or key not in FILTER_FIELDS or not values:
            continue
        entries = entries.filter(**{f"{FILTER_FIELDS[key]}__in": values})
    return entries


def _other_filters(filters: dict[str, list[str]], skip: str) -> tuple[str, list[str]]:
    """SQL condition (on the facet CTE's columns, compared as text) of every filter but `skip`."""
    conditions, params = ["1 = 1"], []
    for key, values in filters.items():
        if key == skip or key not in FILTER_FIELDS or not values:
            continue
        conditions.append(
            f"CAST({FILTER_FIELDS[key]} AS TEXT) IN ({', '.join(['%s'] * len(values))})"
        )
        params += [str(value) for value in values]
    return " AND ".join(conditions), params


def facets_and_total(
    matching: QuerySet, filters: dict[str, list[str]]
) -> tuple[int, dict[str, list[FacetBucket]]]:
    """The total of the filtered matching documents and the counts per value of each filter key
    (over the matching visible documents with every OTHER filter applied, so ticking a box shows
    what the other choices would give), in ONE statement: the matching rows' facet columns are
    read once into a materialised CTE, then grouped once per key (UNION ALL)."""
    fields = [FILTER_FIELDS[key] for key in FILTER_KEYS]
    try:
        cte_sql, cte_params = matching.order_by().values(*fields).query.sql_with_params()
    except EmptyResultSet:
        return 0, {key: [] for key in FILTER_KEYS}
    # Only the constant field names of FILTER_FIELDS reach the SQL text; values are parameters.
    where, params = _other_filters(filters, skip="")
    parts = [f"SELECT '' AS k, '' AS v, COUNT(*) AS n FROM facet_rows WHERE {where}"]  # noqa: S608
    for key in FILTER_KEYS:
        field = FILTER_FIELDS[key]
        where, key_params = _other_filters(filters, skip=key)
        grouped = (
            f"SELECT '{key}' AS k, CAST({field} AS TEXT) AS v, COUNT(*) AS n "  # noqa: S608
            f"FROM facet_rows WHERE {where} AND {field} IS NOT NULL "
            f"AND CAST({field} AS TEXT) <> '' "
            f"GROUP BY {field} ORDER BY n DESC, {field} LIMIT {FACET_SIZE}"
        )
        parts.append(f"SELECT * FROM ({grouped}) AS facet_{key}")  # noqa: S608
        params += key_params
    sql = f"WITH facet_rows AS MATERIALIZED ({cte_sql}) " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cte_params, *params])
        rows = cursor.fetchall()
    total = 0
    counts: dict[str, list[tuple[str, int]]] = {key: [] for key in FILTER_KEYS}
    for key, value, count in rows:
        if key == "":
            total = int(count)
        else:
            counts[key].append((value, int(count)))
    result = {}
    for key in FILTER_KEYS:
        labels = facet_labels(key, [value for value, _count in counts[key]])
        result[key] = [
            FacetBucket(value=value, label=labels.get(value, value), count=count)
            for value, count in counts[key]
        ]
    return total, result


def facet_labels(key: str, values: list[str]) -> dict[str, str]:
    """Human labels of facet values (catalog names, unit names, status names)."""
    if key == "type":
        ids = [int(v) for v in values if v.isdigit()]
        return {
            str(pk): name
            for pk, name in DocumentType.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    if key == "unit":
        ids = [int(v) for v in values if v.isdigit()]
        return {
            str(pk): name for pk, name in Unit.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    if key == "urgency":
        return dict(Urgency.objects.filter(code__in=values).values_list("code", "name"))
    if key == "status":
        return {value: str(Status(value).label) for value in values if value in Status.values}
    if key == "direction":
        return {value: str(Direction(value).label) for value in values if value in Direction.values}
    if key == "year":
        return {value: value for value in values}
    return {value: value or _("(none)") for value in values}
